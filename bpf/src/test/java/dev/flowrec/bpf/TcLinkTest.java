package dev.flowrec.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attach and detach on a real veth. Two namespaces made by the test, joined by a veth pair, with private
 * addresses only inside them; the recorder side is ns1's end, entered with setns from the test thread.
 */
class TcLinkTest
{
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final int ICMP = 1;
    private static final int PINGS = 5;
    private static final int PING_IP_BYTES = 84; // 20 IP + 8 ICMP + 56 data

    private String ns1;
    private String ns2;
    private String dev1;
    private FlowProgram program;

    @BeforeEach
    void topology()
    {
        final String id = "frt" + ProcessHandle.current().pid() + (char)('a' + SEQUENCE.getAndIncrement() % 26);
        ns1 = id + "1";
        ns2 = id + "2";
        dev1 = id + "x";
        for (final String ns : List.of(ns1, ns2))
        {
            Shell.run("ip", "netns", "add", ns);
            // No IPv6 link-local chatter: the only IP traffic is the test's.
            Shell.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1",
                "net.ipv6.conf.all.disable_ipv6=1");
            Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        Shell.run("ip", "link", "add", dev1, "netns", ns1, "type", "veth", "peer", "name", id + "y", "netns", ns2);
        Shell.run("ip", "-n", ns1, "addr", "add", "10.213.1.1/24", "dev", dev1);
        Shell.run("ip", "-n", ns2, "addr", "add", "10.213.1.2/24", "dev", id + "y");
        Shell.run("ip", "-n", ns1, "link", "set", dev1, "up");
        Shell.run("ip", "-n", ns2, "link", "set", id + "y", "up");
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
            Shell.exec("ip", "netns", "del", ns1);
            Shell.exec("ip", "netns", "del", ns2);
        }
    }

    @Test
    void shouldRecordPingsBothWaysAndDetachOnClose()
    {
        final TcLink link = program.attach(netns(ns1), dev1);
        assertEquals(dev1, link.ifname());
        assertEquals(netns(ns1), link.netnsPath());
        assertFalse(link.workloadView());
        assertTrue(filters("ingress").contains("flowrec_ingress"), () -> filters("ingress"));
        assertTrue(filters("egress").contains("flowrec_egress"), () -> filters("egress"));

        Shell.run("ip", "netns", "exec", ns1, "ping", "-q", "-c", "" + PINGS, "-i", "0.05", "-W", "2", "10.213.1.2");
        assertEquals(new SweepResult(2, false), program.sweep(0, Reasons.FINAL));
        final Events events = Events.drain(program.ringBuffer());

        final Events requests = select(events, link.ifindex(), FlowEventDecoder.DIRECTION_OUT);
        assertEquals(PINGS, requests.packets(), events::toString);
        assertEquals(PINGS * PING_IP_BYTES, requests.bytes());
        assertEquals(8 << 8, requests.list.getFirst().dport(), "echo request: type 8 code 0");
        assertEquals(Frames.ipv4(10, 213, 1, 1), ipv4(requests.list.getFirst().src()));

        final Events replies = select(events, link.ifindex(), FlowEventDecoder.DIRECTION_IN);
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
        try (TcLink link = program.attach(netns(ns1), dev1, workloadView))
        {
            assertEquals(workloadView, link.workloadView());
            final String onIngress = workloadView ? "flowrec_egress" : "flowrec_ingress";
            final String onEgress = workloadView ? "flowrec_ingress" : "flowrec_egress";
            assertTrue(filters("ingress").contains(onIngress), () -> filters("ingress"));
            assertTrue(filters("egress").contains(onEgress), () -> filters("egress"));

            Shell.run("ip", "netns", "exec", ns1, "ping", "-q", "-c", "" + PINGS, "-i", "0.05", "-W", "2", "10.213.1.2");
            program.sweep(0, Reasons.FINAL);
            final Events events = Events.drain(program.ringBuffer());

            final Events requests = selectIcmpType(events, link.ifindex(), 8);
            final Events replies = selectIcmpType(events, link.ifindex(), 0);
            assertEquals(PINGS, requests.packets(), events::toString);
            assertEquals(PINGS, replies.packets(), events::toString);
            assertEquals(PINGS * PING_IP_BYTES, requests.bytes());
            assertEquals(PINGS * PING_IP_BYTES, replies.bytes());
            assertEquals(1, requests.list.stream().map(Events.Event::direction).distinct().count(), events::toString);
            assertEquals(1, replies.list.stream().map(Events.Event::direction).distinct().count(), events::toString);
            return new int[]{ requests.list.getFirst().direction(), replies.list.getFirst().direction() };
        }
    }

    @Test
    void shouldRemoveFiltersLeftByARecorderThatDied()
    {
        final TcLink abandoned = program.attach(netns(ns1), dev1); // never closed: a crash
        assertTrue(filters("ingress").contains("flowrec_ingress"));

        assertEquals(2, Tc.detachStale(netns(ns1), abandoned.ifindex()));

        assertEquals("", filters("ingress"));
        assertEquals("", filters("egress"));
        assertEquals(0, Tc.detachStale(netns(ns1), abandoned.ifindex()));
    }

    @Test
    void shouldReplaceItsOwnStaleFiltersOnAttach()
    {
        program.attach(netns(ns1), dev1); // abandoned
        try (TcLink link = program.attach(netns(ns1), dev1))
        {
            assertEquals(1, count(filters("ingress"), "handle 0xf10c"), () -> filters("ingress"));
            assertEquals(1, count(filters("egress"), "handle 0xf10c"), () -> filters("egress"));
        }
        assertEquals("", filters("ingress"));
    }

    @Test
    void shouldCloseQuietlyWhenTheNamespaceIsGone()
    {
        final TcLink link = program.attach(netns(ns1), dev1);
        Shell.run("ip", "netns", "del", ns1);
        link.close();
    }

    @Test
    void shouldNameAMissingInterface()
    {
        final BpfException e = assertThrows(BpfException.class, () -> program.attach(netns(ns1), "frtnosuch"));
        assertEquals("no such interface: frtnosuch", e.getMessage());
        assertThrows(BpfException.class, () -> NetIf.indexOf("frtnosuch"));
    }

    @Test
    void shouldLeaveTheThreadInItsOwnNamespace()
    {
        final int lo = NetIf.indexOf("lo");
        program.attach(netns(ns1), dev1).close();
        assertThrows(BpfException.class, () -> NetIf.indexOf(dev1), "the veth is visible only inside ns1");
        assertEquals(lo, NetIf.indexOf("lo"));
    }

    private String filters(final String direction)
    {
        return Shell.run("ip", "netns", "exec", ns1, "tc", "filter", "show", "dev", dev1, direction).strip();
    }

    private static String netns(final String name)
    {
        return "/run/netns/" + name;
    }

    private static int count(final String text, final String word)
    {
        return text.split(word, -1).length - 1;
    }

    private static Events select(final Events all, final int ifindex, final int direction)
    {
        final Events selected = new Events();
        for (final Events.Event e : all.list)
        {
            if (e.ifindex() == ifindex && e.direction() == direction && e.family() == 4 && e.proto() == ICMP)
            {
                selected.list.add(e);
            }
        }
        assertTrue(selected.list.size() > 0, all::toString);
        return selected;
    }

    private static Events selectIcmpType(final Events all, final int ifindex, final int type)
    {
        final Events selected = new Events();
        for (final Events.Event e : all.list)
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
