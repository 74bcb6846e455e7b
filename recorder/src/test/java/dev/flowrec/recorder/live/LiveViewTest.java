package dev.flowrec.recorder.live;

import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.recorder.live.Snapshot.ContainerTraffic;
import dev.flowrec.recorder.live.Snapshot.InterfaceTraffic;
import dev.flowrec.recorder.live.Snapshot.TopFlow;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_IN;
import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_OUT;
import static dev.flowrec.recorder.live.Events.TCP;
import static dev.flowrec.recorder.live.Events.UDP;
import static dev.flowrec.recorder.live.Events.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveViewTest
{
    private long nowNs = at(100);
    private final LiveView view = new LiveView(1000, () -> nowNs);
    private final Events events = new Events(view);

    @Test
    void shouldFoldDeltasIntoInterfaceTotalsWithInAsRxAndOutAsTx()
    {
        events.attached(2, "eth0", "")
            .v4(2, DIRECTION_IN, TCP, 1, 40000, 2, 443, 99.5, 3, 180)
            .v4(2, DIRECTION_IN, TCP, 1, 40000, 2, 443, 99.7, 2, 120)
            .v4(2, DIRECTION_OUT, TCP, 2, 443, 1, 40000, 99.6, 4, 4000);
        view.publish();

        final InterfaceTraffic eth0 = view.snapshot().interfaces().getFirst();
        assertEquals(2, eth0.ifindex());
        assertEquals("eth0", eth0.name());
        assertEquals("", eth0.container());
        assertEquals(300, eth0.rx().bytes());
        assertEquals(5, eth0.rx().packets());
        assertEquals(4000, eth0.tx().bytes());
        assertEquals(4, eth0.tx().packets());
        assertEquals(2, view.snapshot().activeFlows());
        assertEquals(4, view.snapshot().eventsTotal());
        assertEquals(List.of(), view.snapshot().containers(), "a host interface is no container");
    }

    @Test
    void shouldRateOverTheLastCompleteSecondsOfEventTime()
    {
        events.attached(2, "eth0", "")
            .v4(2, DIRECTION_IN, UDP, 1, 5000, 2, 53, 99.9, 10, 1000)  // last second
            .v4(2, DIRECTION_IN, UDP, 1, 5000, 2, 53, 95.0, 20, 2000)  // within 10 s
            .v4(2, DIRECTION_IN, UDP, 1, 5000, 2, 53, 50.0, 60, 6000)  // within 60 s
            .v4(2, DIRECTION_IN, UDP, 1, 5000, 2, 53, 30.0, 70, 7000)  // older than 60 s: totals only
            .v4(2, DIRECTION_IN, UDP, 1, 5000, 2, 53, 100.2, 5, 500); // the second in progress: not yet
        view.publish();

        final Snapshot.Traffic rx = view.snapshot().interfaces().getFirst().rx();
        assertEquals(16500, rx.bytes());
        assertEquals(1000 * 8.0, rx.bps1s());
        assertEquals(3000 * 8.0 / 10, rx.bps10s());
        assertEquals(9000 * 8.0 / 60, rx.bps60s());
        assertEquals(10.0, rx.pps1s());
        assertEquals(3.0, rx.pps10s());
        assertEquals(1.5, rx.pps60s());

        nowNs = at(101); // the second that was in progress is complete now
        view.publish();
        assertEquals(500 * 8.0, view.snapshot().interfaces().getFirst().rx().bps1s());
        nowNs = at(200); // quiet: rates decay to zero, totals stay
        view.publish();
        assertEquals(0.0, view.snapshot().interfaces().getFirst().rx().bps60s());
        assertEquals(16500, view.snapshot().interfaces().getFirst().rx().bytes());
    }

    @Test
    void shouldSumEachContainerOverItsInterfaces()
    {
        events.attached(2, "eth0", "")
            .attached(10, "veth-web0", "web")
            .attached(11, "veth-web1", "web")
            .attached(12, "veth-db", "db")
            .v4(2, DIRECTION_IN, TCP, 1, 1, 2, 2, 99.5, 1, 100)
            .v4(10, DIRECTION_IN, TCP, 1, 1, 2, 2, 99.5, 2, 200)
            .v4(11, DIRECTION_IN, TCP, 1, 1, 2, 2, 99.5, 3, 300)
            .v4(11, DIRECTION_OUT, TCP, 2, 2, 1, 1, 99.5, 4, 400)
            .v4(12, DIRECTION_OUT, TCP, 2, 2, 1, 1, 99.5, 5, 500);
        view.publish();

        final List<ContainerTraffic> containers = view.snapshot().containers();
        assertEquals(List.of("db", "web"), containers.stream().map(ContainerTraffic::container).toList());
        final ContainerTraffic web = containers.get(1);
        assertEquals(List.of("veth-web0", "veth-web1"), web.interfaces());
        assertEquals(500, web.rx().bytes());
        assertEquals(5, web.rx().packets());
        assertEquals(400, web.tx().bytes());
        assertEquals(500 * 8.0, web.rx().bps1s());
        assertEquals(500, containers.getFirst().tx().bytes());
        assertEquals(0, containers.getFirst().rx().bytes());
    }

    @Test
    void shouldRankTopFlowsByBytesOfTheLastTenSeconds()
    {
        events.attached(2, "eth0", "")
            .v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 50.0, 100, 1_000_000) // big but 50 s ago
            .v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 99.0, 1, 100)
            .v4(2, DIRECTION_OUT, TCP, 1, 1002, 2, 443, 95.0, 3, 3000)
            .v4(2, DIRECTION_OUT, TCP, 1, 1002, 2, 443, 96.0, 3, 3000)
            .v4(2, DIRECTION_IN, UDP, 3, 53, 1, 1003, 98.0, 2, 2000)
            .v6(2, DIRECTION_IN, TCP, 0x10, 443, 0x20, 50000, 97.0, 5, 5000);
        view.publish();

        final List<TopFlow> top = view.snapshot().topFlows();
        assertEquals(List.of(6000L, 5000L, 2000L, 100L), top.stream().map(TopFlow::bytes10s).toList());
        final TopFlow first = top.getFirst();
        assertEquals("10.0.0.1", first.srcAddr());
        assertEquals(1002, first.srcPort());
        assertEquals("10.0.0.2", first.dstAddr());
        assertEquals(6, first.packets10s());
        assertEquals(6000 * 8 / 10.0, first.bps10s());
        assertEquals("eth0", first.iface());
        final TopFlow v6 = top.get(1);
        assertEquals("2001:db8::10", v6.srcAddr());
        assertEquals("2001:db8::20", v6.dstAddr());
        assertEquals(DIRECTION_IN, v6.direction());
        assertEquals(TCP, v6.proto());
        assertEquals(4, view.snapshot().activeFlows());
    }

    @Test
    void shouldRankOnlyTheLatestFlowOfATupleReusedAfterFin()
    {
        // One connection sends 9000 bytes and ends with a FIN; the same 5-tuple connects again (a SYN) with 30 bytes:
        // the top flow is the new connection, as the readers cut it (issue 15, item 4), not the two summed.
        events.attached(2, "eth0", "")
            .tcpFlags(0x02).v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 93.0, 1, 60)
            .tcpFlags(0x10).v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 94.0, 6, 9000)
            .tcpFlags(0x11).v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 95.0, 1, 52)
            .tcpFlags(0x10).v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 95.5, 1, 52)
            .tcpFlags(0x02).v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 97.0, 1, 60)
            .tcpFlags(0x10).v4(2, DIRECTION_OUT, TCP, 1, 1001, 2, 443, 98.0, 1, 40);
        view.publish();
        assertEquals(List.of(100L), view.snapshot().topFlows().stream().map(TopFlow::bytes10s).toList(),
            "the ACK after the FIN stays with the first connection; the SYN starts the second");
        assertEquals(2, view.snapshot().topFlows().getFirst().packets10s());
    }

    @Test
    void shouldKeepEachInterfacesBusiestFlowsSoThatFilteredTopIsExact()
    {
        final LiveView big = new LiveView(LiveView.DEFAULT_MAX_FLOWS, () -> nowNs);
        final Events events = new Events(big).attached(2, "eth0", "").attached(3, "eth1", "");
        for (int i = 0; i < LiveView.MAX_TOP_FLOWS + 100; i++)
        {
            events.v4(2, DIRECTION_OUT, UDP, 1, i, 2, 9, 99.0, 1, 10_000 + i); // busy interface
        }
        events.v4(3, DIRECTION_OUT, UDP, 1, 7, 2, 9, 99.0, 1, 60); // one small flow on a quiet one
        big.publish();

        final List<TopFlow> top = big.snapshot().topFlows();
        assertEquals(LiveView.MAX_TOP_FLOWS + 1, top.size());
        assertEquals(10_000 + LiveView.MAX_TOP_FLOWS + 99, top.getFirst().bytes10s());
        assertEquals(10_100, top.get(LiveView.MAX_TOP_FLOWS - 1).bytes10s(), "the smallest 100 of eth0 cut");
        assertEquals("eth1", top.getLast().iface());
    }

    @Test
    void shouldEvictTheLeastRecentlyUpdatedFlowWhenTheTableIsFull()
    {
        final LiveView small = new LiveView(3, () -> nowNs);
        new Events(small).attached(2, "eth0", "")
            .v4(2, DIRECTION_OUT, UDP, 1, 1, 2, 9, 99.0, 1, 100)
            .v4(2, DIRECTION_OUT, UDP, 1, 2, 2, 9, 99.0, 1, 200)
            .v4(2, DIRECTION_OUT, UDP, 1, 3, 2, 9, 99.0, 1, 300)
            .v4(2, DIRECTION_OUT, UDP, 1, 1, 2, 9, 99.1, 1, 100)  // port 1 updated: port 2 is now oldest
            .v4(2, DIRECTION_OUT, UDP, 1, 4, 2, 9, 99.2, 1, 400); // full: port 2 goes
        small.publish();

        final Snapshot s = small.snapshot();
        assertEquals(1, s.flowsEvicted());
        assertEquals(3, s.activeFlows());
        assertEquals(List.of(4, 3, 1), s.topFlows().stream().map(TopFlow::srcPort).toList());
        assertEquals(1100, s.interfaces().getFirst().tx().bytes(), "interface totals lose nothing");
    }

    /** An evicted or expired flow's object is reused for a new flow: nothing of the old one may show. */
    @Test
    void shouldStartARecycledFlowFromNothing()
    {
        final LiveView small = new LiveView(1, () -> nowNs);
        new Events(small).attached(2, "eth0", "").attached(3, "eth1", "")
            .owner(2, DIRECTION_OUT, TCP, 1, 1, 2, 9, 77, "old")
            .tcpFlags(0x02).v4(2, DIRECTION_OUT, TCP, 1, 1, 2, 9, 99.0, 5, 5000)
            .tcpFlags(0x10).v4(3, DIRECTION_IN, UDP, 1, 2, 2, 9, 99.5, 1, 100); // full: the TCP flow is evicted
        small.publish(at(100));

        final TopFlow flow = small.snapshot().topFlows().getFirst();
        assertEquals(1, small.snapshot().topFlows().size());
        assertEquals("eth1 in udp :2 100 B 1 pkt flags 16 pid 0 comm ''",
            flow.iface() + (flow.direction() == DIRECTION_IN ? " in " : " out ") + (flow.proto() == UDP ? "udp" : "tcp") +
                " :" + flow.srcPort() + " " + flow.bytes10s() + " B " + flow.packets10s() + " pkt flags " +
                flow.tcpFlags() + " pid " + flow.pid() + " comm '" + flow.comm() + "'");
    }

    @Test
    void shouldExpireFlowsQuietForSixtySeconds()
    {
        events.attached(2, "eth0", "")
            .v4(2, DIRECTION_OUT, UDP, 1, 1, 2, 9, 30.0, 1, 100)
            .v4(2, DIRECTION_OUT, UDP, 1, 2, 2, 9, 45.0, 1, 100);
        view.publish(at(89));
        assertEquals(2, view.snapshot().activeFlows());
        view.publish(at(100));
        assertEquals(1, view.snapshot().activeFlows());
        assertEquals(1, view.snapshot().flowsExpired());
        assertEquals(0, view.snapshot().flowsEvicted());
    }

    @Test
    void shouldHideDetachedInterfacesAndForgetThemWhenQuiet()
    {
        events.attached(2, "eth0", "").attached(10, "veth-web", "web")
            .v4(10, DIRECTION_IN, TCP, 1, 1, 2, 2, 99.0, 1, 100)
            .detached(10, "veth-web", 99.2)
            .v4(10, DIRECTION_IN, TCP, 1, 1, 2, 2, 99.1, 1, 50); // flushed after the detach: still its own
        view.publish();

        Snapshot s = view.snapshot();
        assertEquals(List.of("eth0"), s.interfaces().stream().map(InterfaceTraffic::name).toList());
        assertEquals(List.of(), s.containers());
        assertEquals(List.of(), s.topFlows());
        assertEquals(0, s.activeFlows());

        // the ifindex comes back as another interface before the old one is forgotten: counts start over
        events.attached(10, "veth-db", "db").v4(10, DIRECTION_IN, TCP, 1, 1, 2, 2, 99.5, 1, 7);
        view.publish();
        s = view.snapshot();
        final InterfaceTraffic db = s.interfaces().get(1);
        assertEquals("veth-db", db.name());
        assertEquals(7, db.rx().bytes());
        assertEquals(7, s.topFlows().getFirst().bytes10s());
        assertEquals("db", s.topFlows().getFirst().container());
    }

    @Test
    void shouldNameAnInterfaceSeenBeforeItsAttachEventAndKeepItsCounts()
    {
        events.v4(7, DIRECTION_IN, TCP, 1, 1, 2, 2, 99.0, 1, 100);
        view.publish();
        assertEquals("if7", view.snapshot().interfaces().getFirst().name());

        events.attached(7, "veth9", "web");
        view.publish();
        final InterfaceTraffic veth = view.snapshot().interfaces().getFirst();
        assertEquals("veth9", veth.name());
        assertEquals("web", veth.container());
        assertEquals(100, veth.rx().bytes());
    }

    @Test
    void shouldShowTheLatestLossReportOfThisRun()
    {
        events.started().loss(1, 2, 3, 4, 5, 6).loss(10, 20, 30, 40, 50, 60);
        view.publish();
        final Snapshot.Loss loss = view.snapshot().loss();
        assertEquals(10, loss.ringLostEvents());
        assertEquals(20, loss.ringLostPackets());
        assertEquals(30, loss.ringLostBytes());
        assertEquals(40, loss.mapFull());
        assertEquals(50, loss.nonIp());
        assertEquals(60, loss.malformed());

        events.started();
        view.publish();
        assertEquals(Snapshot.Loss.NONE, view.snapshot().loss(), "a new run starts its counters at zero");
    }

    @Test
    void shouldCountEventsAndEventsPerSecondBetweenPublishes()
    {
        events.attached(2, "eth0", "");
        view.publish(at(100));
        assertEquals(0.0, view.snapshot().eventsPerSecond(), "no rate before a second snapshot");
        for (int i = 0; i < 30; i++)
        {
            events.v4(2, DIRECTION_IN, UDP, 1, i, 2, 9, 100.5, 1, 60);
        }
        view.publish(at(102));
        assertEquals(31, view.eventsTotal());
        assertEquals(31, view.snapshot().eventsTotal());
        assertEquals(15.0, view.snapshot().eventsPerSecond());
    }

    @Test
    void shouldPublishJournalSizeFromTheGivenSupplier()
    {
        view.publish();
        assertEquals(-1, view.snapshot().journalBytes(), "unknown until the recorder says");
        view.journalBytes(() -> 12345);
        view.publish();
        assertEquals(12345, view.snapshot().journalBytes());
    }

    @Test
    void shouldStartWithAnEmptySnapshotOfTimeZero()
    {
        assertEquals(0, view.snapshot().timeNs());
        assertTrue(view.snapshot().interfaces().isEmpty());
    }
}
