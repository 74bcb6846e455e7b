package dev.flowrec.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile frames (bpf/HOSTILE.md has the table of cases and decisions). Each crafted frame is replayed
 * {@link #COUNT} times byte for byte onto a veth (bpf/src/test/resources/dev/flowrec/bpf/send_frames.py, an
 * AF_PACKET socket), through a bridge, to a capture:
 *
 * <pre>
 *   ns A: a ──veth── b1 ┐ ns B: bridge  ┌ b2 ──veth── c :ns C (tcpdump)
 *                 ingress program (1)   egress program (2)
 * </pre>
 *
 * One FlowProgram's ingress hook on b1 and another's egress hook on b2 each see every frame; the capture in C is
 * taken after both, so a frame that arrives there byte-identical passed both hooks unchanged. Each hook is there twice,
 * once per {@link Reading} (two filters of different handles on the same hook: both run, as they return
 * TC_ACT_UNSPEC), and both pairs are held to the same documented counts, so the copying path a recorder without
 * CAP_PERFMON takes is tested with every frame the in-place path is, as root. After the frames
 * a marker frame (a non-IP ethertype, counted NON_IP) is sent: once it is captured, every frame before it has
 * been through both hooks. Per case: the counters moved exactly as documented, the flow (if any) has exactly
 * the documented key, packets and bytes, and the frames arrived unchanged. Private addresses only
 * (10.213.40.0/24, fd00:213:40::/64), inside namespaces made here; MTU 9000 end to end for the jumbo cases.
 * <p>
 * A fuzz case runs 2 x 10k random mutations through BPF_PROG_TEST_RUN: every frame moves exactly one of
 * PACKETS_SEEN, NON_IP, MALFORMED, TOO_DEEP, and the program returns TC_ACT_UNSPEC for each; both readings count
 * each frame in the same counter with the same bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostilePacketsTest
{
    static final int COUNT = 7;
    private static final int MTU = 9000;
    private static final int MARKER_TYPE = 0x88B5; // IEEE local experimental ethertype: NON_IP
    private static final int[] CLASSES =
        { KernelCounters.PACKETS_SEEN, KernelCounters.NON_IP, KernelCounters.MALFORMED, KernelCounters.TOO_DEEP };
    private static final AtomicInteger MARKERS = new AtomicInteger();

    /** How the TC programs read headers (cfg_in_place): each hostile frame must count the same either way. */
    enum Reading
    {
        /** Direct packet access where the linear head holds the header: a loader with CAP_PERFMON or root. */
        IN_PLACE(true, Tc.HANDLE),
        /** Every header copied with bpf_skb_load_bytes: a loader with only CAP_BPF and CAP_NET_ADMIN. */
        COPY(false, Tc.HANDLE + 1);

        final boolean inPlace;
        final int tcHandle;

        Reading(final boolean inPlace, final int tcHandle)
        {
            this.inPlace = inPlace;
            this.tcHandle = tcHandle;
        }

        FlowProgram load()
        {
            return FlowProgram.load(FlowProgram.Config.defaults(), null, tcHandle, inPlace, messages -> { });
        }
    }

    /** One reading's programs and their filters: ingress on b1, egress on b2. */
    private record Hooks(Reading reading, FlowProgram ingress, FlowProgram egress, TcLink ingressLink,
        TcLink egressLink)
    {
    }

    /** How a hook that sees the frame counts it. */
    enum Outcome
    {
        /** Counted as a flow (PACKETS_SEEN, BYTES_SEEN, one flow event key). */
        FLOW(KernelCounters.PACKETS_SEEN),
        NON_IP(KernelCounters.NON_IP),
        MALFORMED(KernelCounters.MALFORMED),
        TOO_DEEP(KernelCounters.TOO_DEEP),
        /** No hook sees it (see {@link Reach}). */
        UNSEEN(-1);

        final int counter;

        Outcome(final int counter)
        {
            this.counter = counter;
        }
    }

    /** How far the frame gets, whatever the hooks do (they only read). */
    enum Reach
    {
        /** Through both hooks to the capture. */
        THROUGH,
        /** The sender's kernel refuses it (EINVAL): no hook sees it. */
        REFUSED,
        /** The receiving kernel drops it before TC ingress: no hook sees it. */
        DROPPED_BEFORE_TC,
        /** The ingress hook sees it, then the receiving kernel drops it: the egress hook never sees it. */
        DROPPED_AFTER_INGRESS
    }

    /** One crafted frame; for FLOW, the flow key and the L3 bytes counted per frame. */
    record Case(String name, byte[] frame, Outcome outcome, Reach reach, int family, int proto, int sport, int dport,
        long bytes, int tcpFlags)
    {
        public String toString()
        {
            return name;
        }
    }

    private final NetnsFixture net = new NetnsFixture();
    private String nsA;
    private String nsB;
    private String nsC;
    private String devA;
    private String devB1;
    private String devB2;
    private Path dir;
    private Path sender;
    private Capture capture;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<Hooks> hooks = new ArrayList<>();

    @BeforeAll
    void topology() throws IOException, URISyntaxException
    {
        final String id = net.id();
        nsA = net.netns("a");
        nsB = net.netns("b");
        nsC = net.netns("c");
        devA = id + "a";
        devB1 = id + "b1";
        devB2 = id + "b2";
        final String devC = id + "c";
        final String bridge = id + "br"; // no multicast snooping: it would join groups and send IGMP reports
        dir = Files.createTempDirectory("flowrec-hostile");
        sender = Path.of(HostilePacketsTest.class.getResource("send_frames.py").toURI());
        for (final String ns : List.of(nsA, nsB, nsC))
        {
            // No IPv6 chatter, no addresses: the only frames on the wire are the test's.
            net.sysctl(ns, "net.ipv6.conf.default.disable_ipv6=1", "net.ipv6.conf.all.disable_ipv6=1");
            net.up(ns, "lo");
        }
        // br_netfilter (when the kernel has it) would validate and drop bogus IP headers on the bridge.
        Shell.exec(NetnsFixture.in(nsB, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0",
            "net.bridge.bridge-nf-call-ip6tables=0", "net.bridge.bridge-nf-call-arptables=0").toArray(String[]::new));
        net.veth(nsA, devA, nsB, devB1);
        net.veth(nsB, devB2, nsC, devC);
        net.ip(nsB, "link", "add", bridge, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
        net.ip(nsB, "link", "set", devB1, "master", bridge);
        net.ip(nsB, "link", "set", devB2, "master", bridge);
        for (final String[] dev : new String[][]{ { nsA, devA }, { nsB, devB1 }, { nsB, devB2 }, { nsB, bridge },
            { nsC, devC } })
        {
            net.ip(dev[0], "link", "set", dev[1], "mtu", "" + MTU, "up");
        }
        final Path pcap = dir.resolve("c.pcap");
        final Path log = dir.resolve("tcpdump.log");
        net.start(new ProcessBuilder(NetnsFixture.in(nsC, "tcpdump", "-i", devC, "-n", "-s", "0", "-U",
            "--immediate-mode", "-B", "32768", "-Z", "root", "-w", pcap.toString(), "ether", "src", "02:00:00:00:40:01"))
            .redirectErrorStream(true).redirectOutput(log.toFile()));
        await(() -> Files.readString(log).contains("listening on"), "tcpdump to start: " + log);
        capture = new Capture(pcap);

        assertTrue(BpfObject.readsPacketsInPlace(), "root may read in place: production loads IN_PLACE here");
        for (final Reading reading : Reading.values())
        {
            final FlowProgram ingress = opened(reading.load());
            final FlowProgram egress = opened(reading.load());
            hooks.add(new Hooks(reading, ingress, egress, opened(ingress.attach(NetnsFixture.path(nsB), devB1)),
                opened(egress.attach(NetnsFixture.path(nsB), devB2))));
        }

        // Until a marker makes it to the capture, links and bridge ports may still be coming up.
        final Path markerPath = dir.resolve("marker");
        await(() ->
        {
            final byte[] marker = marker();
            Files.write(markerPath, marker);
            send(markerPath, 1);
            sleep(50);
            return capture.poll().stream().anyMatch(f -> Arrays.equals(f, marker));
        }, "the path from " + devA + " to " + devC + " to come up");
        sleep(100);
        capture.poll();
    }

    private String[] send(final Path frame, final int count, final Path... more)
    {
        final List<String> command = new ArrayList<>(List.of(python(), sender.toString(), devA, "" + count, frame.toString()));
        for (final Path p : more)
        {
            command.add(p.toString());
        }
        return net.exec(nsA, command.toArray(String[]::new)).strip().split("\n");
    }

    private <T extends AutoCloseable> T opened(final T closeable)
    {
        opened.add(closeable);
        return closeable;
    }

    @AfterAll
    void cleanUp() throws IOException
    {
        for (final AutoCloseable c : opened.reversed())
        {
            closeQuietly(c);
        }
        try
        {
            net.close();
        }
        finally
        {
            if (dir != null)
            {
                try (Stream<Path> files = Files.walk(dir))
                {
                    files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldCountAsDocumentedAndPassUnchanged(final Case c) throws IOException
    {
        // Whatever an earlier case left behind (if it failed half-way) goes now.
        final long[][] inBefore = new long[hooks.size()][];
        final long[][] outBefore = new long[hooks.size()][];
        for (int i = 0; i < hooks.size(); i++)
        {
            for (final FlowProgram p : List.of(hooks.get(i).ingress(), hooks.get(i).egress()))
            {
                p.sweep(0, Reasons.FINAL);
                DrainedEvents.drain(p.ringBuffer());
            }
            inBefore[i] = counters(hooks.get(i).ingress());
            outBefore[i] = counters(hooks.get(i).egress());
        }
        capture.poll();
        final byte[] marker = marker();
        final Path framePath = dir.resolve("frame");
        final Path markerPath = dir.resolve("marker");
        Files.write(framePath, c.frame());
        Files.write(markerPath, marker);

        final String[] sent = send(framePath, COUNT, markerPath);
        assertEquals(c.reach() == Reach.REFUSED ? "0 EINVAL" : COUNT + " -", sent[0], "sender");
        assertEquals("1 -", sent[1], "marker");

        // Frames arrive unchanged, each of them, and nothing else.
        final int arriving = c.reach() == Reach.THROUGH ? COUNT : 0;
        final List<byte[]> captured = new ArrayList<>();
        await(() ->
        {
            captured.addAll(capture.poll());
            return captured.size() >= arriving + 1 && captured.stream().anyMatch(f -> Arrays.equals(f, marker));
        }, "the marker and " + arriving + " frames at the far side");
        captured.addAll(capture.poll());
        int same = 0;
        for (final byte[] f : captured)
        {
            if (Arrays.equals(f, c.frame()))
            {
                same++;
            }
            else if (!Arrays.equals(f, marker))
            {
                fail("unexpected frame at the far side: " + hex(f));
            }
        }
        assertEquals(arriving, same, "frames arrived byte-identical");
        assertEquals(arriving + 1, captured.size());

        // Each hook that saw the frames counted every one exactly once, in the documented counter.
        final boolean ingressSees = c.reach() == Reach.THROUGH || c.reach() == Reach.DROPPED_AFTER_INGRESS;
        final boolean egressSees = c.reach() == Reach.THROUGH;
        // Both readings alike: the documented counts hold for each.
        for (int i = 0; i < hooks.size(); i++)
        {
            final Hooks h = hooks.get(i);
            final String in = "ingress on b1, " + h.reading();
            final String out = "egress on b2, " + h.reading();
            assertCountersMove(h.ingress(), inBefore[i], expected(c, ingressSees), in);
            assertCountersMove(h.egress(), outBefore[i], expected(c, egressSees), out);
            assertFlow(c, ingressSees, h.ingress(), h.ingressLink().ifindex(), FlowEventDecoder.DIRECTION_IN, in);
            assertFlow(c, egressSees, h.egress(), h.egressLink().ifindex(), FlowEventDecoder.DIRECTION_OUT, out);
        }
    }

    private static long[] expected(final Case c, final boolean sees)
    {
        final long[] expected = new long[KernelCounters.COUNT];
        expected[KernelCounters.NON_IP] = 1; // the marker
        if (sees)
        {
            expected[c.outcome().counter] += COUNT;
            if (c.outcome() == Outcome.FLOW)
            {
                expected[KernelCounters.BYTES_SEEN] = COUNT * c.bytes();
                expected[KernelCounters.OWNER_NONE] = 1; // one flow entry; a packet socket's frames have no owner
            }
        }
        return expected;
    }

    /** BPF_PROG_TEST_RUN passes a frame to the program as it is: no tag is moved into skb metadata. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Reading.class)
    void shouldStopAtTheThirdTagInTheFrameItself(final Reading reading)
    {
        try (FlowProgram program = reading.load())
        {
            final byte[] udp = ipv4(5, -1, 0, 17, udp(40000, 53, 20, -1));
            final long[] before = counters(program);
            program.testRun(eth(tags(0x88A8, 0x8100), 0x0800, udp), 3, false);
            program.testRun(eth(tags(0x88A8, 0x8100, 0x8100), 0x0800, udp), 5, false);
            program.testRun(cat(eth(tags(0x88A8), 0x8100, new byte[0])), 2, false); // inner tag cut short
            final long[] moved = delta(before, counters(program));
            assertEquals(3, moved[KernelCounters.PACKETS_SEEN]);
            assertEquals(5, moved[KernelCounters.TOO_DEEP]);
            assertEquals(2, moved[KernelCounters.MALFORMED]);
            assertThrows(IllegalArgumentException.class, () -> program.testRun(new byte[13], 1, false),
                "the kernel's test run takes no frame shorter than an Ethernet header either");
        }
    }

    @Test
    void shouldAccountForEveryMutatedFrame()
    {
        final long seed = Long.getLong("flowrec.fuzz.seed", System.nanoTime());
        final Random random = new Random(seed);
        final byte[] tcp = eth(new byte[0], 0x0800, ipv4(5, -1, 0, 6, tcp(40001, 443, 5, 0x18, 40)));
        final byte[] udp6 = eth(new byte[0], 0x86DD, ipv6(-1, 17, udp(40000, 53, 40, -1)));
        try (FlowProgram inPlace = Reading.IN_PLACE.load(); FlowProgram copy = Reading.COPY.load())
        {
            final FlowProgram[] programs = { inPlace, copy };
            final long[][] start = { counters(inPlace), counters(copy) };
            final long[][] tally = { fuzz(programs, tcp, false, random, seed), fuzz(programs, udp6, true, random, seed) };
            for (final long[] t : tally)
            {
                assertTrue(t[0] > 1000 && t[2] > 1000, () -> "mutations reach both flows and malformed frames: " +
                    Arrays.toString(t) + ", seed " + seed);
            }
            assertTrue(tally[1][3] > 0, () -> "some IPv6 chains are too deep: " + Arrays.toString(tally[1]));
            for (int j = 0; j < programs.length; j++)
            {
                final FlowProgram program = programs[j];
                final String where = Reading.values()[j] + ", seed " + seed;
                final long[] moved = delta(start[j], counters(program));
                final long ran = 20_000 - tally[0][CLASSES.length] - tally[1][CLASSES.length];
                assertEquals(ran, moved[KernelCounters.PACKETS_SEEN] + moved[KernelCounters.NON_IP] +
                    moved[KernelCounters.MALFORMED] + moved[KernelCounters.TOO_DEEP], where);

                // Every counted packet and byte is in a flow event.
                final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());
                SweepResult sweep;
                do
                {
                    sweep = program.sweep(0, Reasons.FINAL);
                    events.list.addAll(DrainedEvents.drain(program.ringBuffer()).list);
                }
                while (sweep.incomplete());
                assertEquals(moved[KernelCounters.PACKETS_SEEN], events.packets(), where);
                assertEquals(moved[KernelCounters.BYTES_SEEN], events.bytes(), where);
                assertEquals(0, moved[KernelCounters.RB_LOST_EVENTS] + moved[KernelCounters.MAP_FULL], where);
            }
            System.out.printf("fuzz seed %d: [seen, non_ip, malformed, too_deep, refused by the harness] ipv4/tcp %s, "
                + "ipv6/udp %s%n", seed,
                Arrays.toString(tally[0]), Arrays.toString(tally[1]));
        }
    }

    /**
     * BPF_PROG_TEST_RUN itself (kernel 6.18) refuses, EINVAL, a frame whose ethertype is IPv4 or IPv6 but whose L3
     * part is shorter than the fixed header: such frames never reach the program here (they do on a veth: the
     * truncated-header cases above).
     */
    private static boolean harnessRefuses(final byte[] frame)
    {
        final int type = (frame[12] & 0xFF) << 8 | (frame[13] & 0xFF);
        return type == 0x0800 && frame.length < 14 + 20 || type == 0x86DD && frame.length < 14 + 40;
    }

    /**
     * 10k mutations of base through each program (the readings in {@link Reading} order), which must count each frame
     * in the same class with the same bytes; returns how many landed in each of CLASSES, then how many refused.
     */
    private static long[] fuzz(final FlowProgram[] programs, final byte[] base, final boolean v6, final Random random,
        final long seed)
    {
        final long[] tally = new long[CLASSES.length + 1]; // the last: refused by the test-run harness
        final long[][] before = new long[programs.length][];
        for (int j = 0; j < programs.length; j++)
        {
            before[j] = counters(programs[j]);
        }
        for (int i = 0; i < 10_000; i++)
        {
            final byte[] frame = Mutator.mutate(base, v6, random);
            final boolean onEgress = random.nextBoolean();
            if (harnessRefuses(frame))
            {
                for (final FlowProgram program : programs)
                {
                    final BpfException e = assertThrows(BpfException.class,
                        () -> program.testRunVerdict(frame, onEgress));
                    assertEquals(22, e.errno(), e::getMessage);
                }
                tally[CLASSES.length]++;
                continue;
            }
            final long[] first = count(programs[0], before[0], frame, onEgress, seed);
            for (int j = 1; j < programs.length; j++)
            {
                final long[] other = count(programs[j], before[j], frame, onEgress, seed);
                final int k = j;
                assertArrayEquals(first, other, () -> "[class, bytes] " + Reading.values()[0] + " vs " +
                    Reading.values()[k] + ": " + hex(frame) + ", seed " + seed);
            }
            tally[(int)first[0]]++;
        }
        return tally;
    }

    /**
     * Runs one frame through program and checks it moved exactly one of CLASSES; returns which, and the bytes counted.
     * before: the counters before, updated to those after.
     */
    private static long[] count(final FlowProgram program, final long[] before, final byte[] frame,
        final boolean onEgress, final long seed)
    {
        final int verdict = program.testRunVerdict(frame, onEgress);
        assertEquals(FlowProgram.TC_ACT_UNSPEC, verdict, () -> "verdict on " + hex(frame));
        final long[] after = counters(program);
        final long[] moved = delta(before, after);
        int landed = -1;
        for (int k = 0; k < CLASSES.length; k++)
        {
            if (moved[CLASSES[k]] != 0)
            {
                assertEquals(-1, landed, () -> "frame counted twice: " + hex(frame) + ", seed " + seed);
                assertEquals(1, moved[CLASSES[k]], () -> "one frame, one count: " + hex(frame));
                landed = k;
            }
        }
        assertTrue(landed >= 0, () -> "frame not accounted for: " + hex(frame) + ", seed " + seed);
        final long bytes = moved[KernelCounters.BYTES_SEEN];
        if (landed == 0)
        {
            assertTrue(bytes >= 20 && bytes <= frame.length - 14,
                () -> bytes + " bytes counted for a " + frame.length + "-byte frame: " + hex(frame));
        }
        else
        {
            assertEquals(0, bytes);
        }
        System.arraycopy(after, 0, before, 0, after.length);
        return new long[]{ landed, bytes };
    }

    // ---- the cases: the rows of bpf/HOSTILE.md ----

    static Stream<Case> cases()
    {
        final List<Case> c = new ArrayList<>();
        final byte[] none = new byte[0];
        final byte[] udp100 = udp(40000, 53, 100, -1);
        final byte[] v4udp = ipv4(5, -1, 0, 17, udp100);

        // IPv4: header lengths and total length
        c.add(flow("ipv4 udp, 100-byte payload (baseline)", eth(none, 0x0800, v4udp), 4, 17, 40000, 53, 128));
        c.add(bad("ipv4 header cut at 10 bytes", eth(none, 0x0800, Arrays.copyOf(v4udp, 10)), Outcome.MALFORMED));
        c.add(bad("ipv4 ihl 4 (< 5)", eth(none, 0x0800, ihl(v4udp, 4)), Outcome.MALFORMED));
        c.add(bad("ipv4 ihl 0", eth(none, 0x0800, ihl(v4udp, 0)), Outcome.MALFORMED));
        c.add(bad("ipv4 ihl 15 (60 bytes) > total length (48)", eth(none, 0x0800,
            ihl(ipv4(5, -1, 0, 17, udp(40000, 53, 20, -1)), 15)), Outcome.MALFORMED));
        c.add(bad("ipv4 ihl 15, total length 64, frame ends inside the options", eth(none, 0x0800,
            ihl(ipv4(5, 64, 0, 17, udp(40000, 53, 20, -1)), 15)), Outcome.MALFORMED));
        c.add(flow("ipv4 total length 1500 > frame (128)", eth(none, 0x0800, ipv4(5, 1500, 0, 17, udp100)),
            4, 17, 40000, 53, 128));
        c.add(flow("ipv4 total length 60 < frame (128)", eth(none, 0x0800, ipv4(5, 60, 0, 17, udp100)),
            4, 17, 40000, 53, 60));
        c.add(bad("ipv4 total length 24 cuts the udp header", eth(none, 0x0800, ipv4(5, 24, 0, 17, udp100)),
            Outcome.MALFORMED));
        c.add(bad("ipv4 total length 12 < header", eth(none, 0x0800, ipv4(5, 12, 0, 17, udp100)), Outcome.MALFORMED));
        c.add(bad("ipv4 total length 0", eth(none, 0x0800, ipv4(5, 0, 0, 17, udp100)), Outcome.MALFORMED));
        c.add(flow("ipv4 with options (ihl 6)", eth(none, 0x0800, ipv4(6, -1, 0, 17, udp(40000, 53, 10, -1))),
            4, 17, 40000, 53, 42));
        c.add(bad("ipv4 header in an ipv4 ethertype says version 6", eth(none, 0x0800, version(v4udp, 6)),
            Outcome.MALFORMED));
        c.add(flow("ipv4 protocol 253, no L4 parsed", eth(none, 0x0800, ipv4(5, -1, 0, 253, new byte[30])),
            4, 253, 0, 0, 50));
        c.add(flow("ipv4 jumbo, 9000 bytes", eth(none, 0x0800, ipv4(5, -1, 0, 17, udp(40000, 53, 9000 - 28, -1))),
            4, 17, 40000, 53, 9000));

        // IPv4: zero-length payloads and L4 headers
        c.add(flow("ipv4 udp length 8, no payload", eth(none, 0x0800, ipv4(5, -1, 0, 17, udp(40000, 53, 0, -1))),
            4, 17, 40000, 53, 28));
        c.add(flow("ipv4 udp no payload, padded to a 60-byte frame",
            pad(eth(none, 0x0800, ipv4(5, -1, 0, 17, udp(40000, 53, 0, -1))), 60), 4, 17, 40000, 53, 28));
        c.add(flowTcp("ipv4 tcp syn, no payload", eth(none, 0x0800, ipv4(5, -1, 0, 6, tcp(40001, 443, 5, 0x02, 0))),
            4, 40001, 443, 40, 0x02));
        c.add(bad("ipv4 tcp doff 4 (< 5)", eth(none, 0x0800, ipv4(5, -1, 0, 6, tcp(40001, 443, 4, 0x10, 30))),
            Outcome.MALFORMED));
        c.add(bad("ipv4 tcp doff 15 past the packet", eth(none, 0x0800,
            ipv4(5, -1, 0, 6, tcp(40001, 443, 15, 0x10, 10))), Outcome.MALFORMED));
        c.add(bad("ipv4 tcp header cut at 12 bytes", eth(none, 0x0800,
            ipv4(5, -1, 0, 6, Arrays.copyOf(tcp(40001, 443, 5, 0x10, 0), 12))), Outcome.MALFORMED));
        c.add(bad("ipv4 icmp cut after the type", eth(none, 0x0800, ipv4(5, -1, 0, 1, new byte[]{ 8 })),
            Outcome.MALFORMED));
        c.add(bad("ipv4 icmp cut at 4 bytes", eth(none, 0x0800, ipv4(5, -1, 0, 1, new byte[]{ 8, 0, 0, 0 })),
            Outcome.MALFORMED));
        c.add(flow("ipv4 icmp echo request, header only", eth(none, 0x0800, ipv4(5, -1, 0, 1, icmp(8, 0, 8))),
            4, 1, 0, 8 << 8, 28));
        c.add(flow("ipv4 later fragment (offset 800)", eth(none, 0x0800, ipv4(5, -1, 100, 6, new byte[50])),
            4, 6, 0, 0, 70));
        c.add(bad("ipv4 first fragment, tcp header cut at 8 bytes", eth(none, 0x0800,
            ipv4(5, -1, 0x2000, 6, Arrays.copyOf(tcp(40001, 443, 5, 0x10, 0), 8))), Outcome.MALFORMED));

        // IPv6: payload length and extension headers
        final byte[] v6udp = ipv6(-1, 17, udp100);
        c.add(flow("ipv6 udp, 100-byte payload (baseline)", eth(none, 0x86DD, v6udp), 6, 17, 40000, 53, 148));
        c.add(bad("ipv6 header cut at 30 bytes", eth(none, 0x86DD, Arrays.copyOf(v6udp, 30)), Outcome.MALFORMED));
        c.add(bad("ipv6 ethertype carrying an ipv4 header", eth(none, 0x86DD, pad(v4udp, 60)), Outcome.MALFORMED));
        c.add(flow("ipv6 payload length 1000 > frame", eth(none, 0x86DD, ipv6(1000, 17, udp100)),
            6, 17, 40000, 53, 148));
        c.add(flow("ipv6 payload length 8 < frame", eth(none, 0x86DD, ipv6(8, 17, udp100)), 6, 17, 40000, 53, 48));
        c.add(bad("ipv6 payload length 4 cuts the udp header", eth(none, 0x86DD, ipv6(4, 17, udp100)),
            Outcome.MALFORMED));
        c.add(flow("ipv6 payload length 0 (jumbogram): the frame's length", eth(none, 0x86DD, ipv6(0, 17, udp100)),
            6, 17, 40000, 53, 148));
        final int[] six = { 0, 60, 43, 60, 60, 60 };
        c.add(flow("ipv6 six extension headers", eth(none, 0x86DD, ipv6(-1, 0, chain(six, 17, udp(40000, 53, 20, -1)))),
            6, 17, 40000, 53, 40 + 48 + 28));
        final int[] seven = { 0, 60, 43, 60, 60, 60, 60 };
        c.add(bad("ipv6 seven extension headers", eth(none, 0x86DD, ipv6(-1, 0, chain(seven, 17, udp(40000, 53, 20, -1)))),
            Outcome.TOO_DEEP));
        c.add(bad("ipv6 sixteen destination options headers", eth(none, 0x86DD,
            ipv6(-1, 60, chain(new int[16], 17, udp(40000, 53, 20, -1), 60))), Outcome.TOO_DEEP));
        c.add(flow("ipv6 later fragment (offset 800)", eth(none, 0x86DD, ipv6(-1, 44, cat(frag(17, 100, false), ff(50)))),
            6, 17, 0, 0, 98));
        c.add(flow("ipv6 later fragment whose next header is dstopts", eth(none, 0x86DD,
            ipv6(-1, 44, cat(frag(60, 100, true), ff(50)))), 6, 60, 0, 0, 98));
        c.add(flow("ipv6 first fragment, udp", eth(none, 0x86DD, ipv6(-1, 44, cat(frag(17, 0, true), udp(40000, 53, 20, -1)))),
            6, 17, 40000, 53, 76));
        c.add(bad("ipv6 hop-by-hop length 255 runs off the end", eth(none, 0x86DD,
            ipv6(-1, 0, cat(new byte[]{ 17, (byte)255 }, new byte[6], udp(40000, 53, 20, -1)))), Outcome.MALFORMED));
        c.add(bad("ipv6 hop-by-hop past the payload length, inside the frame", eth(none, 0x86DD,
            ipv6(16, 0, cat(new byte[]{ 17, 2 }, new byte[22], udp(40000, 53, 20, -1)))), Outcome.MALFORMED));
        c.add(flowTcp("ipv6 ah + tcp syn", eth(none, 0x86DD, ipv6(-1, 51, cat(ah(6, 4), tcp(40001, 443, 5, 0x02, 0)))),
            6, 40001, 443, 84, 0x02));
        c.add(bad("ipv6 ah length 255 runs off the end", eth(none, 0x86DD, ipv6(-1, 51, cat(ah(6, 255), new byte[40]))),
            Outcome.MALFORMED));
        c.add(flow("ipv6 esp: proto 50, no ports", eth(none, 0x86DD, ipv6(-1, 50, new byte[40])), 6, 50, 0, 0, 80));
        c.add(flow("ipv6 no next header (59)", eth(none, 0x86DD, ipv6(-1, 59, new byte[16])), 6, 59, 0, 0, 56));
        c.add(bad("ipv6 icmpv6 cut after the type", eth(none, 0x86DD, ipv6(-1, 58, new byte[]{ (byte)128 })),
            Outcome.MALFORMED));
        c.add(flow("ipv6 icmpv6 type, code, checksum only", eth(none, 0x86DD, ipv6(-1, 58, icmp(128, 0, 4))),
            6, 58, 0, 128 << 8, 44));
        c.add(bad("ipv6 tcp doff 15 past the packet", eth(none, 0x86DD, ipv6(-1, 6, tcp(40001, 443, 15, 0x10, 10))),
            Outcome.MALFORMED));
        c.add(flow("ipv6 jumbo, 9000 bytes", eth(none, 0x86DD, ipv6(-1, 17, udp(40000, 53, 9000 - 48, -1))),
            6, 17, 40000, 53, 9000));

        // Ethernet: tiny frames, non-IP, VLAN tags
        c.add(lost("1-byte frame", new byte[]{ 2 }, Outcome.UNSEEN, Reach.REFUSED));
        c.add(lost("13-byte frame", Arrays.copyOf(eth(none, 0x0800, none), 13), Outcome.UNSEEN, Reach.REFUSED));
        c.add(bad("ethernet header only, ipv4 type", eth(none, 0x0800, none), Outcome.MALFORMED));
        c.add(bad("ethernet header only, ipv6 type", eth(none, 0x86DD, none), Outcome.MALFORMED));
        c.add(bad("ethernet header only, arp type", eth(none, 0x0806, none), Outcome.NON_IP));
        c.add(lost("ethernet header only, 802.1Q type", eth(none, 0x8100, none), Outcome.UNSEEN, Reach.DROPPED_BEFORE_TC));
        c.add(bad("arp request", eth(none, 0x0806, arp()), Outcome.NON_IP));
        c.add(bad("802.3 length field + LLC", eth(none, 46, pad(new byte[]{ 0x42, 0x42, 0x03 }, 46)), Outcome.NON_IP));
        c.add(flow("802.1Q + ipv6 udp", eth(tags(0x8100), 0x86DD, v6udp), 6, 17, 40000, 53, 148));
        c.add(flow("802.1ad + 802.1Q + ipv4 udp", eth(tags(0x88A8, 0x8100), 0x0800, v4udp), 4, 17, 40000, 53, 128));
        c.add(flow("three tags + ipv4 udp: the kernel moves the outer one off the frame", eth(tags(0x88A8, 0x8100, 0x8100),
            0x0800, v4udp), 4, 17, 40000, 53, 128));
        c.add(bad("four tags + ipv4 udp", eth(tags(0x88A8, 0x8100, 0x8100, 0x8100), 0x0800, v4udp), Outcome.TOO_DEEP));
        c.add(lost("802.1ad + 802.1Q tag cut short", eth(tags(0x88A8), 0x8100, new byte[]{ 0, 0 }), Outcome.MALFORMED,
            Reach.DROPPED_AFTER_INGRESS));
        return c.stream();
    }

    private static Case flow(final String name, final byte[] frame, final int family, final int proto, final int sport,
        final int dport, final long bytes)
    {
        return new Case(name, frame, Outcome.FLOW, Reach.THROUGH, family, proto, sport, dport, bytes, 0);
    }

    private static Case flowTcp(final String name, final byte[] frame, final int family, final int sport,
        final int dport, final long bytes, final int flags)
    {
        return new Case(name, frame, Outcome.FLOW, Reach.THROUGH, family, 6, sport, dport, bytes, flags);
    }

    private static Case bad(final String name, final byte[] frame, final Outcome outcome)
    {
        return lost(name, frame, outcome, Reach.THROUGH);
    }

    private static Case lost(final String name, final byte[] frame, final Outcome outcome, final Reach reach)
    {
        return new Case(name, frame, outcome, reach, 0, 0, 0, 0, 0, 0);
    }

    // ---- frame builders: network byte order, every field explicit ----

    static final byte[] SRC4 = { 10, (byte)213, 40, 1 };
    static final byte[] DST4 = { 10, (byte)213, 40, 2 };
    static final byte[] SRC6 = { (byte)0xfd, 0, 2, 0x13, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    static final byte[] DST6 = { (byte)0xfd, 0, 2, 0x13, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

    /** dst 02:00:00:00:40:02 (no interface has it: flooded by the bridge, dropped by every IP stack), src ...:01. */
    static byte[] eth(final byte[] tags, final int type, final byte[] payload)
    {
        return ByteBuffer.allocate(14 + tags.length + payload.length)
            .put(new byte[]{ 2, 0, 0, 0, 0x40, 2, 2, 0, 0, 0, 0x40, 1 }).put(tags).putShort((short)type).put(payload)
            .array();
    }

    /** VLAN tags, outermost first: TPID and a TCI with VLAN id 10 + position. */
    static byte[] tags(final int... tpids)
    {
        final ByteBuffer b = ByteBuffer.allocate(4 * tpids.length);
        for (int i = 0; i < tpids.length; i++)
        {
            b.putShort((short)tpids[i]).putShort((short)(10 + i));
        }
        return b.array();
    }

    /** IPv4 with ihlWords * 4 bytes of header (NOP options past 20), totLen -1 for the true length. */
    static byte[] ipv4(final int ihlWords, final int totLen, final int fragField, final int proto, final byte[] payload)
    {
        final int hdr = Math.max(20, ihlWords * 4);
        final ByteBuffer b = ByteBuffer.allocate(hdr + payload.length);
        b.put((byte)(0x40 | ihlWords)).put((byte)0).putShort((short)(totLen < 0 ? hdr + payload.length : totLen))
            .putShort((short)0x4242).putShort((short)fragField).put((byte)64).put((byte)proto).putShort((short)0)
            .put(SRC4).put(DST4);
        for (int i = 20; i < hdr; i++)
        {
            b.put((byte)1);
        }
        b.putShort(10, checksum(b.array(), hdr));
        return b.put(payload).array();
    }

    static byte[] ihl(final byte[] ipv4, final int ihlWords)
    {
        final byte[] copy = ipv4.clone();
        copy[0] = (byte)(0x40 | ihlWords);
        return copy;
    }

    static byte[] version(final byte[] ip, final int version)
    {
        final byte[] copy = ip.clone();
        copy[0] = (byte)(version << 4 | (copy[0] & 0x0F));
        return copy;
    }

    /** IPv6 with payloadLen -1 for the true length. */
    static byte[] ipv6(final int payloadLen, final int nextHeader, final byte[] payload)
    {
        return ByteBuffer.allocate(40 + payload.length).putInt(6 << 28)
            .putShort((short)(payloadLen < 0 ? payload.length : payloadLen)).put((byte)nextHeader).put((byte)64)
            .put(SRC6).put(DST6).put(payload).array();
    }

    /** 8-byte extension headers, one per entry of types, chained, then upper (the last one's next header) and l4. */
    static byte[] chain(final int[] types, final int upper, final byte[] l4)
    {
        return chain(types, upper, l4, -1);
    }

    /** As above; with fill >= 0 every header but the last names fill as its next header. */
    private static byte[] chain(final int[] types, final int upper, final byte[] l4, final int fill)
    {
        final ByteBuffer b = ByteBuffer.allocate(8 * types.length + l4.length);
        for (int i = 0; i < types.length; i++)
        {
            final int next = i + 1 < types.length ? (fill >= 0 ? fill : types[i + 1]) : upper;
            b.put((byte)next).put((byte)0).put(new byte[]{ 1, 4, 0, 0, 0, 0 }); // options: one PadN; routing: type 1, 4 left
        }
        return b.put(l4).array();
    }

    static byte[] frag(final int nextHeader, final int offsetUnits, final boolean more)
    {
        return ByteBuffer.allocate(8).put((byte)nextHeader).put((byte)0)
            .putShort((short)(offsetUnits << 3 | (more ? 1 : 0))).putInt(0x4242).array();
    }

    /** Authentication header, (len + 2) * 4 bytes. */
    static byte[] ah(final int nextHeader, final int len)
    {
        final int size = Math.max(12, Math.min((len + 2) * 4, 64));
        return ByteBuffer.allocate(size).put((byte)nextHeader).put((byte)len).putShort((short)0).putInt(0x100)
            .putInt(1).array();
    }

    static byte[] udp(final int sport, final int dport, final int payload, final int length)
    {
        return ByteBuffer.allocate(8 + payload).putShort((short)sport).putShort((short)dport)
            .putShort((short)(length < 0 ? 8 + payload : length)).putShort((short)0).array();
    }

    /** TCP: a 20-byte header whatever doffWords says, then payload bytes. */
    static byte[] tcp(final int sport, final int dport, final int doffWords, final int flags, final int payload)
    {
        return ByteBuffer.allocate(20 + payload).putShort((short)sport).putShort((short)dport).putInt(1000)
            .putInt(0).put((byte)(doffWords << 4)).put((byte)flags).putShort((short)65535).putInt(0).array();
    }

    static byte[] icmp(final int type, final int code, final int length)
    {
        final byte[] b = new byte[length];
        b[0] = (byte)type;
        b[1] = (byte)code;
        return b;
    }

    static byte[] arp()
    {
        return ByteBuffer.allocate(28).putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4)
            .putShort((short)1).put(new byte[]{ 2, 0, 0, 0, 0x40, 1 }).put(SRC4).put(new byte[6]).put(DST4).array();
    }

    static byte[] ff(final int n)
    {
        final byte[] b = new byte[n];
        Arrays.fill(b, (byte)0xFF);
        return b;
    }

    static byte[] pad(final byte[] frame, final int length)
    {
        return Arrays.copyOf(frame, Math.max(length, frame.length));
    }

    static byte[] cat(final byte[]... parts)
    {
        final ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (final byte[] p : parts)
        {
            b.put(p);
        }
        return b.array();
    }

    private static short checksum(final byte[] header, final int length)
    {
        int sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            sum += ((header[i] & 0xFF) << 8) | (header[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short)~sum;
    }

    /** Random mutations of a valid frame: bit flips, length fields, protocol numbers, truncation, tags, chains. */
    static final class Mutator
    {
        private static final int[] PROTOCOLS = { 0, 1, 6, 17, 43, 44, 50, 51, 58, 59, 60, 135, 255 };
        private static final int[] EXTENSIONS = { 0, 43, 44, 51, 60 };

        private Mutator()
        {
        }

        static byte[] mutate(final byte[] base, final boolean v6, final Random r)
        {
            byte[] f = base.clone();
            for (int n = 1 + r.nextInt(3); n > 0; n--)
            {
                switch (r.nextInt(v6 ? 8 : 7))
                {
                    case 0 ->
                    {
                        for (int k = 1 + r.nextInt(4); k > 0; k--)
                        {
                            f[r.nextInt(Math.min(f.length, 80))] ^= (byte)(1 << r.nextInt(8));
                        }
                    }
                    case 1 -> f[r.nextInt(f.length)] = (byte)r.nextInt(256);
                    case 2 -> f = Arrays.copyOf(f, 14 + r.nextInt(f.length - 13));
                    case 3 ->
                    {
                        final byte[] tail = new byte[1 + r.nextInt(64)];
                        r.nextBytes(tail);
                        f = cat(f, tail);
                    }
                    case 4 -> setLength(f, v6, r);
                    case 5 -> set(f, v6 ? 20 : 23, PROTOCOLS[r.nextInt(PROTOCOLS.length)]);
                    case 6 -> f = cat(Arrays.copyOf(f, 12), tags(r.nextBoolean() ? 0x8100 : 0x88A8),
                        Arrays.copyOfRange(f, 12, f.length));
                    default -> f = insertChain(f, r);
                }
            }
            return f;
        }

        private static void setLength(final byte[] f, final boolean v6, final Random r)
        {
            final int value = r.nextBoolean() ? r.nextInt(0x10000) : r.nextInt(f.length + 16);
            final int field = r.nextInt(3);
            if (field == 0)
            {
                set16(f, v6 ? 18 : 16, value); // payload length / total length
            }
            else if (field == 1 && !v6)
            {
                set(f, 14, 0x40 | r.nextInt(16)); // ihl
            }
            else
            {
                final int doff = v6 ? 14 + 40 + 12 : 14 + 20 + 12; // tcp doff, or a udp length byte
                set(f, doff, r.nextInt(16) << 4);
            }
        }

        /** Inserts 1..9 extension headers of random kinds and lengths after the IPv6 header, chained. */
        private static byte[] insertChain(final byte[] f, final Random r)
        {
            if (f.length < 54)
            {
                return f;
            }
            final int n = 1 + r.nextInt(9);
            final ByteBuffer chain = ByteBuffer.allocate(n * 24);
            int first = -1;
            int previousNext = -1;
            for (int i = 0; i < n; i++)
            {
                final int kind = EXTENSIONS[r.nextInt(EXTENSIONS.length)];
                if (first < 0)
                {
                    first = kind;
                }
                else
                {
                    chain.put(previousNext, (byte)kind);
                }
                previousNext = chain.position();
                final int size = kind == 44 ? 8 : kind == 51 ? 12 + 4 * r.nextInt(4) : 8 * (1 + r.nextInt(2));
                final byte[] h = new byte[size];
                h[1] = (byte)(kind == 44 ? 0 : kind == 51 ? size / 4 - 2 : size / 8 - 1);
                if (kind == 44 && r.nextInt(4) == 0)
                {
                    h[2] = (byte)(1 + r.nextInt(255)); // a later fragment
                }
                chain.put(h);
            }
            chain.put(previousNext, f[20]);
            final byte[] inserted = Arrays.copyOf(chain.array(), chain.position());
            final byte[] out = cat(Arrays.copyOf(f, 54), inserted, Arrays.copyOfRange(f, 54, f.length));
            out[20] = (byte)first;
            set16(out, 18, ((out[18] & 0xFF) << 8 | (out[19] & 0xFF)) + inserted.length);
            return out;
        }

        private static void set(final byte[] f, final int at, final int value)
        {
            if (at < f.length)
            {
                f[at] = (byte)value;
            }
        }

        private static void set16(final byte[] f, final int at, final int value)
        {
            set(f, at, value >> 8);
            set(f, at + 1, value);
        }
    }

    // ---- plumbing ----

    private byte[] marker()
    {
        final byte[] text = ("flowrec hostile marker " + MARKERS.incrementAndGet()).getBytes();
        return pad(eth(new byte[0], MARKER_TYPE, text), 60);
    }

    private static void assertCountersMove(final FlowProgram program, final long[] before, final long[] expected,
        final String where)
    {
        // The marker was captured after both hooks ran on it; a softirq on another CPU may still be finishing.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long[] moved = delta(before, counters(program));
        while (!Arrays.equals(expected, moved) && System.nanoTime() < deadline)
        {
            sleep(10);
            moved = delta(before, counters(program));
        }
        assertArrayEquals(expected, moved, where + ": counters " + names());
    }

    private static void assertFlow(final Case c, final boolean sees, final FlowProgram program, final int ifindex,
        final int direction, final String where)
    {
        program.sweep(0, Reasons.FINAL);
        final DrainedEvents events = DrainedEvents.drain(program.ringBuffer());
        if (c.outcome() != Outcome.FLOW || !sees)
        {
            assertEquals(0, events.list.size(), () -> where + ": " + events);
            return;
        }
        assertTrue(events.list.size() > 0, where + ": a flow");
        for (final DrainedEvents.Event e : events.list)
        {
            assertEquals(ifindex, e.ifindex(), () -> where + ": " + e.text());
            assertEquals(direction, e.direction(), () -> where + ": " + e.text());
            assertEquals(c.family(), e.family(), () -> where + ": " + e.text());
            assertEquals(c.proto(), e.proto(), () -> where + ": " + e.text());
            assertEquals(c.sport(), e.sport(), () -> where + ": " + e.text());
            assertEquals(c.dport(), e.dport(), () -> where + ": " + e.text());
            assertEquals(c.tcpFlags(), e.tcpFlags(), () -> where + ": " + e.text());
            assertArrayEquals(c.family() == 4 ? mapped(SRC4) : SRC6, e.src(), () -> where + ": " + e.text());
            assertArrayEquals(c.family() == 4 ? mapped(DST4) : DST6, e.dst(), () -> where + ": " + e.text());
        }
        assertEquals(COUNT, events.packets(), () -> where + ": " + events);
        assertEquals(COUNT * c.bytes(), events.bytes(), () -> where + ": " + events);
    }

    private static byte[] mapped(final byte[] v4)
    {
        final byte[] m = new byte[16];
        m[10] = (byte)0xFF;
        m[11] = (byte)0xFF;
        System.arraycopy(v4, 0, m, 12, 4);
        return m;
    }

    private static long[] counters(final FlowProgram program)
    {
        final long[] c = new long[KernelCounters.COUNT];
        program.readCounters(c);
        return c;
    }

    private static long[] delta(final long[] before, final long[] after)
    {
        final long[] d = new long[after.length];
        for (int i = 0; i < d.length; i++)
        {
            d[i] = after[i] - before[i];
        }
        return d;
    }

    private static String names()
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < KernelCounters.COUNT; i++)
        {
            names.add(KernelCounters.name(i));
        }
        return names.toString();
    }

    private static String python()
    {
        // The distribution's interpreter: a pyenv shim on PATH may not resolve inside `ip netns exec`.
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static String hex(final byte[] b)
    {
        return java.util.HexFormat.of().formatHex(b);
    }

    private interface Check
    {
        boolean ok() throws IOException;
    }

    private static void await(final Check check, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try
        {
            while (!check.ok())
            {
                if (System.nanoTime() > deadline)
                {
                    fail("timed out waiting for " + what);
                }
                sleep(5);
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void closeQuietly(final AutoCloseable c)
    {
        if (c == null)
        {
            return;
        }
        try
        {
            c.close();
        }
        catch (final Exception e)
        {
            System.err.println("closing " + c + ": " + e);
        }
    }

    /** Reads a pcap file (written packet-buffered by tcpdump -U) as it grows: the frames captured since last poll. */
    static final class Capture
    {
        private final Path file;
        private long offset = 24; // the global header

        Capture(final Path file)
        {
            this.file = file;
        }

        List<byte[]> poll() throws IOException
        {
            final List<byte[]> frames = new ArrayList<>();
            final byte[] all = Files.readAllBytes(file);
            if (all.length < 24)
            {
                return frames;
            }
            final ByteOrder order = (all[0] & 0xFF) == 0xD4 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            final ByteBuffer b = ByteBuffer.wrap(all).order(order);
            while (offset + 16 <= all.length)
            {
                final int caplen = b.getInt((int)offset + 8);
                final int origlen = b.getInt((int)offset + 12);
                if (offset + 16 + caplen > all.length)
                {
                    break;
                }
                assertEquals(origlen, caplen, "the capture keeps whole frames");
                frames.add(Arrays.copyOfRange(all, (int)offset + 16, (int)offset + 16 + caplen));
                offset += 16 + caplen;
            }
            return frames;
        }
    }
}
