package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * The process owning a flow's local socket in answers: the pid and comm columns of a listing, the keys pid and comm,
 * the terms pid and comm, owners per recorder run, the latest owner of a flow key from its time on, and an owner found
 * through the catalog by a query that seeks.
 */
class ProcessAttributionTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_767_225_600L * S; // 2026-01-01T00:00:00Z
    private static final int A = 0x0A000001;           // 10.0.0.1, this host
    private static final int B = 0xC0000250;           // 192.0.2.80
    private static final int C = 0x0A000105;           // 10.0.1.5, forwarded
    private static final int D = 0x08080808;
    private static final int IN = 0;
    private static final int OUT = 1;
    private static final int SENDER = 0;
    private static final int RECEIVER = 1;
    private static final int PID = 13;
    private static final int COMM = 14;

    @TempDir
    static Path dir;

    @TempDir
    static Path longDir;

    /*
     * Run 1 (0..60 s), eth0:
     *   1 s, 2 s  A:40000 > B:443 tcp out, sent by curl (4242)         100 B each
     *   1 s       B:443 > A:40000 tcp in, received by curl (4242)      150 B
     *   3 s       C:5000 > D:53 udp out, forwarded: no owner           200 B
     *   5 s       A:40001 > B:80 tcp out, sent by nginx (77)           300 B
     * Run 2 (100..160 s), eth0:
     *   110 s     A:40000 > B:443 tcp out, no owner event in this run  400 B
     *   120 s     A:40002 > B:443 tcp out, curl (5555)                 500 B
     *   130 s     A:40000 > B:443 tcp out, its entry made again, now by wget (6000)   600 B
     */
    @BeforeAll
    static void journal()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            delta(journal, 1, A, 40000, B, 443, 6, OUT, 100).socketOwner(SENDER, 4242, "curl").append();
            delta(journal, 1, B, 443, A, 40000, 6, IN, 150).socketOwner(RECEIVER, 4242, "curl").append();
            delta(journal, 2, A, 40000, B, 443, 6, OUT, 100).append();
            delta(journal, 3, C, 5000, D, 53, 17, OUT, 200).append();
            delta(journal, 5, A, 40001, B, 80, 6, OUT, 300).socketOwner(SENDER, 77, "nginx").append();
            journal.now(T0 + 60 * S).recorderStopped(T0 + 60 * S, 9, "stopped");
            journal.now(T0 + 100 * S).recorderStarted(T0 + 100 * S, 2).interfaceAttached(T0 + 100 * S, 1, "eth0", "");
            delta(journal, 110, A, 40000, B, 443, 6, OUT, 400).append();
            delta(journal, 120, A, 40002, B, 443, 6, OUT, 500).socketOwner(SENDER, 5555, "curl").appendToBatch();
            journal.commitDeltas();
            delta(journal, 130, A, 40000, B, 443, 6, OUT, 600).socketOwner(SENDER, 6000, "wget").append();
            journal.now(T0 + 160 * S).recorderStopped(T0 + 160 * S, 9, "stopped");
        }
    }

    @Test
    void shouldListTheOwnerOfEachFlowAfterTcpFlags()
    {
        final Answer answer = answer("any", new Window(T0, T0 + 60 * S));
        final List<String> names = answer.columns().stream().map(Column::name).toList();
        assertEquals(List.of("tcp_flags", "pid", "comm"), names.subList(12, 15), "appended after tcp_flags");
        assertEquals(Column.Type.NUMBER, answer.columns().get(PID).type());
        assertEquals(List.of(
            "192.0.2.80:443 > 10.0.0.1:40000 150 4242 curl",
            "10.0.0.1:40000 > 192.0.2.80:443 200 4242 curl",
            "10.0.1.5:5000 > 8.8.8.8:53 200 null ",
            "10.0.0.1:40001 > 192.0.2.80:80 300 77 nginx"), owners(answer.rows()));
        assertNull(answer.rows().get(2)[PID], "no pid for forwarded traffic: printed empty");
        assertEquals("", answer.rows().get(2)[COMM]);
    }

    @Test
    void shouldKeepOwnersPerRunAndTheLatestOwnerOfAKeyFromItsTimeOn()
    {
        assertEquals(List.of(
            "10.0.0.1:40000 > 192.0.2.80:443 400 null ",
            "10.0.0.1:40002 > 192.0.2.80:443 500 5555 curl",
            "10.0.0.1:40000 > 192.0.2.80:443 600 6000 wget"), owners(answer("any", new Window(T0 + 100 * S, T0 + 160 * S)).rows()),
            "run 2 knows nothing of run 1's owners; the entry made again at 130 s is wget's");
    }

    @Test
    void shouldGroupByPidAndComm()
    {
        assertEquals(List.of("[curl, 3, 4, 850]", "[, 2, 2, 600]", "[wget, 1, 1, 600]", "[nginx, 1, 1, 300]"),
            grouped("comm", "any"));
        assertEquals(List.of("[null, 2, 2, 600]", "[6000, 1, 1, 600]", "[5555, 1, 1, 500]", "[4242, 2, 3, 350]",
            "[77, 1, 1, 300]"), grouped("pid", "any"));
        assertEquals(List.of("[4242, curl, 2, 3, 350]", "[77, nginx, 1, 1, 300]"), grouped("pid,comm", "comm nginx or pid 4242"));
    }

    @Test
    void shouldFilterByPidAndComm()
    {
        assertEquals(List.of("[curl, 3, 4, 850]"), grouped("comm", "comm curl"));
        assertEquals(List.of("[4242, 2, 3, 350]"), grouped("pid", "pid 4242"));
        assertEquals(List.of("[null, 2, 2, 600]"), grouped("pid", "pid 0"), "pid 0: the flows with no known process");
        assertEquals(List.of("[wget, 1, 1, 600]", "[nginx, 1, 1, 300]"), grouped("comm", "not comm curl and not pid 0"));
        assertEquals(List.of(), grouped("comm", "comm Curl"), "case-sensitive");
    }

    @Test
    void shouldWarnOfACommandTheWindowNeverSaw()
    {
        final Answer answer = answer("comm crul", Window.ALL);
        assertEquals(List.of(), answer.rows());
        assertEquals(List.of("no command 'crul' in the window (closest: 'curl', 'wget', 'nginx')"), answer.warnings());
        assertEquals(List.of("no command 'wget' in the window (closest: 'curl', 'nginx')"),
            answer("comm wget", new Window(T0, T0 + 60 * S)).warnings(), "wget owned a socket in run 2 only");
    }

    @Test
    void shouldFindAnOwnerJournaledLongBeforeTheWindowThroughTheCatalog()
    {
        final int seconds = 2 * 3600;
        try (TestJournal journal = TestJournal.openOnEth0(longDir, T0))
        {
            delta(journal, 0, A, 40000, B, 443, 6, OUT, 100).socketOwner(SENDER, 31337, "backup").append();
            for (int s = 1; s < seconds; s++)
            {
                delta(journal, s, A, 40000, B, 443, 6, OUT, 100).append();
                delta(journal, s, C, 5000 + s % 7, D, 53, 17, OUT, 100).append();
            }
        }
        final long since = T0 + 5400 * S; // 01:30:00
        final Answer answer = QueryEngine.run(longDir, new Query(new Window(since, since + 60 * S),
            FilterParser.parse("comm backup"), List.of(), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false);
        assertEquals(List.of("10.0.0.1:40000 > 192.0.2.80:443 6000 31337 backup"), owners(answer.rows()));
        assertTrue(answer.scan().eventsRead() < 2 * (60 + 10) + 64,
            "seeked, not scanned: " + answer.scan().eventsRead() + " events read of " + 2 * seconds);
    }

    private static TestJournal.Delta delta(final TestJournal journal, final int atS, final int src, final int sport,
        final int dst, final int dport, final int proto, final int direction, final long bytes)
    {
        final long t = T0 + atS * S;
        return journal.now(t).delta().at(t).packets(1).bytes(bytes).ipv4(src, dst).srcPort(sport).dstPort(dport)
            .proto(proto).direction(direction).ifindex(1);
    }

    private static Answer answer(final String where, final Window window)
    {
        return QueryEngine.run(dir, new Query(window, FilterParser.parse(where), List.of(), 0, Query.By.bytes, 0,
            Query.NO_INSTANT), () -> false);
    }

    private static List<String> grouped(final String keys, final String where)
    {
        return QueryEngine.run(dir, new Query(Window.ALL, FilterParser.parse(where), GroupKey.parseList(keys), 0,
            Query.By.bytes, 0, Query.NO_INSTANT), () -> false).rows().stream().map(Arrays::toString).toList();
    }

    /** "src:port > dst:port bytes pid comm" per row. */
    private static List<String> owners(final List<Object[]> rows)
    {
        return rows.stream().map(r -> r[6] + ":" + r[7] + " > " + r[8] + ":" + r[9] + " " + r[11] + " " + r[PID] + " " +
            r[COMM]).toList();
    }
}
