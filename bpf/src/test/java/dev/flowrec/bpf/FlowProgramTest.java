package dev.flowrec.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.flowrec.syscall.NetIf;

/** The real program in the real kernel, driven by BPF_PROG_TEST_RUN on hand-built frames. */
class FlowProgramTest
{
    private static final int N = 1000;
    private static final int SRC = Frames.ipv4(10, 213, 0, 1);
    private static final int DST = Frames.ipv4(10, 213, 0, 2);

    private FlowProgram program;

    @AfterEach
    void close()
    {
        if (program != null)
        {
            program.close();
        }
    }

    @Test
    void shouldEmitFirstDeltaThenFlushTheRestOnSweep()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        final byte[] frame = Frames.ipv4Udp(SRC, DST, 40000, 53, 100);
        final int totLen = Frames.ipv4TotalLength(frame);
        final long before = Clocks.boottimeNs();

        program.testRun(frame, N, false);

        final DrainedEvents first = DrainedEvents.drain(program.ringBuffer());
        assertEquals(1, first.list.size(), first::toString);
        final DrainedEvents.Event e = first.list.getFirst();
        assertEquals(Reasons.FIRST, e.reason());
        assertEquals(1, e.packets());
        assertEquals(totLen, e.bytes());
        assertEquals(NetIf.indexOf("lo"), e.ifindex(), "test runs happen on the namespace's loopback");
        assertEquals(FlowEventDecoder.DIRECTION_IN, e.direction());
        assertEquals(4, e.family());
        assertEquals(Frames.UDP, e.proto());
        assertArrayEquals(HexFormat.of().parseHex("00000000000000000000ffff0ad50001"), e.src());
        assertArrayEquals(HexFormat.of().parseHex("00000000000000000000ffff0ad50002"), e.dst());
        assertEquals(40000, e.sport());
        assertEquals(53, e.dport());
        assertEquals(0, e.tcpFlags());

        assertEquals(new SweepResult(0, false), program.sweep(3_600_000_000_000L, Reasons.IDLE), "nothing is idle");
        assertEquals(new SweepResult(1, false), program.sweep(0, Reasons.FINAL));
        final DrainedEvents rest = DrainedEvents.drain(program.ringBuffer());
        final long after = Clocks.boottimeNs();
        assertEquals(Reasons.FINAL, rest.list.getLast().reason(), rest::toString);
        assertEquals(N, e.packets() + rest.packets());
        assertEquals((long)N * totLen, e.bytes() + rest.bytes());
        for (final DrainedEvents.Event r : rest.list)
        {
            assertTrue(r.reason() == Reasons.INTERVAL || r.reason() == Reasons.FINAL, r::text);
            assertTrue(before <= r.firstNs() && r.firstNs() <= r.lastNs() && r.lastNs() <= after, r::text);
        }
        assertTrue(before <= e.firstNs() && e.lastNs() <= after, e::text);

