package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docs as tests: every command line the README quotes (in its code blocks: {@code scripts/flowrec ...}, with or
 * without {@code sudo} or a {@code $} prompt), every example of the shell's help, and every command's --help are run
 * for real, so that the documentation cannot drift from the program again. Recording lines run in a test namespace
 * (its veth stands for eth0) for two seconds while it carries pings; the readers' lines run on what they recorded
 * (J, DIR, ./flowrec-journal, /j/web1 and /j/web2 are those journals). A line passes when it exits 0 with no stack
 * trace; the one that shows an error (a {@code $} line followed by output) must print exactly that output.
 * Synopses (lines with {@code [--option]}) are the commands' grammar, not examples, and are left out.
 */
class ReadmeCommandsTest
{
    private static final Pattern COMMAND = Pattern.compile("^(?:\\$ )?(?:sudo )?scripts/flowrec (.*)$");
    private static final Pattern COMMENT = Pattern.compile("\\s+#\\s.*$");

    @RegisterExtension
    final TestNetns net = TestNetns.ipv4Pair("rd0", "10.213.83.1/24", "rd1", "10.213.83.2/24");

    @TempDir
    Path tmp;

    /** A command the README quotes, and the output it shows after it (for a {@code $} line), if any. */
    private record Quoted(int line, String command, List<String> shown)
    {
    }

    @Test
    void shouldRunEveryCommandLineOfTheReadme() throws Exception
    {
        final List<Quoted> quoted = quotedCommands(Files.readAllLines(Sh.ROOT.resolve("README.md")));
        assertTrue(quoted.size() >= 20, "the README quotes its command lines: " + quoted);
        final List<Quoted> records = quoted.stream().filter(q -> q.command().startsWith("record")).toList();
        assertFalse(records.isEmpty(), "the README shows how to record");
        for (final Quoted q : records)
        {
            runRecord(q);
        }
        // The readers' journals: J and DIR the one recorded above, /j/web1 and /j/web2 two recordings of their own.
        for (final String name : new String[] {"web1", "web2"})
        {
            runRecord(new Quoted(0, "record --iface eth0 --journal /j/" + name, List.of()));
        }
        for (final Quoted q : quoted)
        {
            if (!q.command().startsWith("record"))
            {
                runReader(q);
            }
        }
    }

    @Test
    void shouldRunEveryExampleOfTheShellsHelpAndEveryCommandsHelp() throws Exception
    {
        runRecord(new Quoted(0, "record --iface eth0 --journal J", List.of()));
        for (final String command : new String[] {"record", "query", "diff", "info", "export", "shell"})
        {
            final Sh help = Sh.run(Sh.FLOWREC, command, "--help");
            assertEquals(0, help.exit(), command + " --help: " + help.err());
            assertTrue(help.out().startsWith("Usage: flowrec " + command), help.out());
        }
        final StringBuilder helps = new StringBuilder("help\n");
        for (final String verb : new String[] {"flows", "top", "group", "series", "at", "format", "export", "query", "info"})
        {
            helps.append("help ").append(verb).append('\n');
        }
        final Sh help = shell(helps.toString());
        assertEquals(0, help.exit(), help.err());
        final java.util.Set<String> examples = new java.util.LinkedHashSet<>();
        final Matcher eg = Pattern.compile("e\\.g\\. ((?:flows|top|group|series|at|format|export|query|info)\\b.+)$",
            Pattern.MULTILINE).matcher(help.out());
        while (eg.find())
        {
            examples.add(eg.group(1).trim());
        }
        assertTrue(examples.size() >= 8, "the shell's help shows examples: " + help.out());
        // One session, a line each: pipe mode names the line that failed and exits 1 if one did.
        final Sh r = shell(String.join("\n", examples) + "\n");
        assertEquals(0, r.exit(), "shell examples " + examples + ": " + r.err());
        assertNoTrace("shell examples", r);
    }

    private Sh shell(final String input) throws IOException, InterruptedException
    {
        final Path in = Files.writeString(tmp.resolve("shell-in.txt"), input);
        return Sh.run("bash", "-c", "cd \"$1\" && \"$0\" shell --journal \"$2\" < \"$3\"", Sh.FLOWREC, tmp.toString(),
            journal("J").toString(), in.toString());
    }

