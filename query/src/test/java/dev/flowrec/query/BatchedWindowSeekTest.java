package dev.flowrec.query;

import dev.flowrec.journal.TestJournal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seek over a journal of batches, as the recorder writes it: one batch per drain pass, deltas that end now
 * mixed with idle residues that ended up to 1.5 flush intervals earlier. Every window's answer equals a full
 * scan's, while reading little more than the window.
 */
class BatchedWindowSeekTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0_NS = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * SECOND_NS;
    private static final int SECONDS = 3 * 3600;
    private static final int PASSES_PER_SECOND = 4;
    private static final int PER_PASS = 8;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeThreeHours()
    {
        final SplittableRandom random = new SplittableRandom(5);
        try (TestJournal journal = TestJournal.open(dir, T0_NS))
        {
            journal.recorderStarted(T0_NS, "h", "k", "v", "c");
            for (int pass = 0; pass < SECONDS * PASSES_PER_SECOND; pass++)
            {
                final long nowNs = T0_NS + pass * SECOND_NS / PASSES_PER_SECOND;
                journal.now(nowNs);
                for (int i = 0; i < PER_PASS; i++)
                {
                    final boolean idle = random.nextInt(4) == 0;
                    final long lastNs = idle ? nowNs - SECOND_NS - random.nextLong(SECOND_NS / 2) : nowNs - random.nextLong(1000);
                    journal.delta().firstNs(lastNs - random.nextLong(SECOND_NS)).lastNs(lastNs)
                        .packets(1 + random.nextInt(10)).bytes(1 + random.nextInt(100_000))
                        .ipv4(0x0A000001, 0x0A000100 + i).ifindex(1).srcPort(1000 + i).dstPort(80).proto(6)
                        .appendToBatch();
                }
                journal.commitDeltas();
            }
        }
    }

    @Test
    void shouldAnswerEveryWindowAsAFullScanDoes()
    {
        final long[] all = new long[SECONDS + 2];
        Replay.run(dir, Window.ALL, (d, iface, container) -> all[second(d.lastNs())] += d.bytes(), () -> false);
        final SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 50; i++)
        {
            final long sinceNs = T0_NS + random.nextLong(SECONDS * SECOND_NS);
            final long untilNs = sinceNs + (1 + random.nextInt(120)) * SECOND_NS;
            final long[] expected = {0};
            final long[] answered = {0};
            Replay.run(dir, Window.ALL, (d, iface, container) ->
            {
                if (d.lastNs() >= sinceNs && d.lastNs() < untilNs)
                {
                    expected[0] += d.bytes();
                }
            }, () -> false);
            final Replay.Result result = Replay.run(dir, new Window(sinceNs, untilNs),
                (d, iface, container) -> answered[0] += d.bytes(), () -> false);
            assertEquals(expected[0], answered[0], "window " + Instant.ofEpochSecond(0, sinceNs) + " .. " +
                Instant.ofEpochSecond(0, untilNs));
            // The window, the replay's margin (2 flush intervals + 2 s) on either side, and one poll (64 batches) more.
            final long windowDeltas = (untilNs - sinceNs) / SECOND_NS * PASSES_PER_SECOND * PER_PASS;
            final long marginDeltas = 4 * PASSES_PER_SECOND * PER_PASS;
            assertTrue(result.eventsRead() <= windowDeltas + 2 * marginDeltas + (64 + 2) * PER_PASS,
                "events read: " + result.eventsRead() + " for a window of " + windowDeltas);
        }
    }

    private static int second(final long ns)
    {
        return (int)Math.max(0, (ns - T0_NS) / SECOND_NS + 1);
    }
}
