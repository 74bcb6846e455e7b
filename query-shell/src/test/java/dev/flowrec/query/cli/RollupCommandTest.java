package dev.flowrec.query.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.TestJournal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code flowrec rollup} rolls up a journal's sealed hours once, and a query then says it read them. */
class RollupCommandTest
{
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final long T0 = 1_795_694_400_000_000_000L; // 2026-11-26T12:00:00Z

    @TempDir
    Path tmp;

    @Test
    void shouldSayHowToUseIt()
    {
        final StringWriter out = new StringWriter();
        assertEquals(0, new CommandLine(new RollupCommand()).setOut(new PrintWriter(out)).execute("--help"));
        assertTrue(out.toString().startsWith("Usage: rollup"), out.toString());
        assertTrue(out.toString().contains("--journal=DIR"), out.toString());
    }

    @Test
    void shouldRollUpSealedHoursOnceAndQueriesReadThem()
    {
        final Path journal = tmp.resolve("j");
        try (TestJournal writer = TestJournal.openOnEth0(journal, T0))
        {
            for (int hour = 0; hour < 3; hour++)
            {
                for (int i = 0; i < 50; i++)
                {
                    final long t = T0 + hour * HOUR_NS + i * 60_000_000_000L;
                    writer.now(t).delta().at(t).packets(1 + i).bytes(100L * i).ipv4(0x0A000001, 0x0A000002)
                        .srcPort(40000 + i % 7).dstPort(53).proto(17).ifindex(1).append();
                }
            }
        }
        final String first = rollup(journal);
        assertTrue(first.endsWith("3 rollups written, 0 hours left as they were\n"), first);
        for (int hour = 0; hour < 3; hour++)
        {
            final Path cycle = JournalPaths.cycleFile(journal, (int)(T0 / HOUR_NS) + hour);
            assertTrue(Files.isRegularFile(JournalPaths.rollupFile(cycle)), first);
        }
        final String again = rollup(journal);
        assertTrue(again.endsWith("0 rollups written, 3 hours left as they were\n"), again);
        assertTrue(again.contains("current"), again);

        final StringWriter err = new StringWriter();
        final CommandLine query = new CommandLine(new QueryCommand()).setOut(new PrintWriter(new StringWriter()))
            .setErr(new PrintWriter(err));
        assertEquals(0, query.execute("--journal", journal.toString(), "--since", "2026-11-26T12:00:00Z", "--until",
            "2026-11-26T15:00:00Z", "--stats"), err.toString());
        assertTrue(err.toString().contains("flowrec query: rollups: 3 hours from rollups, 0 replayed"), err.toString());
    }

    private static String rollup(final Path journal)
    {
        final StringWriter out = new StringWriter();
        assertEquals(0, new CommandLine(new RollupCommand()).setOut(new PrintWriter(out))
            .execute("--journal", journal.toString()));
        return out.toString().replace(System.lineSeparator(), "\n");
    }
}
