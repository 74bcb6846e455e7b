package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's folds on a small journal whose every answer is worked out by hand below. */
class QueryEngineTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_767_225_600L * S; // 2026-01-01T00:00:00Z
    private static final int A = 0x0A000001;           // 10.0.0.1
    private static final int B = 0x0A000102;           // 10.0.1.2
    private static final int C = 0xC0A80007;           // 192.168.0.7
    /** Longer than the fixture's quiet 70 s, so that its deltas at 0 and 70 s are one flow (15 s would cut them). */
    private static final long LONG_INACTIVE_NS = 300 * S;

    @TempDir
    static Path dir;

    /*
     * t=0s   A:1000 > C:443 tcp out  10 pkts 1000 B       t=0s   C:443 > A:1000 tcp in  20 pkts 8000 B
     * t=30s  B:2000 > C:53  udp out   1 pkt    60 B
     * t=70s  A:1000 > C:443 tcp out   5 pkts  500 B       (same flow as t=0 with a timeout over 70 s, second minute)
     * t=100s B:2000 > C:53  udp out   3 pkts  180 B
     */
    @BeforeAll
    static void journal()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            delta(journal, 0, A, 1000, C, 443, 6, 1, 10, 1000);
            delta(journal, 0, C, 443, A, 1000, 6, 0, 20, 8000);
            delta(journal, 30, B, 2000, C, 53, 17, 1, 1, 60);
            delta(journal, 70, A, 1000, C, 443, 6, 1, 5, 500);
            delta(journal, 100, B, 2000, C, 53, 17, 1, 3, 180);
        }
    }

    @Test
    void shouldGroupByConversationAndNetworks()
    {
        assertEquals(List.of(
                "[tcp 10.0.0.1:1000 <-> 192.168.0.7:443, 2, 35, 9500]",
                "[udp 10.0.1.2:2000 <-> 192.168.0.7:53, 1, 4, 240]"),
            rows(grouped("conversation", 0, 0)));
        assertEquals(List.of("[192.168.0.0/16, 1, 20, 8000]", "[10.0.0.0/16, 2, 19, 1740]"), rows(grouped("src_net/16", 0, 0)),
            "largest bytes first");
    }

    @Test
    void shouldLabelAnIcmpConversationByItsHostsWithoutTypeOrCodeOnAPort(@TempDir final Path icmp)
    {
        try (TestJournal journal = TestJournal.openOnEth0(icmp, T0))
        {
            // echo request (type 8, code 0 in the destination port) out, echo reply (type 0) in, and an ICMPv6 pair
            journal.now(T0).delta().at(T0).packets(3).bytes(252).ipv4(A, C).srcPort(0).dstPort(8 << 8).proto(1)
                .direction(1).ifindex(1).append();
            journal.now(T0).delta().at(T0).packets(3).bytes(252).ipv4(C, A).srcPort(0).dstPort(0).proto(1)
                .direction(0).ifindex(1).append();
        }
        final List<Object[]> rows = QueryEngine.run(icmp, new Query(Window.ALL, FilterParser.ALL,
            GroupKey.parseList("conversation"), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false).rows();
        assertEquals(List.of("[icmp 10.0.0.1 <-> 192.168.0.7, 2, 6, 504]"), rows(rows), "request and reply: one conversation");
    }

    @Test
    void shouldNameAnInterfaceTheJournalNeverNamedByItsIndex(@TempDir final Path unnamed)
    {
        try (TestJournal journal = TestJournal.openOnEth0(unnamed, T0))
        {
            for (int i = 0; i < 3; i++) // ifindex 7 and 9 were never attached: each delta is named from its index
            {
                journal.now(T0).delta().at(T0).packets(1).bytes(100).ipv4(A, C).srcPort(1000 + i).dstPort(443).proto(6)
                    .direction(1).ifindex(7).append();
            }
            journal.now(T0).delta().at(T0).packets(2).bytes(50).ipv4(B, C).srcPort(2000).dstPort(53).proto(17)
                .direction(1).ifindex(9).append();
            journal.now(T0).delta().at(T0).packets(4).bytes(40).ipv4(B, C).srcPort(2001).dstPort(53).proto(17)
                .direction(1).ifindex(1).append();
        }
        final List<Object[]> rows = QueryEngine.run(unnamed, new Query(Window.ALL, FilterParser.ALL,
            GroupKey.parseList("iface"), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false).rows();
        assertEquals(List.of("[if7, 3, 3, 300]", "[if9, 1, 2, 50]", "[eth0, 1, 4, 40]"), rows(rows));
    }

    @Test
    void shouldKeepTheTopNPerTimeBucket()
    {
        assertEquals(List.of(
                T0 + ", tcp, 2, 30, 9000",
                (T0 + 60 * S) + ", tcp, 1, 5, 500"),
            rows(grouped("proto", 1, 60 * S)).stream().map(r -> r.substring(1, r.length() - 1)).toList());
    }

    @Test
    void shouldListTheFlowsActiveAtAnInstant()
    {
        final Query at = new Query(Window.ALL, FilterParser.ALL, List.of(), 0, Query.By.bytes, 0, T0 + 80 * S);
        // At 80 s only the TCP flow out had a packet in the 15 s before (at 70 s); the others' last ones are older.
        final List<Object[]> rows = QueryEngine.run(dir, at, () -> false).rows();
        assertEquals(1, rows.size(), "only the flow with a packet in the 15 s before: " + rows(rows));
        assertEquals("10.0.0.1", rows.get(0)[6]);
        // 70 s quiet after t=0 ended that flow (15 s inactive timeout): the one active at 80 s began at 70 s.
        assertEquals(5L, rows.get(0)[10], "its packets up to the instant, since the inactive timeout cut it");
        assertEquals(T0 + 70 * S, rows.get(0)[0], "the active flow's first packet");
    }

    @Test
    void shouldDiffTwoWindows()
    {
        final Query first = listing(new Window(T0, T0 + 60 * S));
        final Query second = listing(new Window(T0 + 60 * S, T0 + 120 * S));
        final List<String> diff = Diff.run(dir, first, second, 0, () -> false).rows().stream()
            .map(r -> r[0] + " " + r[5] + ">" + r[7] + " " + r[9] + " " + r[10] + " " + r[11]).toList();
        assertEquals(List.of(
                "gone 192.168.0.7>10.0.0.1 8000 0 -8000",
                "changed 10.0.0.1>192.168.0.7 1000 500 -500",
                "changed 10.0.1.2>192.168.0.7 60 180 120"),
            diff);
    }

    @Test
    void shouldDiffPacketsAfterTheExistingColumnsAndBytesAsBytes()
    {
        final Answer diff = Diff.run(dir, listing(new Window(T0, T0 + 60 * S)), listing(new Window(T0 + 60 * S, T0 + 120 * S)),
            0, () -> false);
        final List<String> names = diff.columns().stream().map(Column::name).toList();
        assertEquals(List.of("change", "iface", "container", "direction", "proto", "src_addr", "src_port", "dst_addr",
            "dst_port", "bytes_a", "bytes_b", "bytes_change", "packets_a", "packets_b", "packets_change"), names);
        assertEquals(Column.Type.BYTES, diff.columns().get(11).type(), "a change of bytes prints as bytes do");
        for (final Object[] r : diff.rows())
        {
            assertEquals((Long)r[13] - (Long)r[12], r[14], "packets_change = packets_b - packets_a");
        }
    }

    @Test
    void shouldListNothingWhenBothWindowsAreTheSame()
    {
        final Query window = listing(new Window(T0, T0 + 120 * S));
        assertEquals(List.of(), rows(Diff.run(dir, window, window, 0, () -> false).rows()), "unchanged rows are not listed");
    }

    @Test
    void shouldFilterOnTotalsAfterSummingEachFlow()
    {
        final Query big = new Query(Window.ALL, FilterParser.parse("bytes > 1400 and direction out"), List.of(), 0, Query.By.bytes, 0,
            Query.NO_INSTANT, LONG_INACTIVE_NS);
        final List<Object[]> rows = QueryEngine.run(dir, big, () -> false).rows();
        assertEquals(1, rows.size(), rows(rows).toString());
        assertEquals(1500L, rows.get(0)[11], "two deltas of 1000 and 500: only their sum passes");
    }

    private static Query listing(final Window window)
    {
        return Query.listing(window).withInactiveNs(LONG_INACTIVE_NS);
    }

    private static List<Object[]> grouped(final String keys, final int top, final long intervalNs)
    {
        return QueryEngine.run(dir, new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList(keys), top, Query.By.bytes,
            intervalNs, Query.NO_INSTANT, LONG_INACTIVE_NS), () -> false).rows();
    }

    private static List<String> rows(final List<Object[]> rows)
    {
        return rows.stream().map(Arrays::toString).toList();
    }

    private static void delta(final TestJournal journal, final int atS, final int src, final int sport, final int dst,
        final int dport, final int proto, final int direction, final long packets, final long bytes)
    {
        final long t = T0 + atS * S;
        journal.now(t).delta().at(t).packets(packets).bytes(bytes).ipv4(src, dst)
            .srcPort(sport).dstPort(dport).proto(proto).direction(direction).ifindex(1).append();
    }
}
