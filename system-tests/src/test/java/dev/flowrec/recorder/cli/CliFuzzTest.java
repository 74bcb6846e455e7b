package dev.flowrec.recorder.cli;

import dev.flowrec.cli.Main;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flowrec.journal.TestJournal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of every command, given hostile values (empty, huge, negative, malformed times, sizes and
 * addresses, control characters, random bytes): each run either works or ends with a non-zero exit and one
 * line saying what was wrong (plus picocli's "(see: ... --help)" for usage errors) — never a stack trace.
 * Runs in-process through {@link Main#run}; the recorder is kept from starting by a missing interface.
 */
class CliFuzzTest
{
    private static final List<String> HOSTILE = List.of("", " ", "-", "--", "0", "-1", "-0", "1e999", "NaN",
        "99999999999999999999999", "9223372036854775808", "-9223372036854775809", "0x10", "1..", "..", "now..-1h",
        "-1h..now", "2026-13-45T99:99:99Z", "1970-01-01T00:00:00Z", "now", "-999999999d", "5x", "10K", "1.5G", "\u0000",
        "\n", "a\nb", "'", "\"", "%s%n", "\u00e9\u202e\ud83d\ude00", "src_addr,,dst_addr", "src_net/99", "proto tcp and",
        "((((((((((", "256.256.256.256", "::ffff:1.2.3.4/200", "127.0.0.1:99999", "[::1]:0", "/dev/null", "/proc/self/mem",
        "x".repeat(100_000));
    /** Values that would write outside the test's directory, or start a real recording: not fuzzed. */
    private static final Map<String, List<String>> SKIPPED = Map.of(
        "record", List.of("--iface", "--journal", "--duration"), "export", List.of("--out"));
    private static final int RANDOM_VALUES = 12;

    @TempDir
    Path tmp;

    @Test
    void shouldAnswerEveryHostileOptionValueWithOneLineOrWork() throws Exception
    {
        final Path journal = tinyJournal();
        final Map<String, List<String>> base = Map.of(
            "record", List.of("--iface", "frnosuchif0", "--journal", tmp.resolve("rj").toString(), "--http", "off"),
            "query", List.of("--journal", journal.toString()),
            "diff", List.of("--journal", journal.toString(), "--a", "-1000d..-1h", "--b", "-1h..now"),
            "info", List.of("--journal", journal.toString()),
            "export", List.of("--journal", journal.toString(), "--out", tmp.resolve("out.parquet").toString()));
        final Random random = new Random(20261126);
        int runs = 0;
        final CommandLine model = Main.commandLine(true);
        for (final Map.Entry<String, List<String>> command : base.entrySet())
        {
            for (final OptionSpec option : model.getSubcommands().get(command.getKey()).getCommandSpec().options())
            {
                final String name = option.longestName();
                if (option.arity().max() == 0 || SKIPPED.getOrDefault(command.getKey(), List.of()).contains(name))
                {
                    continue;
                }
                final List<String> values = new ArrayList<>(HOSTILE);
                for (int i = 0; i < RANDOM_VALUES; i++)
                {
                    values.add(randomValue(random));
                }
                for (final String value : values)
                {
                    final List<String> args = new ArrayList<>();
                    args.add(command.getKey());
                    args.addAll(withOut(command.getValue(), name));
                    args.add(name + "=" + value);
                    check(args);
                    runs++;
                }
            }
        }
        assertTrue(runs > 500, "fuzzed " + runs + " command lines");
    }

    /** The base arguments without the option being fuzzed (and its value). */
    private static List<String> withOut(final List<String> base, final String option)
    {
        final List<String> args = new ArrayList<>();
        for (int i = 0; i < base.size(); i++)
        {
            if (base.get(i).equals(option))
            {
                i++;
                continue;
            }
            args.add(base.get(i));
        }
        return args;
    }

    private static void check(final List<String> args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream savedOut = System.out;
        final PrintStream savedErr = System.err;
        final int exit;
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.run(args.toArray(String[]::new));
        }
        catch (final Throwable t)
        {
            System.setOut(savedOut);
            System.setErr(savedErr);
            fail("threw " + t + " for " + shown(args), t);
            return;
        }
        finally
        {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        final String text = err.toString(StandardCharsets.UTF_8);
        final String context = shown(args) + " → exit " + exit + ", stderr:\n" + shown(text);
        assertTrue(!text.contains("\tat ") && !text.contains("Exception in thread"), "a stack trace: " + context);
        if (exit == 0)
        {
            return;
        }
        final List<String> lines = withoutPointer(text.lines().filter(l -> !l.startsWith("(see: flowrec ")).toList());
        assertTrue(exit == 1 || exit == 2, "exit 1 (failure) or 2 (usage): " + context);
        assertTrue(lines.stream().filter(l -> l.startsWith("flowrec ")).count() >= 1, "says which command: " + context);
        assertTrue(lines.size() == 1 || onlyWarnings(lines), "one line: " + context);
    }

    /**
     * A bad filter's one line may be followed by the filter and a caret under the column it names, as a compiler
     * points (a window of a long filter); those two lines are the pointer, not a second message. A caret without its error line is not taken.
     */
    private static List<String> withoutPointer(final List<String> lines)
    {
        final int n = lines.size();
        if (n >= 3 && lines.get(n - 1).matches(" *\\^") && lines.get(n - 3).contains("bad filter at column "))
        {
            return lines.subList(0, n - 2);
        }
        return lines;
    }

    /** A query may warn (coverage) and then fail on one line. */
    private static boolean onlyWarnings(final List<String> lines)
    {
        return lines.subList(0, lines.size() - 1).stream().allMatch(l -> l.contains("warning"));
    }

    private static String shown(final Object o)
    {
        final String s = String.valueOf(o);
        return s.length() > 600 ? s.substring(0, 600) + "…(" + s.length() + " chars)" : s;
    }

    private static String randomValue(final Random random)
    {
        final StringBuilder sb = new StringBuilder();
        final String alphabet = "0123456789abcdefxyzKMGTPsmhdw.,:-/()[]<>=!&| \t'\"\\%";
        final int length = random.nextInt(1, 24);
        for (int i = 0; i < length; i++)
        {
            sb.append(random.nextInt(10) == 0 ? (char)random.nextInt(0x20, 0x3000) : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private Path tinyJournal() throws Exception
    {
        final Path dir = tmp.resolve("journal");
        final long now = System.currentTimeMillis() * 1_000_000L;
        try (TestJournal journal = TestJournal.open(dir, now))
        {
            for (int i = 0; i < 100; i++)
            {
                final long t = now - (100 - i) * 60_000_000_000L;
                journal.delta().at(t).packets(1 + i).bytes(100 + i).ipv4(0x0A000001 + i % 7, 0x0A000002)
                    .srcPort(1000 + i).dstPort(443).proto(6).ifindex(1).append();
            }
        }
        assertTrue(Files.isDirectory(dir));
        return dir;
    }
}
