package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.query.filter.FilterParser;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flows end after the inactive timeout and at a TCP SYN after FIN/RST, in every answer of the engine (issue 15, 4). */
class FlowCutTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_767_225_600L * S; // 2026-01-01T00:00:00Z
    private static final int A = 0x0A000001;           // 10.0.0.1
    private static final int B = 0x0A000102;           // 10.0.1.2
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;

    @TempDir
    static Path dir;

    /*
     * ping A > B (icmp echo, id in the port): 1 packet a second at 0..3 s, again at 240..243 s (four minutes apart)
     * tcp A:5000 > B:80: S at 10 s, A at 11 s, FA at 12 s, A at 12.5 s (after the FIN, no SYN: the same connection);
     *                    S at 15 s (the tuple reused: a new connection), A at 16 s
     * udp A:6000 > B:53: a delta every second from 100 s to 140 s (one flow across any cut of the window)
     */
    @BeforeAll
    static void journal()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            for (final int at : new int[] {0, 1, 2, 3})
            {
                delta(journal, at * S, 1, 0x0800, 0, 1);
            }
            delta(journal, 10 * S, 6, 5000, 80, SYN);
            delta(journal, 11 * S, 6, 5000, 80, ACK);
            delta(journal, 12 * S, 6, 5000, 80, FIN | ACK);
            delta(journal, 12 * S + S / 2, 6, 5000, 80, ACK);
            delta(journal, 15 * S, 6, 5000, 80, SYN);
            delta(journal, 16 * S, 6, 5000, 80, ACK);
            for (int at = 100; at <= 140; at++)
            {
                delta(journal, at * S, 17, 6000, 53, 0);
            }
            for (final int at : new int[] {240, 241, 242, 243})
            {
                delta(journal, at * S, 1, 0x0800, 0, 1);
            }
        }
    }

    @Test
    void shouldCutAFlowQuietForLongerThanTheInactiveTimeout()
    {
        final List<Object[]> pings = listing(Window.ALL, "icmp", FlowTimeoutsDefault.NS);
        assertEquals(List.of("0-3 4", "240-243 4"), spans(pings), "two ping runs four minutes apart are two flows");
        assertEquals(List.of("[icmp, 2, 8, 800]"), rows(grouped("proto", "icmp", FlowTimeoutsDefault.NS)),
            "flows counts the runs as nfdump does");
        assertEquals(List.of("0-243 8"), spans(listing(Window.ALL, "icmp", 300 * S)), "a timeout over 4 min joins them");
    }

    @Test
    void shouldStartANewFlowAtASynAfterFinOrRst()
    {
        final List<Object[]> tcp = listing(Window.ALL, "tcp", FlowTimeoutsDefault.NS);
        assertEquals(List.of("10-12 4", "15-16 2"), spans(tcp), "the ACK after the FIN stays; the SYN after it starts anew");
        assertEquals(".A..SF", tcp.get(0)[12]);
    }

    @Test
    void shouldCutWindowsThatStartMidFlowAsTheWholeJournalIsCut()
    {
        // The window starts inside the first ping run and inside the udp flow: what it holds of each flow, no more.
        final Window window = new Window(T0 + 2 * S, T0 + 120 * S);
        assertEquals(List.of("2-3 2"), spans(listing(window, "icmp", FlowTimeoutsDefault.NS)));
        assertEquals(List.of("100-119 20"), spans(listing(window, "udp", FlowTimeoutsDefault.NS)));
        assertEquals(List.of("10-12 4", "15-16 2"), spans(listing(window, "tcp", FlowTimeoutsDefault.NS)));
    }

    @Test
    void shouldListOnlyTheLatestFlowOfATupleAsActive()
    {
        // At 20 s the connection reused at 15 s is active; the one that ended with its FIN at 12.5 s is not.
        final Query at = new Query(Window.ALL, FilterParser.parse("tcp"), List.of(), 0, Query.By.bytes, 0, T0 + 20 * S);
        assertEquals(List.of("15-16 2"), spans(QueryEngine.run(dir, at, () -> false).rows()));
        // At 250 s the second ping run is active, with its own packets only.
        final Query ping = new Query(Window.ALL, FilterParser.parse("icmp"), List.of(), 0, Query.By.bytes, 0, T0 + 250 * S);
        assertEquals(List.of("240-243 4"), spans(QueryEngine.run(dir, ping, () -> false).rows()));
    }

    @Test
    void shouldDiffFlowsByTheSameRule()
    {
        // A holds the first ping run and half the udp flow, B the second run and the rest: the pings are two flows
        // (one gone, one new), the udp flow ran on from A into B (changed).
        final Query a = Query.listing(new Window(T0, T0 + 120 * S));
        final Query b = Query.listing(new Window(T0 + 120 * S, T0 + 360 * S));
        final List<String> diff = Diff.run(dir, a, b, 0, () -> false).rows().stream()
            .map(r -> r[0] + " " + r[4] + " " + r[9] + " " + r[10]).toList();
        assertEquals(List.of("new icmp 0 400", "gone icmp 400 0", "gone tcp 400 0", "gone tcp 200 0",
            "changed udp 2000 2100"), diff);
        // Windows far apart: the udp flow was not seen quiet for more than 15 s in them, so it ran on.
        final List<String> far = Diff.run(dir, Query.listing(new Window(T0 + 105 * S, T0 + 110 * S)),
            Query.listing(new Window(T0 + 130 * S, T0 + 135 * S)), 0, () -> false).rows().stream()
            .map(r -> r[0] + " " + r[4]).toList();
        assertEquals(List.of(), far, "five deltas of 100 bytes in each: unchanged");
    }

    @Test
    void shouldFoldContinuingDeltasWithoutAllocating()
    {
        final FlowSums sums = new FlowSums(FilterParser.ALL, 0, FlowTimeoutsDefault.NS);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        final FlowDeltaEncoder encoder = MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), buffer, 0);
        FlowDeltas.addressesV4(encoder, A, B).family(FlowDeltas.FAMILY_IPV4);
        encoder.proto((short)6).dstPort(443).ifindex(1).packets(1).bytes(100).tcpFlags((short)ACK);
        final FlowDeltaDecoder delta = MessageHeader.wrap(new FlowDeltaDecoder(), buffer, 0);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        fold(sums, encoder, delta, 0, 1_000_000); // every flow seen, the table grown, the fold compiled
        threads.getThreadAllocatedBytes(threadId);
        final long before = threads.getThreadAllocatedBytes(threadId);
        fold(sums, encoder, delta, 1_000_000, 2_000_000);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(allocated < 1024, "a million deltas of known flows allocated " + allocated + " bytes");
        assertEquals(1000, sums.rows(false, new Cancellation(() -> false)).size(), "1000 flows, none cut");
    }

    /** Deltas of 1000 flows (ports), one a millisecond: each flow's next delta 1 s after its previous one. */
    private static void fold(final FlowSums sums, final FlowDeltaEncoder encoder, final FlowDeltaDecoder delta,
        final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final long t = T0 + i * 1_000_000L;
            encoder.srcPort(1024 + i % 1000).firstNs(t).lastNs(t);
            sums.onFlow(delta, "eth0", "");
        }
    }

    /** The default timeout, spelled out where a test depends on it. */
    private static final class FlowTimeoutsDefault
    {
        static final long NS = dev.flowrec.journal.schema.FlowTimeouts.DEFAULT_INACTIVE_NS;
    }

    private static List<Object[]> listing(final Window window, final String where, final long inactiveNs)
    {
        return QueryEngine.run(dir, new Query(window, FilterParser.parse(where), List.of(), 0, Query.By.bytes, 0,
            Query.NO_INSTANT, inactiveNs), () -> false).rows();
    }

    private static List<Object[]> grouped(final String keys, final String where, final long inactiveNs)
    {
        return QueryEngine.run(dir, new Query(Window.ALL, FilterParser.parse(where), GroupKey.parseList(keys), 0,
            Query.By.bytes, 0, Query.NO_INSTANT, inactiveNs), () -> false).rows();
    }

    /** "first-last packets", times in whole seconds after T0. */
    private static List<String> spans(final List<Object[]> rows)
    {
        return rows.stream().map(r -> ((Long)r[0] - T0) / S + "-" + ((Long)r[1] - T0) / S + " " + r[10]).toList();
    }

    private static List<String> rows(final List<Object[]> rows)
    {
        return rows.stream().map(Arrays::toString).toList();
    }

    private static void delta(final TestJournal journal, final long atNs, final int proto, final int sport,
        final int dport, final int flags)
    {
        final long t = T0 + atNs;
        journal.now(t).delta().at(t).packets(1).bytes(100).ipv4(A, B).srcPort(sport).dstPort(dport).proto(proto)
            .direction(1).ifindex(1).tcpFlags(flags).append();
    }
}