    /** A recording line, in the test namespace, for two seconds of pings. */
    private void runRecord(final Quoted q) throws Exception
    {
        final String command = substitute(q.command())
            .replaceAll("--duration \\S+", "")
            .replace("--iface eth0", "--iface rd0") + " --duration 2s --http off";
        final Path log = tmp.resolve("record-" + q.line() + ".log");
        final Process ping = new ProcessBuilder("ip", "netns", "exec", net.name(), "ping", "-q", "-i", "0.2", "-c", "25",
            "10.213.83.2").redirectErrorStream(true).redirectOutput(tmp.resolve("ping.log").toFile()).start();
        try
        {
            final Sh r = Sh.run("ip", "netns", "exec", net.name(), "bash", "-c",
                "cd \"$1\" && \"$0\" " + command, Sh.FLOWREC, tmp.toString());
            Files.writeString(log, r.out() + r.err());
            assertEquals(0, r.exit(), "README line " + q.line() + ": " + q.command() + "\n" + r.err());
            assertNoTrace(q.command(), r);
        }
        finally
        {
            ping.destroy();
            ping.waitFor();
        }
    }

    private void runReader(final Quoted q) throws Exception
    {
        final String command = substitute(q.command()).replace("| node read.mjs", "> \"$1/stream.arrow\"");
        final boolean follows = command.contains("--follow");
        final String bash = "cd \"$1\" && " + (follows ? "timeout 4 " : "") + "\"$0\" " + command + " < /dev/null";
        final Sh r = Sh.run("bash", "-c", bash, Sh.FLOWREC, tmp.toString());
        final String what = "README line " + q.line() + ": " + q.command() + "\n" + r.err();
        if (!q.shown().isEmpty())
        {
            assertEquals(String.join("\n", q.shown()), (r.out() + r.err()).strip(), what);
            return;
        }
        assertEquals(follows ? 124 : 0, r.exit(), what); // --follow runs until stopped: timeout stops it
        assertNoTrace(q.command(), r);
    }

    /** The README's placeholders, as this test's files: every journal under tmp, every output file too. */
    private String substitute(final String command)
    {
        return command
            .replace("/var/lib/flowrec/journal", journal("J").toString())
            .replace("./flowrec-journal", journal("J").toString())
            .replace("/j/web1", journal("web1").toString())
            .replace("/j/web2", journal("web2").toString())
            .replaceAll("--journal (J|DIR)(?=\\s|$)", "--journal " + journal("J"))
            .replaceAll("--journal DIR2(?=\\s|$)", "--journal " + journal("web2"));
    }

    private Path journal(final String name)
    {
        return tmp.resolve("journals").resolve(name);
    }

    private static void assertNoTrace(final String command, final Sh r)
    {
        assertFalse((r.out() + r.err()).contains("\tat "), command + " printed a stack trace: " + r.err());
    }

    /** Command lines in the README's code blocks, with the output a {@code $} line shows after it. */
    static List<Quoted> quotedCommands(final List<String> readme)
    {
        final List<Quoted> quoted = new ArrayList<>();
        boolean inBlock = false;
        for (int i = 0; i < readme.size(); i++)
        {
            final String line = readme.get(i);
            if (line.startsWith("```"))
            {
                inBlock = !inBlock;
                continue;
            }
            final Matcher m = COMMAND.matcher(line.strip());
            if (!inBlock || !m.matches() || line.contains(" [--") || line.contains("|DIR") || line.contains("..."))
            {
                continue; // prose, or a synopsis
            }
            final List<String> shown = new ArrayList<>();
            if (line.startsWith("$ "))
            {
                for (int j = i + 1; j < readme.size() && !readme.get(j).startsWith("```"); j++)
                {
                    shown.add(readme.get(j));
                }
            }
            quoted.add(new Quoted(i + 1, COMMENT.matcher(m.group(1)).replaceFirst("").strip(), shown));
        }
        return quoted;
    }
}
