package dev.flowrec.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.syscall.SyscallException;

/**
 * Attach and detach on a real veth. Two namespaces made by the test, joined by a veth pair, with private
 * addresses only inside them; the recorder side is ns1's end, entered with setns from the test thread.
 */
class TcLinkTest
{
    private static final int ICMP = 1;
    private static final int PINGS = 5;
    private static final int PING_IP_BYTES = 84; // 20 IP + 8 ICMP + 56 data

    private final NetnsFixture net = new NetnsFixture();
    private String ns1;
    private String dev1;
    private FlowProgram program;

    @BeforeEach
    void topology()
    {
        dev1 = net.id() + "x";
        ns1 = net.ipv4Pair(dev1, "10.213.1.1/24", net.id() + "y", "10.213.1.2/24").a();
        program = FlowProgram.load(FlowProgram.Config.defaults());
    }

    @AfterEach
    void cleanUp()
    {
        Tcx.unsupported(false);
        try
        {
            program.close();
        }
        finally
        {
            net.close();
        }
    }

    @Test
    void shouldAttachWithTcxWhereTheKernelHasIt()
    {
        try (TcLink link = program.attach(NetnsFixture.path(ns1), dev1))
        {
            assertTrue(link.tcx(), link::toString); // kernel 6.6 and later: this machine's
            assertEquals(List.of("flowrec_ingress"), names(TcHooks.tcx(NetnsFixture.path(ns1), dev1, "ingress")));
            assertEquals(List.of("flowrec_egress"), names(TcHooks.tcx(NetnsFixture.path(ns1), dev1, "egress")));
            assertEquals("", net.exec(ns1, "tc", "filter", "show", "dev", dev1, "ingress").strip(), "no clsact filter");
        }
        assertEquals("", filters("ingress") + filters("egress"));
    }

    @Test
    void shouldSwapItsProgramIntoTheLinksADeadRunPinned() throws Exception
    {
        final Path pins = bpffsDir();
        try (FlowProgram first = FlowProgram.load(FlowProgram.Config.defaults(), pins.toString(), Tc.HANDLE, m -> {});
            FlowProgram second = FlowProgram.load(FlowProgram.Config.defaults(), pins.toString(), Tc.HANDLE, m -> {}))
        {
            final TcLink dead = first.attach(NetnsFixture.path(ns1), dev1); // its process "dies": the pins hold the links
            final List<String> before = TcHooks.tcx(NetnsFixture.path(ns1), dev1, "ingress");
            assertEquals(2, linkPins(pins), () -> pins.toString());
            try (TcLink next = second.attach(NetnsFixture.path(ns1), dev1, true))
            {
                assertTrue(next.tcx());
                final List<String> after = TcHooks.tcx(NetnsFixture.path(ns1), dev1, "ingress");
                assertEquals(List.of("flowrec_egress"), names(after), "swapped, in the workload view: " + after);
                assertEquals(List.of("flowrec_ingress"), names(TcHooks.tcx(NetnsFixture.path(ns1), dev1, "egress")));
                assertFalse(after.equals(before), "another program: " + before + " " + after);
                assertEquals(2, linkPins(pins), "the same pins");
            }
            assertEquals("", filters("ingress") + filters("egress"), "close detaches the links, whoever else has an fd");
            assertEquals(0, linkPins(pins), "and unpins them");
            dead.close();
        }
        finally
        {
            PinnedMaps.unpin(pins);
        }
    }

    @Test
    void shouldRemoveLinksADeadRunPinned() throws Exception
    {
        final Path pins = bpffsDir();
        try (FlowProgram dead = FlowProgram.load(FlowProgram.Config.defaults(), pins.toString(), Tc.HANDLE, m -> {}))
        {
            final TcLink abandoned = dead.attach(NetnsFixture.path(ns1), dev1);
            final String path = NetnsFixture.path(ns1);
            assertEquals(2, (int)dev.flowrec.syscall.NetNs.call(path, () -> Tcx.detachStale(pins.toString(), abandoned.ifindex())));
            assertEquals("", filters("ingress") + filters("egress"));
            assertEquals(0, linkPins(pins));
            assertEquals(0, (int)dev.flowrec.syscall.NetNs.call(path, () -> Tcx.detachStale(pins.toString(), abandoned.ifindex())));
            abandoned.close();
        }
        finally
        {
            PinnedMaps.unpin(pins);
        }
    }