        final long[] counters = new long[KernelCounters.COUNT];
        program.readCounters(counters);
        assertEquals(N, counters[KernelCounters.PACKETS_SEEN]);
        assertEquals((long)N * totLen, counters[KernelCounters.BYTES_SEEN]);
        assertEquals(0, counters[KernelCounters.RB_LOST_PACKETS]);
        assertEquals(new SweepResult(0, false), program.sweep(0, Reasons.FINAL), "the map is empty now");
    }

    /**
     * A packet counted on another CPU while a sweep runs leaves its flow's last_ns after the clock the sweep read: such a
     * flow is fresh, not idle. Here its last packet is put an hour ahead by hand, which the sweep must leave alone as it
     * does any recent flow (before the fix, the unsigned age wrapped around and the sweep took it as idle).
     */
    @Test
    void shouldNotSweepAFlowSeenAfterTheSweepReadItsClock()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocate(44); // struct fr_flow_key
            key.set(ValueLayout.JAVA_BYTE, 15, (byte)1);
            key.set(ValueLayout.JAVA_BYTE, 41, (byte)4);
            final MemorySegment state = arena.allocate(56); // struct fr_flow_state: ctr, first_ns, last_ns, last_flush_ns, tcp_flags, owner_since_ns, owner_tries
            final long ahead = Clocks.boottimeNs() + 3_600_000_000_000L;
            state.set(ValueLayout.JAVA_LONG, 0, (1L << 40) | 100); // one packet of 100 bytes not yet flushed
            state.set(ValueLayout.JAVA_LONG, 8, ahead);
            state.set(ValueLayout.JAVA_LONG, 16, ahead);
            state.set(ValueLayout.JAVA_LONG, 24, 1);
            assertEquals(0, Libbpf.mapUpdateElem(program.mapFd(FlowProgram.FLOWS_MAP), key, state, 0));
        }
        assertEquals(new SweepResult(0, false), program.sweep(1_000_000_000L, Reasons.IDLE), "a flow seen after the sweep began is not idle");
        assertTrue(DrainedEvents.drain(program.ringBuffer()).list.isEmpty());
        assertEquals(new SweepResult(1, false), program.sweep(0, Reasons.FINAL), "a final sweep takes every flow");
        final DrainedEvents rest = DrainedEvents.drain(program.ringBuffer());
        assertEquals(1, rest.packets(), rest::toString);
    }

    @Test
    void shouldCountTcpEgressWithFlags()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        final int psh = 0x08;
        final int ack = 0x10;
        final byte[] frame = Frames.ipv4Tcp(SRC, DST, 40001, 443, psh | ack, 500);

        final DrainedEvents events = runAndFlush(frame, true);

        assertEquals(N, events.packets());
        assertEquals((long)N * Frames.ipv4TotalLength(frame), events.bytes());
        for (final DrainedEvents.Event e : events.list)
        {
            assertEquals(Frames.TCP, e.proto());
            assertEquals(FlowEventDecoder.DIRECTION_OUT, e.direction());
            assertEquals(40001, e.sport());
            assertEquals(443, e.dport());
            assertEquals(psh | ack, e.tcpFlags());
        }
    }

    /**
     * The README's minimum, CAP_BPF and CAP_NET_ADMIN without CAP_PERFMON: the verifier refuses reading packets in
     * place (a variable offset added to a packet pointer), so the loader has the programs copy every header.
     */
    @Test
    void shouldLoadAndCountWithOnlyBpfAndNetAdmin() throws Exception
    {
        ThreadCapabilities.runWithOnly(() ->
        {
            assertFalse(BpfObject.readsPacketsInPlace());
            program = FlowProgram.load(FlowProgram.Config.defaults().withOwners(false));
        }, ThreadCapabilities.CAP_BPF, ThreadCapabilities.CAP_NET_ADMIN);
        assertTrue(BpfObject.readsPacketsInPlace());

        final DrainedEvents events = runAndFlush(Frames.ipv4Udp(SRC, DST, 5353, 5354, 60), false);

        assertEquals(N, events.packets());
        assertEquals(N * (20L + 8 + 60), events.bytes());
        assertEquals(Frames.UDP, events.list.getFirst().proto());
        assertEquals(5353, events.list.getFirst().sport());
        assertEquals(5354, events.list.getFirst().dport());
    }

    @Test
    void shouldCountIpv6Udp()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        final byte[] src = HexFormat.of().parseHex("fd00000000000000000000000000000a");
        final byte[] dst = HexFormat.of().parseHex("fd00000000000000000000000000000b");
        final DrainedEvents events = runAndFlush(Frames.ipv6Udp(src, dst, 5353, 5354, 60), false);

        assertEquals(N, events.packets());
        assertEquals(N * (40L + 8 + 60), events.bytes());
        final DrainedEvents.Event e = events.list.getFirst();
        assertEquals(6, e.family());
        assertEquals(Frames.UDP, e.proto());
        assertArrayEquals(src, e.src());
        assertArrayEquals(dst, e.dst());
        assertEquals(5353, e.sport());
        assertEquals(5354, e.dport());
    }

    @Test
    void shouldSeeThroughAVlanTag()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        final byte[] untagged = Frames.ipv4Udp(SRC, DST, 40002, 123, 48);
        final DrainedEvents events = runAndFlush(Frames.vlanTagged(untagged, 42), false);

        assertEquals(N, events.packets());
        assertEquals((long)N * Frames.ipv4TotalLength(untagged), events.bytes());
        assertEquals(40002, events.list.getFirst().sport());
        assertEquals(123, events.list.getFirst().dport());
    }

    @Test
    void shouldCountNonFirstFragmentUnderPortsZero()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        final byte[] frame = Frames.ipv4Fragment(SRC, DST, 200);
        final DrainedEvents events = runAndFlush(frame, false);

        assertEquals(N, events.packets());
        assertEquals((long)N * Frames.ipv4TotalLength(frame), events.bytes());
        final DrainedEvents.Event e = events.list.getFirst();
        assertEquals(Frames.UDP, e.proto());
        assertEquals(0, e.sport());
        assertEquals(0, e.dport());
    }

    @Test
    void shouldEmitOneEventPerPacketInPacketMode()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0));
        final byte[] frame = Frames.ipv4Udp(SRC, DST, 40003, 9, 10);

        program.testRun(frame, 10, false);

        final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());
        assertEquals(10, events.list.size());
        for (final DrainedEvents.Event e : events.list)
        {
            assertEquals(Reasons.PACKET, e.reason());
            assertEquals(1, e.packets());
            assertEquals(Frames.ipv4TotalLength(frame), e.bytes());
        }
        assertEquals(new SweepResult(0, false), program.sweep(0, Reasons.FINAL), "packet mode keeps no flows");
    }

    @Test
    void shouldAccountForEveryPacketWhenTheRingOverflows()
    {
        final int page = 4096;
        program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0).withRingBytes(page));
        final int repeat = 100_000;

        program.testRun(Frames.ipv4Udp(SRC, DST, 40004, 9, 10), repeat, false);

        final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());
        final long[] counters = new long[KernelCounters.COUNT];
        program.readCounters(counters);
        assertTrue(events.list.size() > 0 && counters[KernelCounters.RB_LOST_PACKETS] > 0);
        assertEquals(repeat, events.list.size() + counters[KernelCounters.RB_LOST_PACKETS]);
        assertEquals(counters[KernelCounters.RB_LOST_PACKETS], counters[KernelCounters.RB_LOST_EVENTS]);
        assertEquals(repeat, counters[KernelCounters.PACKETS_SEEN]);
    }

    @Test
    void shouldCountNonIpAndMalformedFrames()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        final byte[] arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;
        final byte[] bogus = Frames.ipv4Udp(SRC, DST, 1, 2, 0);
        bogus[14] = 0x44; // IPv4 with a 16-byte header: shorter than the minimum

        program.testRun(arp, 3, false);
        program.testRun(bogus, 2, true);

        final long[] counters = new long[KernelCounters.COUNT];
        program.readCounters(counters);
        assertEquals(3, counters[KernelCounters.NON_IP]);
        assertEquals(2, counters[KernelCounters.MALFORMED]);
        assertEquals(0, counters[KernelCounters.PACKETS_SEEN]);
        assertEquals(0, DrainedEvents.drain(program.ringBuffer()).list.size());
    }

    @Test
    void shouldCloseIdempotentlyAndRefuseUseAfterClose()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        assertTrue(program.mapFd(FlowProgram.EVENTS_MAP) > 0);
        assertTrue(program.programFd(FlowProgram.SWEEP_PROGRAM) > 0);
        assertThrows(BpfException.class, () -> program.mapFd("nope"));
        program.close();
        program.close();
        assertThrows(IllegalStateException.class, () -> program.sweep(0, Reasons.FINAL));
        assertThrows(IllegalStateException.class, () -> program.ringBuffer().read(e -> { }, 1));
    }

    @Test
    void shouldCloseEverythingWhenLoadFailsHalfWay() throws java.io.IOException
    {
        final long fdsBefore = openFds();
        // The kernel refuses a hash map of 2^31 buckets: bpf_object__load fails after open and configure.
        final BpfException e = assertThrows(BpfException.class,
            () -> FlowProgram.load(FlowProgram.Config.defaults().withMaxFlows(Integer.MAX_VALUE)));
        assertTrue(e.getMessage().startsWith("bpf_object__load flowrec.bpf.o: "), e::getMessage);
        assertTrue(e.errno() > 0);
        assertEquals(fdsBefore, openFds(), "no fd left open");
    }

    @Test
    void shouldNameTheCallAndTheErrno()
    {
        assertEquals("bpf_tc_attach egress on veth0 (ifindex 5): Operation not permitted (errno 1)",
            BpfException.errno("bpf_tc_attach egress on veth0 (ifindex 5)", 1).getMessage());
        assertEquals(1, BpfException.errno("x", 1).errno());
        final BpfException e = BpfException.errno("bpf_tc_attach egress on veth0 (ifindex 5)", 1);
        assertEquals("bpf_tc_attach", e.call());
        assertEquals("egress on veth0 (ifindex 5)", e.target());
    }

    @Test
    void shouldRejectBadConfig()
    {
        assertThrows(IllegalArgumentException.class, () -> new FlowProgram.Config(-1, 1, 4096));
        assertThrows(IllegalArgumentException.class, () -> new FlowProgram.Config(0, 0, 4096));
        assertThrows(IllegalArgumentException.class, () -> new FlowProgram.Config(0, 1, 3 * 4096));
        assertThrows(IllegalArgumentException.class, () -> new FlowProgram.Config(0, 1, 2048));
    }

    @Test
    void shouldTakeTheClockOffsetWithinAMillisecondOfTheJvmClock()
    {
        final long offset = Clocks.bootToRealtimeOffsetNs();
        final long wallNs = System.currentTimeMillis() * 1_000_000L;
        assertTrue(Math.abs(Clocks.boottimeNs() + offset - wallNs) < 50_000_000L, "offset " + offset);
        assertTrue(Math.abs(Clocks.realtimeNs() - wallNs) < 50_000_000L);
    }

    private static long openFds() throws java.io.IOException
    {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    private DrainedEvents runAndFlush(final byte[] frame, final boolean egress)
    {
        program.testRun(frame, N, egress);
        final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());
        assertEquals(new SweepResult(1, false), program.sweep(0, Reasons.FINAL));
        events.list.addAll(DrainedEvents.drain(program.ringBuffer()).list);
        assertEquals(Reasons.FIRST, events.list.getFirst().reason(), events::toString);
        return events;
    }
}
