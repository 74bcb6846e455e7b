package dev.flowrec.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        final TcLink abandoned = program.attach(NetnsFixture.path(ns1), dev1); // never closed: a crash
        assertTrue(filters("ingress").contains("flowrec_ingress"));

        assertEquals(2, Tc.detachStale(NetnsFixture.path(ns1), abandoned.ifindex()));

        assertEquals("", filters("ingress"));
        assertEquals("", filters("egress"));
        assertEquals(0, Tc.detachStale(NetnsFixture.path(ns1), abandoned.ifindex()));
    }

    @Test
    void shouldReplaceItsOwnStaleFiltersOnAttach()
    {
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

    private String filters(final String direction)
    {
        return net.exec(ns1, "tc", "filter", "show", "dev", dev1, direction).strip();
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
