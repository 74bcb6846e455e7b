package dev.flowrec.query.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code info}'s size is the journal directory's disk usage as du(1) counts it, every file and directory in it. */
class InfoCommandTest
{
    private static final long T0 = 1_795_694_400_000_000_000L; // 2026-11-26T12:00:00Z
    private static final Pattern SIZE = Pattern.compile("(?m)^size {8}(.+) on disk \\((\\d+) bytes allocated, as du -s -B1 counts\\)$");

    @TempDir
    Path tmp;

    @Test
    void shouldReportDiskUsageAsDuDoes() throws Exception
    {
        final Path journal = tmp.resolve("j");
        try (TestJournal writer = TestJournal.openOnEth0(journal, T0))
        {
            for (int i = 0; i < 100; i++)
            {
                writer.delta().at(T0 + i * 1_000_000L).packets(1).bytes(100).ipv4(0x0A000001, 0x0A000002)
                    .srcPort(40000 + i).dstPort(53).proto(17).ifindex(1).append();
            }
        }
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new InfoCommand()).setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("--journal", journal.toString()));
        final Matcher size = SIZE.matcher(out.toString());
        assertTrue(size.find(), out.toString());
        final Process du = new ProcessBuilder("du", "-s", "-B1", journal.toString()).start();
        final String duOut = new String(du.getInputStream().readAllBytes());
        assertEquals(0, du.waitFor());
        final long duBytes = Long.parseLong(duOut.substring(0, duOut.indexOf('\t')));
        assertEquals(duBytes, Long.parseLong(size.group(2)), out.toString());
        assertEquals(dev.flowrec.journal.text.Sizes.human(duBytes), size.group(1));
    }

    @Test
    void shouldCountTheSocketOwnersAndTheirCommands() throws Exception
    {
        final Path journal = tmp.resolve("owned");
        try (TestJournal writer = TestJournal.openOnEth0(journal, T0))
        {
            for (int i = 0; i < 3; i++)
            {
                writer.delta().at(T0 + i * 1_000_000L).packets(1).bytes(100).ipv4(0x0A000001, 0x0A000002)
                    .srcPort(40000 + i).dstPort(53).proto(17).ifindex(1).direction(1)
                    .socketOwner(0, 100 + i, i == 2 ? "dig" : "resolved").append();
            }
        }
        final StringWriter out = new StringWriter();
        assertEquals(0, new CommandLine(new InfoCommand()).setOut(new PrintWriter(out)).execute("--journal", journal.toString()));
        assertEquals("owners      3 flow entries named with their process, 2 commands: dig, resolved",
            out.toString().lines().toList().getLast());
    }
}
