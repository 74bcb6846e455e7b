package dev.flowrec.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.TestJournal;
import dev.flowrec.query.RollupWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's rollup writing: a pass deletes the temporary rollups a writer left (of a cycle retention deleted, or
 * from before the run) and rolls up the sealed hours, which /metrics counts.
 */
class RollupWritingTest
{
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final long T0 = 1_795_694_400_000_000_000L; // 2026-11-26T12:00:00Z
    private static final int CYCLE0 = (int)(T0 / HOUR_NS);

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldDeleteLeftoverTemporaryRollupsAndCountTheRollupsWritten() throws Exception
    {
        final Path journal = tmp.resolve("j");
        try (TestJournal writer = TestJournal.openOnEth0(journal, T0))
        {
            for (int hour = 0; hour < 3; hour++)
            {
                for (int i = 0; i < 20; i++)
                {
                    final long t = T0 + hour * HOUR_NS + i * 60_000_000_000L;
                    writer.now(t).delta().at(t).packets(1 + i).bytes(100L * i).ipv4(0x0A000001, 0x0A000002)
                        .srcPort(40000 + i % 7).dstPort(53).proto(17).ifindex(1).append();
                }
            }
        }
        // of a cycle retention deleted (killed while writing it), and of a kept cycle from an earlier run
        final Path orphan = leftover(journal, CYCLE0 - 5);
        final Path stale = leftover(journal, CYCLE0 + 1);
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));

        final RollupWriting rollups = new RollupWriting(journal);
        assertTrue(rollups.metrics().endsWith("\nflowrec_rollups_written_total 0\n"), rollups.metrics());
        passAndClose(rollups);
        assertNull(rollups.failure());
        assertFalse(Files.exists(orphan), orphan + " outlived its cycle");
        assertFalse(Files.exists(stale), stale + " outlived the run that left it");
        for (int hour = 0; hour < 3; hour++)
        {
            assertTrue(Files.isRegularFile(JournalPaths.rollupFile(JournalPaths.cycleFile(journal, CYCLE0 + hour))));
        }
        assertEquals(3, rollups.written());
        assertEquals("# HELP flowrec_rollups_written_total Rollups of the journal's sealed hours the recorder wrote " +
            "(not counting those found current).\n# TYPE flowrec_rollups_written_total counter\n" +
            "flowrec_rollups_written_total 3\n", rollups.metrics());

        // the next run finds them current: none written; a leftover of its own time and kept cycle is left alone
        final RollupWriting again = new RollupWriting(journal);
        final Path fresh = leftover(journal, CYCLE0 + 2);
        Files.setLastModifiedTime(fresh, FileTime.fromMillis(System.currentTimeMillis() + 60_000)); // a coarse clock's
        passAndClose(again);
        assertNull(again.failure());
        assertEquals(0, again.written());
        assertTrue(Files.exists(fresh), "a temporary rollup another writer may be writing now");
        assertEquals(0, again.poke(), "a closed rollup writing starts no pass");
    }

    private static Path leftover(final Path journal, final int cycle) throws IOException
    {
        final Path rollup = JournalPaths.rollupFile(JournalPaths.cycleFile(journal, cycle));
        Files.createDirectories(rollup.getParent());
        return Files.write(rollup.resolveSibling(rollup.getFileName() + RollupWriter.TEMPORARY_SUFFIX), new byte[100]);
    }

    /** One whole pass: a second poke starts only when the first is over; close lets that one end. */
    private static void passAndClose(final RollupWriting rollups) throws InterruptedException
    {
        assertEquals(1, rollups.poke());
        while (rollups.poke() == 0)
        {
            Thread.sleep(10);
        }
        rollups.close();
    }
}
