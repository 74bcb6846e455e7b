package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The names the host's resolver was given, in answers: the src_name and dst_name columns after pid and comm, the keys,
 * the terms with exact names and a wildcard label, an address that changes names, TTL and grace, an answer on the
 * flow's own interface first, names off, an answer found through the catalog by a query that seeks, and a long flow
 * named by its first packet past its name's TTL alike in a listing, a filter and a group-by; the answer to the flow's
 * own end before another client's.
 */
class PeerNamesTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_767_225_600L * S; // 2026-01-01T00:00:00Z
    private static final int HOST = 0x0A000002;        // 10.0.0.2
    private static final int WEB = 0xC0000250;         // 192.0.2.80
    private static final int CDN = 0xC6336401;         // 198.51.100.1
    private static final int OTHER = 0xCB007101;       // 203.0.113.1
    private static final int SRC_NAME = 15;
    private static final int DST_NAME = 16;

    @TempDir
    static Path dir;

    @TempDir
    static Path longDir;

    /*
     * eth0 (ifindex 1), the host's flows:
     *   1 s    answer www.example.org -> WEB (ttl 60); app.example.org -> cdn.example.net -> CDN (ttl 30)
     *   2 s    HOST:40000 > WEB:443 tcp out, WEB:443 > HOST:40000 tcp in
     *   3 s    HOST:40001 > CDN:443 tcp out
     *   4 s    HOST:40002 > OTHER:443 tcp out                 never answered
     *   100 s  answer img.example.org -> WEB (ttl 60): WEB now has another name
     *   101 s  HOST:40003 > WEB:443 tcp out
     *   500 s  HOST:40004 > CDN:443 tcp out                  30 s TTL + 300 s grace ran out at 331 s
     *   600 s  answer on if 2 (a container's) names OTHER container.example.org; on eth0 host.example.org
     *   601 s  HOST:40005 > OTHER:443 tcp out on eth0, and on if 2
     */
    @BeforeAll
    static void journal()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            journal.now(T0 + S).dnsAnswer(T0 + S, 1, "www.example.org", "www.example.org", 60, WEB);
            journal.dnsAnswer(T0 + S, 1, "app.example.org", "cdn.example.net", 30, CDN);
            delta(journal, 2, HOST, 40000, WEB, 443, 1, 100).append();
            delta(journal, 2, WEB, 443, HOST, 40000, 1, 150).direction(0).append();
            delta(journal, 3, HOST, 40001, CDN, 443, 1, 200).append();
            delta(journal, 4, HOST, 40002, OTHER, 443, 1, 300).append();
            journal.now(T0 + 100 * S).dnsAnswer(T0 + 100 * S, 1, "img.example.org", "img.example.org", 60, WEB);
            delta(journal, 101, HOST, 40003, WEB, 443, 1, 400).append();
            delta(journal, 500, HOST, 40004, CDN, 443, 1, 500).append();
            journal.now(T0 + 600 * S).dnsAnswer(T0 + 600 * S, 2, "container.example.org", "container.example.org", 60, OTHER);
            journal.dnsAnswer(T0 + 600 * S, 1, "host.example.org", "host.example.org", 60, OTHER);
            delta(journal, 601, HOST, 40005, OTHER, 443, 1, 600).append();
            delta(journal, 601, HOST, 40005, OTHER, 443, 2, 700).append();
        }
    }

    @Test
    void shouldNameEachFlowsPeersAsResolvedWhenItBegan()
    {
        final Answer answer = answer("any", Window.ALL, true);
        final List<String> columns = answer.columns().stream().map(Column::name).toList();
        assertEquals(List.of("pid", "comm", "src_name", "dst_name"), columns.subList(13, 17), "appended after pid,comm");
        assertEquals(List.of(
            "10.0.0.2:40000 > 192.0.2.80:443 100 [] > [www.example.org]",
            "192.0.2.80:443 > 10.0.0.2:40000 150 [www.example.org] > []",
            "10.0.0.2:40001 > 198.51.100.1:443 200 [] > [app.example.org]",
            "10.0.0.2:40002 > 203.0.113.1:443 300 [] > []",
            "10.0.0.2:40003 > 192.0.2.80:443 400 [] > [img.example.org]",
            "10.0.0.2:40004 > 198.51.100.1:443 500 [] > []",
            "10.0.0.2:40005 > 203.0.113.1:443 600 [] > [host.example.org]",
            "10.0.0.2:40005 > 203.0.113.1:443 700 [] > [container.example.org]"), named(answer.rows()),
            "the question's name, not the CNAME's target; the latest answer; none after TTL and grace; the flow's interface first");
    }

    @Test
    void shouldLeaveNamesEmptyWithNamesOff()
    {
        final Answer answer = answer("any", Window.ALL, false);
        assertTrue(answer.rows().stream().allMatch(r -> "".equals(r[SRC_NAME]) && "".equals(r[DST_NAME])));
    }

    @Test
    void shouldGroupAndFilterByName()
    {
        assertEquals(List.of("[, 3, 3, 950]", "[img.example.org, 1, 1, 400]", "[app.example.org, 1, 1, 200]",
            "[www.example.org, 1, 1, 100]"), grouped("dst_name", "dst name *.example.org and not dst name host.example.org and not dst name container.example.org or not dst name *.example.org"));
        assertEquals(List.of("[www.example.org, 1, 1, 150]"), grouped("src_name", "src name WWW.Example.org."));
        assertEquals(List.of("[www.example.org, , 1, 1, 150]", "[, www.example.org, 1, 1, 100]"),
            grouped("src_name,dst_name", "name www.example.org"));
        assertEquals(List.of(), grouped("dst_name", "dst name *.www.example.org"), "a wildcard matches below it only");
        assertEquals(List.of(), grouped("dst_name", "dst name example.org"));
    }

    @Test
    void shouldFindAnAnswerJournaledLongBeforeTheWindowThroughTheCatalog()
    {
        final int seconds = 2 * 3600;
        try (TestJournal journal = TestJournal.openOnEth0(longDir, T0))
        {
            journal.now(T0).dnsAnswer(T0, 1, "backup.example.org", "backup.example.org", 86400, WEB);
            for (int s = 1; s < seconds; s++)
            {
                delta(journal, s, HOST, 40000 + s % 7, OTHER, 53, 1, 100).proto(17).append();
                if (s == 5410)
                {
                    delta(journal, s, HOST, 50000, WEB, 443, 1, 100).append();
                }
            }
        }
        final long since = T0 + 5400 * S; // 01:30:00
        final Answer answer = QueryEngine.run(longDir, new Query(new Window(since, since + 60 * S),
            FilterParser.parse("dst name backup.example.org"), List.of(), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false);
        assertEquals(List.of("10.0.0.2:50000 > 192.0.2.80:443 100 [] > [backup.example.org]"), named(answer.rows()));
        assertTrue(answer.scan().eventsRead() < 2 * (60 + 10) + 64,
            "seeked, not scanned: " + answer.scan().eventsRead() + " events read of " + seconds);
    }

    @Test
    void shouldNameALongFlowByItsFirstPacketInListingFilterAndGroupAlike(@TempDir final Path flowDir)
    {
        // a flow of 80 deltas, one each 10 s (within the inactive timeout), long past the answer's 60 s TTL + 300 s grace
        try (TestJournal journal = TestJournal.openOnEth0(flowDir, T0))
        {
            journal.now(T0).dnsAnswer(T0, 1, "long.example.org", "long.example.org", 60, WEB);
            for (int s = 1; s <= 800; s += 10)
            {
                delta(journal, s, HOST, 41000, WEB, 443, 1, 10).append();
            }
        }
        final Answer listed = QueryEngine.run(flowDir, new Query(Window.ALL, FilterParser.ALL, List.of(), 0,
            Query.By.bytes, 0, Query.NO_INSTANT), () -> false);
        assertEquals(List.of("10.0.0.2:41000 > 192.0.2.80:443 800 [] > [long.example.org]"), named(listed.rows()));
        final Answer filtered = QueryEngine.run(flowDir, new Query(Window.ALL, FilterParser.parse("dst name long.example.org"),
            List.of(), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false);
        assertEquals(named(listed.rows()), named(filtered.rows()), "every delta of the flow passes its name's filter");
        final Answer grouped = QueryEngine.run(flowDir, new Query(Window.ALL, FilterParser.parse("not dst name long.example.org"),
            GroupKey.parseList("dst_name"), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false);
        assertEquals(List.of(), grouped.rows().stream().map(Arrays::toString).toList(), "no delta of it goes unnamed");
        final Answer byName = QueryEngine.run(flowDir, new Query(Window.ALL, FilterParser.ALL,
            GroupKey.parseList("dst_name"), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false);
        assertEquals(List.of("[long.example.org, 1, 80, 800]"), byName.rows().stream().map(Arrays::toString).toList());
    }

    @Test
    void shouldFilterAFollowedQueryByName()
    {
        try (QueryEngine.Followed followed = QueryEngine.follow(dir, new Query(Window.ALL,
            FilterParser.parse("dst name www.example.org"), List.of(), 0, Query.By.bytes, 0, Query.NO_INSTANT)))
        {
            assertEquals(List.of("10.0.0.2:40000 > 192.0.2.80:443 100 [] > [www.example.org]"),
                named(followed.next(() -> false).rows()));
        }
    }

    @Test
    void shouldPreferTheAnswerToTheFlowsOwnEndOverALaterOneToAnotherClient(@TempDir final Path clientsDir)
    {
        final int first = 0x0A000003;  // 10.0.0.3, a container
        final int second = 0x0A000004; // 10.0.0.4, another: both resolve their own name to one CDN address, seen on eth0
        try (TestJournal journal = TestJournal.openOnEth0(clientsDir, T0))
        {
            journal.now(T0).dnsAnswerTo(first, T0, 1, "shop.example.org", "edge.cdn.example.net", 60, CDN);
            journal.dnsAnswerTo(second, T0 + S, 1, "news.example.org", "edge.cdn.example.net", 60, CDN);
            delta(journal, 2, first, 42000, CDN, 443, 1, 100).append();
            delta(journal, 2, CDN, 443, first, 42000, 1, 150).direction(0).append();
            delta(journal, 3, second, 42001, CDN, 443, 1, 200).append();
            delta(journal, 4, HOST, 42002, CDN, 443, 1, 300).append();
        }
        final Answer answer = QueryEngine.run(clientsDir, new Query(Window.ALL, FilterParser.ALL, List.of(), 0,
            Query.By.bytes, 0, Query.NO_INSTANT), () -> false);
        assertEquals(List.of(
            "10.0.0.3:42000 > 198.51.100.1:443 100 [] > [shop.example.org]",
            "198.51.100.1:443 > 10.0.0.3:42000 150 [shop.example.org] > []",
            "10.0.0.4:42001 > 198.51.100.1:443 200 [] > [news.example.org]",
            "10.0.0.2:42002 > 198.51.100.1:443 300 [] > [news.example.org]"), named(answer.rows()),
            "the answer to the flow's other end first, though a later one to another client exists; else the latest");
    }

    @Test
    void shouldForgetTheAddressAnsweredLeastRecentlyWhenFullAndCountIt()
    {
        final PeerNames names = new PeerNames(2);
        try (TestJournal journal = TestJournal.openOnEth0(longDir.resolve("small"), T0))
        {
            journal.dnsAnswer(T0, 1, "a.org", "a.org", 60, 1).dnsAnswer(T0, 1, "b.org", "b.org", 60, 2)
                .dnsAnswer(T0, 1, "a.org", "a.org", 60, 1).dnsAnswer(T0, 1, "c.org", "c.org", 60, 3);
        }
        Replay.run(longDir.resolve("small"), new FlowFold()
        {
            public void onFlow(final dev.flowrec.journal.schema.FlowDeltaDecoder d, final String i, final String c)
            {
            }
        });
        final dev.flowrec.journal.JournalReader reader = dev.flowrec.journal.JournalReader.open(longDir.resolve("small"));
        try (reader)
        {
            reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == dev.flowrec.journal.schema.DnsAnswerDecoder.TEMPLATE_ID)
                {
                    names.onDnsAnswer(buffer, offset);
                }
            }, 100);
        }
        assertEquals(1, names.evicted(), "b.org, answered before a.org's second answer");
        assertEquals("a.org", names.nameOf(0, 0x0000FFFF00000001L, 1, T0 + S));
        assertEquals("", names.nameOf(0, 0x0000FFFF00000002L, 1, T0 + S));
        assertEquals("c.org", names.nameOf(0, 0x0000FFFF00000003L, 1, T0 + S));
        assertEquals(2, names.size());
    }

    private static TestJournal.Delta delta(final TestJournal journal, final int atS, final int src, final int sport,
        final int dst, final int dport, final int ifindex, final long bytes)
    {
        final long t = T0 + atS * S;
        return journal.now(t).delta().at(t).packets(1).bytes(bytes).ipv4(src, dst).srcPort(sport).dstPort(dport)
            .proto(6).direction(1).ifindex(ifindex);
    }

    private static Answer answer(final String where, final Window window, final boolean names)
    {
        return QueryEngine.run(dir, new Query(window, FilterParser.parse(where), List.of(), 0, Query.By.bytes, 0,
            Query.NO_INSTANT).withNames(names), () -> false);
    }

    private static List<String> grouped(final String keys, final String where)
    {
        return QueryEngine.run(dir, new Query(Window.ALL, FilterParser.parse(where), GroupKey.parseList(keys), 0,
            Query.By.bytes, 0, Query.NO_INSTANT), () -> false).rows().stream().map(Arrays::toString).toList();
    }

    /** "src:port > dst:port bytes [src_name] > [dst_name]" per row. */
    private static List<String> named(final List<Object[]> rows)
    {
        return rows.stream().map(r -> r[6] + ":" + r[7] + " > " + r[8] + ":" + r[9] + " " + r[11] + " [" + r[SRC_NAME] +
            "] > [" + r[DST_NAME] + "]").toList();
    }
}
