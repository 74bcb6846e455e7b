package dev.flowrec.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.ShellJournal;
import dev.flowrec.query.cli.AnswerWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/flowrec shell} with commands on a pipe answers exactly what {@code scripts/flowrec query --format csv}
 * answers to the same questions; a bad line is one error on stderr, the rest still runs, and the status says so.
 */
class PipeModeTest
{
    @TempDir
    static Path dir;
    private static String journal;

    /** Each question in the shell's words and as the command line's options. */
    private record Question(String line, List<String> options)
    {
    }

    @BeforeAll
    static void journal() throws Exception
    {
        journal = ShellJournal.write(dir, 0).toString();
        Launcher.setup();
    }

    @Test
    void shouldAnswerAsTheCommandLineDoes() throws Exception
    {
        final String at = AnswerWriter.isoTime(ShellJournal.NEW_NS + 3 * ShellJournal.SECOND_NS);
        final String until = AnswerWriter.isoTime(ShellJournal.NEW_NS - ShellJournal.SECOND_NS);
        final List<Question> questions = List.of(
            new Question("flows", List.of()),
            new Question("top 3 src_addr by bytes where proto tcp", List.of("--top", "3", "--group-by", "src_addr", "--by", "bytes", "--where", "proto tcp")),
            new Question("group iface, direction by packets", List.of("--group-by", "iface,direction", "--by", "packets")),
            new Question("series 1h proto where not icmp", List.of("--interval", "1h", "--group-by", "proto", "--where", "not icmp")),
            new Question("flows where port 443 since -1h", List.of("--where", "port 443", "--since", "-1h")),
            new Question("at " + at + " where iface eth0", List.of("--at", at, "--where", "iface eth0")),
            new Question("top 2 by packets until " + until, List.of("--top", "2", "--by", "packets", "--until", until)),
            new Question("group container where container c0ffee1234ab or iface wlan1", List.of("--group-by", "container", "--where", "container c0ffee1234ab or iface wlan1")),
            new Question("query --group-by dst_port --top 2 --where 'udp or icmp'", List.of("--group-by", "dst_port", "--top", "2", "--where", "udp or icmp")));

        final StringBuilder script = new StringBuilder("format csv\n");
        questions.forEach(q -> script.append(q.line()).append('\n'));
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try
        {
            final Future<Launcher.Result> shell = pool.submit(() -> Launcher.run(script.toString(), "shell", "--journal", journal));
            final List<Future<Launcher.Result>> cli = new ArrayList<>();
            for (final Question q : questions)
            {
                final List<String> args = new ArrayList<>(List.of("query", "--journal", journal, "--format", "csv"));
                args.addAll(q.options());
                cli.add(pool.submit(() -> Launcher.run("", args.toArray(String[]::new))));
            }
            final StringBuilder expected = new StringBuilder();
            for (int i = 0; i < questions.size(); i++)
            {
                final Launcher.Result r = cli.get(i).get();
                assertEquals(0, r.status(), questions.get(i).options() + ": " + r.err());
                assertTrue(r.out().lines().count() > 1, "each question has an answer: " + questions.get(i).line());
                expected.append(r.out());
            }
            final Launcher.Result r = shell.get();
            assertEquals("", r.err());
            assertEquals(expected.toString(), r.out());
            assertEquals(0, r.status());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldReportABadLineOnStderrAndGoOn() throws Exception
    {
        final Launcher.Result r = Launcher.run("flows where port http\nformat csv\ntop 1 src_addr\nbogus 3\ngroup proto top x\nhelp\n",
            "shell", "--journal", journal);
        assertEquals(1, r.status(), "a line failed");
        assertEquals(List.of(
                "flowrec shell: line 1: bad filter at column 6: expected a port number after 'port', got 'http'",
                "flows where port http",
                "                 ^",
                "flowrec shell: line 4: unknown command 'bogus' (commands: flows, top, group, series, at, format, export, info, query, help, quit, exit, inactive-timeout; type help)",
                "bogus 3",
                "^",
                "flowrec shell: line 5: top N: expected a positive whole number, got 'x'",
                "group proto top x",
                "                ^"),
            r.err().lines().toList());
        final List<String> out = r.out().lines().toList();
        // Two flows: the journal's tuple has deltas at its old and its new time, further apart than the 15 s inactive
        // timeout (issue 15, item 4).
        assertEquals(List.of("src_addr,flows,packets,bytes", "93.184.216.34,2,25,180001"), out.subList(0, 2));
        assertTrue(out.get(2).startsWith("Commands"), "help after the errors: " + out.get(2));
        assertFalse(r.out().contains("\u001b") || r.err().contains("\u001b"), "no ANSI on a pipe");
    }

    @Test
    void shouldStopAtQuit() throws Exception
    {
        final Launcher.Result r = Launcher.run("format\nquit\nflows\n", "shell", "--journal", journal);
        assertEquals(new Launcher.Result(0, "format table\n", ""), r);
    }

    @Test
    void shouldExportAsTheExportCommandDoes() throws Exception
    {
        final Path fromShell = dir.resolve("shell.arrow");
        final Path fromCli = dir.resolve("cli.arrow");
        final Launcher.Result shell = Launcher.run("export --out " + fromShell + " --where 'proto tcp'\nexport --where x\n",
            "shell", "--journal", journal);
        final Launcher.Result cli = Launcher.run("", "export", "--journal", journal, "--out", fromCli.toString(), "--where", "proto tcp");
        assertEquals(0, cli.status(), cli.err());
        assertEquals(1, shell.status(), "the second export lacks --out: " + shell.err());
        assertTrue(shell.err().contains("line 2: export: Missing required option: '--out=PATH'"), shell.err());
        final String rows = cli.err().lines().filter(l -> l.startsWith("flowrec export: ")).findFirst().orElseThrow()
            .replaceAll(" to .*", "");
        assertTrue(shell.err().contains(rows + " to " + fromShell), shell.err() + " vs " + rows);
    }
}