    @Test
    void shouldKeepReplacingADeadRunsFiltersUntilACleanStop()
    {
        Tcx.unsupported(true);
        program.attach(NetnsFixture.path(ns1), dev1); // a dead run of a flowrec that attached with clsact
        Tcx.unsupported(false);
        try (TcLink link = program.attach(NetnsFixture.path(ns1), dev1))
        {
            assertFalse(link.tcx(), "a TCX link next to the dead run's filter would count its packets twice");
            assertEquals(1, count(filters("ingress"), "handle 0xf10c"), () -> filters("ingress"));
            assertEquals(List.of(), TcHooks.tcx(NetnsFixture.path(ns1), dev1, "ingress"));
        }
        try (TcLink link = program.attach(NetnsFixture.path(ns1), dev1))
        {
            assertTrue(link.tcx(), "after a clean stop");
        }
    }

    @Test
    void shouldRecordPingsBothWaysAndDetachOnClose()
    {
        final TcLink link = program.attach(NetnsFixture.path(ns1), dev1);
        assertEquals(dev1, link.ifname());
        assertEquals(NetnsFixture.path(ns1), link.netnsPath());
        assertFalse(link.workloadView());
        assertTrue(filters("ingress").contains("flowrec_ingress"), () -> filters("ingress"));
        assertTrue(filters("egress").contains("flowrec_egress"), () -> filters("egress"));

        net.exec(ns1, "ping", "-q", "-c", "" + PINGS, "-i", "0.05", "-W", "2", "10.213.1.2");
        assertEquals(new SweepResult(2, false), program.sweep(0, Reasons.FINAL));
        final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());

        final DrainedEvents requests = select(events, link.ifindex(), FlowEventDecoder.DIRECTION_OUT);
        assertEquals(PINGS, requests.packets(), events::toString);
        assertEquals(PINGS * PING_IP_BYTES, requests.bytes());
        assertEquals(8 << 8, requests.list.getFirst().dport(), "echo request: type 8 code 0");
        assertEquals(Frames.ipv4(10, 213, 1, 1), ipv4(requests.list.getFirst().src()));

        final DrainedEvents replies = select(events, link.ifindex(), FlowEventDecoder.DIRECTION_IN);
        assertEquals(PINGS, replies.packets(), events::toString);
        assertEquals(PINGS * PING_IP_BYTES, replies.bytes());
        assertEquals(0, replies.list.getFirst().dport(), "echo reply: type 0 code 0");
        assertEquals(Frames.ipv4(10, 213, 1, 2), ipv4(replies.list.getFirst().src()));

