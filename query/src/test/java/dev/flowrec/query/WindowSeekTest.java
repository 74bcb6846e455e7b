package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-minute window of a journal spanning five hours is found by seeking: the replay reads that minute's
 * events (and a margin of a few flush intervals), not the hours before it, and still knows the interfaces
 * attached hours earlier and the loss counters as they stood. Counted in events, not timed.
 */
class WindowSeekTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0_NS = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * SECOND_NS;
    private static final int SECONDS = 5 * 3600;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeFiveHours()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0_NS))
        {
            for (int s = 0; s < SECONDS; s++)
            {
                final long t = T0_NS + s * SECOND_NS;
                journal.now(t);
                if (s == 7200)
                {
                    journal.interfaceAttached(t, 2, "veth7", "c0ffee");
                }
                if (s % 600 == 599)
                {
                    final long lost = s / 600 + 1; // one more lost delta every ten minutes
                    journal.lossReport(t, lost, lost * 7, lost * 700);
                }
                journal.delta().at(t).packets(1).bytes(100).ipv4(0x0A000001, 0x0A000002).ifindex(s >= 7200 ? 2 : 1)
                    .srcPort(1000 + s % 7).dstPort(80).proto(6).append();
            }
        }
    }

    @Test
    void shouldReadOnlyTheWindowOfALongJournal()
    {
        final long since = T0_NS + (3 * 3600 + 1800) * SECOND_NS; // 03:30:00
        final Window window = new Window(since, since + 60 * SECOND_NS);
        final Set<String> ifaces = new HashSet<>();
        final long[] packets = {0};
        final Replay.Result result = Replay.run(dir, window, (d, iface, container) ->
        {
            ifaces.add(iface + "/" + container);
            packets[0] += d.packets();
        }, () -> false);

        assertEquals(60, packets[0], "exactly the minute's deltas");
        assertEquals(Set.of("veth7/c0ffee"), ifaces, "named from an attach event two hours before the window");
        // The minute, a margin of a few flush intervals before it, and at most one read batch (64) after it.
        assertTrue(result.eventsRead() < 60 + 10 + 64, "events read: " + result.eventsRead() + " of " + SECONDS);
        assertTrue(result.seekProbes() < 100, "seek probes: " + result.seekProbes());
        assertTrue(result.coverage().complete(), "no loss report inside 03:30:00-03:31:00");
    }

    @Test
    void shouldCountLossReportedInsideTheWindowAgainstTheRunsEarlierReport()
    {
        final long since = T0_NS + (3 * 3600 + 1790) * SECOND_NS; // 03:29:50, the report of 03:29:59 inside
        final Replay.Result result = Replay.run(dir, new Window(since, since + 60 * SECOND_NS), (d, i, c) -> { }, () -> false);
        assertEquals(1, result.coverage().ringLostEvents(), "one delta lost since the report of 03:19:59");
        assertEquals(7, result.coverage().ringLostPackets());
    }

    @Test
    void shouldReplayTheWholeJournalWithoutAWindow()
    {
        final long[] deltas = {0};
        final Replay.Result result = Replay.run(dir, Window.ALL, (d, i, c) -> deltas[0]++, () -> false);
        assertEquals(SECONDS, deltas[0]);
        assertEquals(30, result.coverage().ringLostEvents());
    }
}
