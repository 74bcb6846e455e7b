package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowrec.journal.TestJournal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replay bounded by the journal's end as it stood ({@link Replay#end}) leaves out what was appended after it. */
class ReplaySnapshotTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_767_225_600_000L * MS; // 2026-01-01T00:00:00Z

    @TempDir
    Path dir;

    @Test
    void shouldFoldOnlyTheDeltasJournaledBeforeTheSnapshot()
    {
        final long end;
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            append(journal, 0, 1_000, 100); // ten batches of 100, and single deltas between them below
            journal.delta().at(T0 + 1_000 * MS).packets(1).bytes(1).ipv4(0x0A000001, 0x0A000002).ifindex(1).append();
            end = Replay.end(dir);
            append(journal, 1_001, 700, 70);
            assertEquals(1_001, fold(end, Window.ALL), "live journal, bounded");
        }
        assertEquals(1_001, fold(end, Window.ALL), "bounded after the writer closed");
        assertEquals(1_701, fold(Long.MAX_VALUE, Window.ALL), "unbounded");
        assertEquals(1_701, Replay.run(dir, Window.ALL, (d, i, c) -> { }, () -> false).deltasFolded());
        final Window late = new Window(T0 + 900 * MS, T0 + 1_500 * MS);
        assertEquals(101, fold(end, late), "a window across the snapshot: up to it");
        assertEquals(fold(Long.MAX_VALUE, Window.ALL), fold(Replay.end(dir), Window.ALL), "a snapshot of the whole journal");
    }

    private static void append(final TestJournal journal, final int from, final int deltas, final int batch)
    {
        for (int i = from; i < from + deltas; i++)
        {
            final long t = T0 + i * MS;
            journal.now(t).delta().at(t).packets(1).bytes(100).ipv4(0x0A000001, 0x0A000000 | i)
                .srcPort(1024 + i).dstPort(443).proto(6).direction(1).ifindex(1).appendToBatch();
            if ((i - from) % batch == batch - 1)
            {
                journal.commitDeltas();
            }
        }
        journal.commitDeltas();
    }

    private long fold(final long endIndex, final Window window)
    {
        final long[] folded = {0};
        final Replay.Result result = Replay.runUntil(dir, window, Timeline.of(dir, window),
            (d, iface, container) -> folded[0]++, () -> false, endIndex);
        assertEquals(folded[0], result.deltasFolded());
        return folded[0];
    }
}
