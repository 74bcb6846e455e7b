package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C stops any query soon (issue 15, item 13), measured by a stopwatch of events rather than of time: the flag is
 * set at a chosen step of the engine's loops, and the steps taken after it are counted.
 */
class CancellationTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_767_225_600_000L * MS; // 2026-01-01T00:00:00Z
    private static final int DELTAS = 40_000;

    @TempDir
    static Path dir;

    /** One delta a millisecond, each of its own conversation: a 1 ms series has a row per delta. */
    @BeforeAll
    static void journal()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            for (int i = 0; i < DELTAS; i++)
            {
                final long t = T0 + i * MS;
                journal.now(t).delta().at(t).packets(1).bytes(100).ipv4(0x0A000001, 0x0A000000 | i)
                    .srcPort(1024 + i % 50_000).dstPort(443).proto(6).direction(1).ifindex(1).appendToBatch();
                if (i % 500 == 499)
                {
                    journal.commitDeltas();
                }
            }
            journal.commitDeltas();
        }
    }

    @Test
    void shouldStopEveryLoopWithinOnePollOfTheFlag()
    {
        shouldStopEveryLoopWithinOnePollOfTheFlag(false, 4L * DELTAS, "summing, grouping, sorting and building rows");
    }

    /** Group sums take the per-flow summing and grouping into one pass (GroupSums): three loops a row are left. */
    @Test
    void shouldStopEveryLoopOfGroupSumsWithinOnePollOfTheFlag()
    {
        shouldStopEveryLoopWithinOnePollOfTheFlag(true, 2L * DELTAS, "group sums, sorting and building rows");
    }

    private static void shouldStopEveryLoopWithinOnePollOfTheFlag(
        final boolean groupSums, final long atLeast, final String steps)
    {
        final Query series = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("conversation"), 0,
            Query.By.bytes, MS, Query.NO_INSTANT);
        final Cancellation full = new Cancellation(() -> false);
        assertEquals(DELTAS, QueryEngine.run(dir, series, full, true, groupSums).rows().size());
        final long total = full.steps();
        assertTrue(total > atLeast, steps + " are steps: " + total);
        for (final double at : new double[] {0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999})
        {
            final long flipAt = (long)(total * at);
            final Cancellation[] cancellation = new Cancellation[1];
            final BooleanSupplier flag = () -> cancellation[0].steps() >= flipAt;
            cancellation[0] = new Cancellation(flag);
            assertThrows(QueryCancelledException.class,
                () -> QueryEngine.run(dir, series, cancellation[0], true, groupSums),
                "the flag set at step " + flipAt + " of " + total);
            final long after = cancellation[0].steps() - flipAt;
            assertTrue(after <= Cancellation.STEPS_PER_POLL, "steps after the flag at " + flipAt + ": " + after);
        }
    }

    @Test
    void shouldGiveNoAnswerWhenCancelledAfterTheReplay()
    {
        // A flag that turns on only once the replay has read everything: the answer's later loops must see it.
        final Query listing = Query.listing(Window.ALL);
        final int[] polls = new int[1];
        final int replayPolls = replayPolls(listing);
        assertThrows(QueryCancelledException.class,
            () -> QueryEngine.run(dir, listing, () -> ++polls[0] > replayPolls));
    }

    /** How often the replay alone polls the flag over this journal. */
    private static int replayPolls(final Query query)
    {
        final int[] polls = new int[1];
        Replay.run(dir, query.window(), (d, iface, container) -> { }, () -> ++polls[0] < 0);
        return polls[0];
    }
}
