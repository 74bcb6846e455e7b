package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.query.filter.AmbiguousNameException;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names in answers: a container matched by its full id, an unambiguous prefix of it or its name; an ambiguous prefix
 * refused; names the window never saw warned about; and one point of view per interface across runs.
 */
class NamesInAnswersTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_767_225_600L * S; // 2026-01-01T00:00:00Z
    private static final String WEB_ID = "3f2a1b2c3d4e" + "5".repeat(52);
    private static final String DB_ID = "3f2a9f00aa11" + "7".repeat(52);
    private static final int A = 0x0A000001;           // 10.0.0.1
    private static final int WEB = 0xAC110002;         // 172.17.0.2
    private static final int DB = 0xAC110003;          // 172.17.0.3
    private static final int IN = 0;
    private static final int OUT = 1;

    @TempDir
    static Path dir;

    /*
     * Run 1 (0..60 s) records everything: eth0, and the veths of web and db with the containers' directions.
     *   t=10s  A > WEB:80 tcp, into web:  TC egress of vethweb, journaled "in" (the container's view)  100 B
     *   t=20s  A > DB:5432 tcp, into db:  journaled "in"                                             200 B
     * Run 2 (100..160 s) records vethweb alone (--iface vethweb): the interface's view, no container.
     *   t=110s A > WEB:80 tcp, into web:  TC egress of vethweb, journaled "out"                      400 B
     */
    @BeforeAll
    static void journal()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            journal.containerSeen(T0, 5, WEB_ID, WEB_ID.substring(0, 12), "docker", "/system.slice/docker-x.scope",
                "web", "vethweb").interfaceAttached(T0, 5, "vethweb", WEB_ID.substring(0, 12));
            journal.containerSeen(T0, 6, DB_ID, DB_ID.substring(0, 12), "docker", "/system.slice/docker-y.scope",
                "db", "vethdb").interfaceAttached(T0, 6, "vethdb", DB_ID.substring(0, 12));
            delta(journal, 10, 5, WEB, 80, IN, 100);
            delta(journal, 20, 6, DB, 5432, IN, 200);
            journal.now(T0 + 60 * S).recorderStopped(T0 + 60 * S, 9, "stopped");
            journal.now(T0 + 100 * S).recorderStarted(T0 + 100 * S, 2).interfaceAttached(T0 + 100 * S, 5, "vethweb", "");
            delta(journal, 110, 5, WEB, 80, OUT, 400);
            journal.now(T0 + 160 * S).recorderStopped(T0 + 160 * S, 4, "stopped");
        }
    }

    @Test
    void shouldMatchAContainerByItsFullIdAPrefixOrItsName()
    {
        final Window run1 = new Window(T0, T0 + 60 * S);
        for (final String name : List.of(WEB_ID, WEB_ID.substring(0, 12), "3f2a1b", WEB_ID.substring(0, 30), "web"))
        {
            final Answer answer = answer("container " + name, run1);
            assertEquals(List.of("vethweb 100"), ifaceBytes(answer), name);
            assertEquals(List.of(), answer.warnings(), name);
        }
    }

    @Test
    void shouldRefuseAnAmbiguousPrefixNamingTheCandidates()
    {
        final AmbiguousNameException ex = assertThrows(AmbiguousNameException.class,
            () -> answer("container 3f2a", Window.ALL));
        assertTrue(ex.getMessage().contains("'3f2a1b2c3d4e' ('web')") && ex.getMessage().contains("'3f2a9f00aa11' ('db')"),
            ex.getMessage());
    }

    @Test
    void shouldWarnOfNamesTheWindowNeverSawWithTheClosestItDid()
    {
        final Answer answer = answer("container wbe or iface eht0 or iface vethweb", new Window(T0, T0 + 60 * S));
        assertEquals(List.of("vethweb 100"), ifaceBytes(answer), "the answer is what it was");
        assertEquals(2, answer.warnings().size(), answer.warnings().toString());
        assertTrue(answer.warnings().get(0).startsWith("no container 'wbe' in the window (closest: 'web'"),
            answer.warnings().toString());
        assertTrue(answer.warnings().get(1).startsWith("no interface 'eht0' in the window (closest: 'eth0'"),
            answer.warnings().toString());

        final Answer later = answer("container db", new Window(T0 + 100 * S, T0 + 160 * S));
        assertEquals(List.of(), later.rows());
        assertEquals(List.of("no container 'db' in the window (it saw no containers)"), later.warnings(),
            "run 2 attached no container");
    }

    @Test
    void shouldShowAnInterfaceFromOnePointOfViewInEveryRun()
    {
        final Query byDirection = new Query(Window.ALL, FilterParser.parse("iface vethweb"),
            GroupKey.parseList("direction"), 0, Query.By.bytes, 0, Query.NO_INSTANT);
        final List<String> rows = QueryEngine.run(dir, byDirection, () -> false).rows().stream().map(Arrays::toString).toList();
        assertEquals(List.of("[in, 2, 2, 500]"), rows, "both runs' packets into web are 'in', as the container sees them");
    }

    private static Answer answer(final String where, final Window window)
    {
        return QueryEngine.run(dir, new Query(window, FilterParser.parse(where), List.of(), 0, Query.By.bytes, 0,
            Query.NO_INSTANT), () -> false);
    }

    private static List<String> ifaceBytes(final Answer answer)
    {
        return answer.rows().stream().map(r -> r[2] + " " + r[11]).toList();
    }

    private static void delta(final TestJournal journal, final int atS, final int ifindex, final int dst, final int dport,
        final int direction, final long bytes)
    {
        final long t = T0 + atS * S;
        journal.now(t).delta().at(t).packets(1).bytes(bytes).ipv4(A, dst).srcPort(40000).dstPort(dport).proto(6)
            .direction(direction).ifindex(ifindex).append();
    }
}
