package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interface whose name holds terminal escape sequences (the kernel allows ESC and BEL in a name; whoever can make
 * an interface, a container runtime say, chooses it) is printed escaped by everything a person reads: the
 * recorder's stderr, query's table and CSV, info, the shell's errors. Nothing reaches the terminal raw.
 */
class TerminalEscapesTest
{
    /** 13 bytes, inside IFNAMSIZ: ESC [ 2 J clears the screen, ESC ] 0 ; sets the title, BEL ends it. */
    private static final String HOSTILE = "\u001b[2J\u001b]0;x\u0007te";
    private static final String ESCAPED = "\\u001b[2J\\u001b]0;x\\u0007te";

    @RegisterExtension
    final TestNetns net = TestNetns.ipv4Pair(HOSTILE, "10.213.81.1/24", "te1", "10.213.81.2/24");

    @TempDir
    Path tmp;

    @Test
    void shouldPrintAHostileInterfaceNameEscapedEverywhere() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Path log = tmp.resolve("record.log");
        final Process recorder = new ProcessBuilder(Sh.flowrecIn(net.name(), "record", "--iface", HOSTILE,
            "--journal", journal.toString(), "--http", "off", "--duration", "60s"))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            Logs.await(recorder, log, "recording ", 600);
            Sh.ok("ip", "netns", "exec", net.name(), "ping", "-c", "3", "-i", "0.2", "10.213.81.2");
        }
        finally
        {
            recorder.destroy();
            assertTrue(recorder.waitFor(60, TimeUnit.SECONDS));
        }
        final String stderr = Logs.read(log);
        assertEquals(0, recorder.exitValue(), stderr);
        assertClean("record's stderr", stderr);
        assertTrue(stderr.contains("recording " + ESCAPED + " into "), stderr);

        final Sh table = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString());
        assertClean("query table", table.out() + table.err());
        assertTrue(table.out().contains(ESCAPED), table.out());

        final Sh csv = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv");
        assertClean("query csv", csv.out() + csv.err());
        assertTrue(csv.out().lines().skip(1).allMatch(l -> l.contains("," + ESCAPED + ",")), csv.out());

        final Sh grouped = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--group-by", "iface");
        assertClean("query --group-by iface", grouped.out() + grouped.err());

        final Sh info = Sh.ok(Sh.FLOWREC, "info", "--journal", journal.toString());
        assertClean("info", info.out() + info.err());
        assertTrue(info.out().contains(ESCAPED), info.out());

        final Sh shell = shell(journal, HOSTILE + "\ngroup iface\n");
        assertClean("shell", shell.out() + shell.err());
        assertTrue(shell.err().contains(ESCAPED), "the unknown command, echoed escaped: " + shell.err());
        assertTrue(shell.out().contains(ESCAPED), "the group's name: " + shell.out());
    }

    private Sh shell(final Path journal, final String input) throws IOException, InterruptedException
    {
        final Path in = Files.writeString(tmp.resolve("in.txt"), input);
        return Sh.run("bash", "-c", "\"$0\" shell --journal \"$1\" < \"$2\"", Sh.FLOWREC, journal.toString(), in.toString());
    }

    private static void assertClean(final String what, final String text)
    {
        assertFalse(text.chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == 0), what + " printed a raw control character: "
            + text.replace("\u001b", "<ESC>").replace("\u0007", "<BEL>"));
    }
}