        link.close();
        link.close();
        assertEquals("", filters("ingress"));
        assertEquals("", filters("egress"));
    }

    @Test
    void shouldSwapDirectionsInTheWorkloadView()
    {
        // ns1's veth end stands for the host side of a container's veth; ns2 is the container.
        final int[] interfaceView = pingDirections(false);
        assertArrayEquals(new int[]{ FlowEventDecoder.DIRECTION_OUT, FlowEventDecoder.DIRECTION_IN },
            interfaceView, "interface view: requests leave the interface, replies arrive");

        final int[] workloadView = pingDirections(true);
        assertArrayEquals(new int[]{ FlowEventDecoder.DIRECTION_IN, FlowEventDecoder.DIRECTION_OUT },
            workloadView, "workload view: requests enter the workload, its replies leave it");
    }

    /** Attaches in the given view, pings ns2 from ns1, detaches; returns the directions of requests and replies. */
    private int[] pingDirections(final boolean workloadView)
    {
        try (TcLink link = program.attach(NetnsFixture.path(ns1), dev1, workloadView))
        {
            assertEquals(workloadView, link.workloadView());
            final String onIngress = workloadView ? "flowrec_egress" : "flowrec_ingress";
            final String onEgress = workloadView ? "flowrec_ingress" : "flowrec_egress";
            assertTrue(filters("ingress").contains(onIngress), () -> filters("ingress"));
            assertTrue(filters("egress").contains(onEgress), () -> filters("egress"));

            net.exec(ns1, "ping", "-q", "-c", "" + PINGS, "-i", "0.05", "-W", "2", "10.213.1.2");
            program.sweep(0, Reasons.FINAL);
            final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());

            final DrainedEvents requests = selectIcmpType(events, link.ifindex(), 8);
            final DrainedEvents replies = selectIcmpType(events, link.ifindex(), 0);
            assertEquals(PINGS, requests.packets(), events::toString);
            assertEquals(PINGS, replies.packets(), events::toString);
            assertEquals(PINGS * PING_IP_BYTES, requests.bytes());
            assertEquals(PINGS * PING_IP_BYTES, replies.bytes());
            assertEquals(1, requests.list.stream().map(DrainedEvents.Event::direction).distinct().count(), events::toString);
            assertEquals(1, replies.list.stream().map(DrainedEvents.Event::direction).distinct().count(), events::toString);
            return new int[]{ requests.list.getFirst().direction(), replies.list.getFirst().direction() };
        }
    }

    @Test
    void shouldRemoveFiltersLeftByARecorderThatDied()
    {
        Tcx.unsupported(true); // clsact, as on a kernel without TCX
        final TcLink abandoned = program.attach(NetnsFixture.path(ns1), dev1); // never closed: a crash
        assertFalse(abandoned.tcx());
        assertTrue(filters("ingress").contains("flowrec_ingress"));

        assertEquals(2, Tc.detachStale(NetnsFixture.path(ns1), abandoned.ifindex()));

        assertEquals("", filters("ingress"));
        assertEquals("", filters("egress"));
        assertEquals(0, Tc.detachStale(NetnsFixture.path(ns1), abandoned.ifindex()));
    }

    @Test
    void shouldReplaceItsOwnStaleFiltersOnAttach()
    {
        Tcx.unsupported(true);
        program.attach(NetnsFixture.path(ns1), dev1); // abandoned
        try (TcLink link = program.attach(NetnsFixture.path(ns1), dev1))
        {
            assertEquals(1, count(filters("ingress"), "handle 0xf10c"), () -> filters("ingress"));
            assertEquals(1, count(filters("egress"), "handle 0xf10c"), () -> filters("egress"));
        }
        assertEquals("", filters("ingress"));
    }

    @Test
    void shouldCloseQuietlyWhenTheNamespaceIsGone()
    {
        final TcLink link = program.attach(NetnsFixture.path(ns1), dev1);
        Shell.run("ip", "netns", "del", ns1);
        link.close();
    }

    @Test
    void shouldNameAMissingInterface()
    {
        // Not a libbpf failure: if_nametoindex's, a SyscallException (BpfException is for libbpf's).
        final SyscallException e = assertThrows(SyscallException.class, () -> program.attach(NetnsFixture.path(ns1), "frtnosuch"));
        assertEquals("no such interface: frtnosuch", e.getMessage());
        assertEquals("if_nametoindex", e.call());
        assertEquals(Libc.ENODEV, e.errno());
        assertThrows(SyscallException.class, () -> NetIf.indexOf("frtnosuch"));
    }

    @Test
    void shouldLeaveTheThreadInItsOwnNamespace()
    {
        final int lo = NetIf.indexOf("lo");
        program.attach(NetnsFixture.path(ns1), dev1).close();
        assertThrows(SyscallException.class, () -> NetIf.indexOf(dev1), "the veth is visible only inside ns1");
        assertEquals(lo, NetIf.indexOf("lo"));
    }

    /** clsact filters and TCX programs of the hook. */
    private String filters(final String direction)
    {
        return TcHooks.show(ns1, dev1, direction).strip();
    }

    private static List<String> names(final List<String> tcx)
    {
        return tcx.stream().map(l -> l.split(" ")[2]).toList();
    }

    private Path bpffsDir() throws Exception
    {
        final Path dir = Path.of("/sys/fs/bpf/frcap-tcx", net.id());
        Files.createDirectories(dir);
        return dir;
    }

    private static long linkPins(final Path dir) throws Exception
    {
        try (var files = Files.list(dir))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("tcx-")).count();
        }
    }

    private static int count(final String text, final String word)
    {
        return text.split(word, -1).length - 1;
    }

    private static DrainedEvents select(final DrainedEvents all, final int ifindex, final int direction)
    {
        final DrainedEvents selected = new DrainedEvents();
        for (final DrainedEvents.Event e : all.list)
        {
            if (e.ifindex() == ifindex && e.direction() == direction && e.family() == 4 && e.proto() == ICMP)
            {
                selected.list.add(e);
            }
        }
        assertTrue(selected.list.size() > 0, all::toString);
        return selected;
    }

    private static DrainedEvents selectIcmpType(final DrainedEvents all, final int ifindex, final int type)
    {
        final DrainedEvents selected = new DrainedEvents();
        for (final DrainedEvents.Event e : all.list)
        {
            if (e.ifindex() == ifindex && e.family() == 4 && e.proto() == ICMP && e.dport() == type << 8)
            {
                selected.list.add(e);
            }
        }
        assertTrue(selected.list.size() > 0, all::toString);
        return selected;
    }

    private static int ipv4(final byte[] mapped)
    {
        return (mapped[12] & 0xFF) << 24 | (mapped[13] & 0xFF) << 16 | (mapped[14] & 0xFF) << 8 | (mapped[15] & 0xFF);
    }
}
