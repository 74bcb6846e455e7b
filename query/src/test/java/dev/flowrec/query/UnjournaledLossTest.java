package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.journal.UnjournaledLoss;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loss a recorder stopped with and could not journal (its disk full past its reserve) is kept beside the journal,
 * one line per stop; every answer whose window overlaps that span counts it, and none of them calls itself complete.
 */
class UnjournaledLossTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_767_225_600L * S; // 2026-01-01T00:00:00Z

    @TempDir
    Path dir;

    @Test
    void shouldCountLossKeptBesideTheJournalInEveryOverlappingWindow() throws Exception
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            journal.now(T0 + S).delta().at(T0 + S).packets(1).bytes(100).ipv4(0x0A000001, 0x0A000002).proto(17).append();
        }
        assertTrue(answer(Window.ALL).complete(), "no side file: complete");
        // Two stops: 7 events lost from 10 s to 20 s, 5 from 100 s to 110 s; then a line cut short by the full disk.
        Files.writeString(dir.resolve(UnjournaledLoss.FILE), (T0 + 10 * S) + " " + (T0 + 20 * S) + " 7\n"
            + (T0 + 100 * S) + " " + (T0 + 110 * S) + " 5\n" + (T0 + 200 * S) + " 2");

        assertEquals(List.of(new UnjournaledLoss.Entry(T0 + 10 * S, T0 + 20 * S, 7),
            new UnjournaledLoss.Entry(T0 + 100 * S, T0 + 110 * S, 5)), UnjournaledLoss.read(dir));
        assertEquals(12, answer(Window.ALL).journalLostEvents());
        assertEquals(7, answer(new Window(T0, T0 + 15 * S)).journalLostEvents());
        assertEquals(5, answer(new Window(T0 + 105 * S, T0 + 300 * S)).journalLostEvents());
        final Coverage between = answer(new Window(T0 + 30 * S, T0 + 90 * S));
        assertEquals(0, between.journalLostEvents(), "no stop's span overlaps");
        final Coverage first = answer(new Window(T0, T0 + 15 * S));
        assertFalse(first.complete());
        assertTrue(first.describe().contains("the recorder could not journal 7 events"), first.describe());
    }

    private Coverage answer(final Window window)
    {
        return QueryEngine.run(dir, new Query(window, FilterParser.ALL, List.of(), 0, Query.By.bytes, 0, Query.NO_INSTANT),
            () -> false).coverage();
    }
}
