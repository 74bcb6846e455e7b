package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, load: a million distinct flows through a flow map bounded far below that (--max-flows), replayed at top
 * speed onto a recorded veth. What the program does when its map is full (bpf/src/main/c/flowrec.bpf.c): it evicts
 * nothing; a packet that finds no room is sent alone as its own delta (reason map_full, counted in the kernel's
 * map_full counter), and room comes back when the idle sweeper removes flows that went quiet. So every packet is
 * accounted for, in the journal or, if the ring buffer overflowed, in the journaled ring-loss counters; the map
 * recycles (more flows pass through it than it holds); a ping through the same veth during the flood is answered;
 * and after the flood a new flow is journaled at once, and into the map (map_full does not move).
 */
class MapFullTest
{
    private static final int FLOWS = 1_000_000;
    private static final int MAX_FLOWS = 20_000;
    private static final int UDP_IP_BYTES = 46;  // 20 IP + 8 UDP + 18 payload: 60-byte frames
    private static final int ICMP_IP_BYTES = 84; // 20 IP + 8 ICMP + 56 payload
    private static final int ECHO_REQUEST = 8 * 256;
    private static final Pattern PING = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern SENT = Pattern.compile("Successful packets:\\s+(\\d+)");

    private final NetnsFixture net = new NetnsFixture();
    private String a;
    private String b;
    private Process recorder;
    private Process ping;

    @TempDir
    Path tmp;

    @BeforeEach
    void createPair()
    {
        final NetnsFixture.Pair pair = net.ipv4Pair("frldm0", "10.216.0.1/24", "frldm1", "10.216.0.2/24");
        a = pair.a();
        b = pair.b();
    }

    @AfterEach
    void deletePair() throws Exception
    {
        if (ping != null && ping.isAlive())
        {
            ping.destroyForcibly();
            ping.waitFor(30, TimeUnit.SECONDS);
        }
        if (recorder != null && recorder.isAlive())
        {
            recorder.destroyForcibly();
            recorder.waitFor(30, TimeUnit.SECONDS);
        }
        net.close();
    }

    @Test
    void shouldAccountForAMillionFlowsThroughAFullMapWithoutStalling() throws Exception
    {
        final Path pcap = writePcap(tmp.resolve("flows.pcap"), FLOWS);
        final Path journal = tmp.resolve("j");
        final Path log = tmp.resolve("recorder.log");
        recorder = start(journal, log, "--max-flows", Integer.toString(MAX_FLOWS), "--flush-interval", "1s");

        // A ping through the same veth for as long as the flood lasts (SIGINT makes ping print its summary).
        ping = new ProcessBuilder("ip", "netns", "exec", a, "ping", "-n", "-q", "-i", "0.2", "-W", "5", "10.216.0.2")
            .redirectErrorStream(true).redirectOutput(tmp.resolve("ping.out").toFile()).start();
        final long floodStartNs = System.nanoTime();
        final long sent = replay(pcap);
        final long floodMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - floodStartNs);
        Thread.sleep(300);
        Sh.ok("kill", "-INT", Long.toString(ping.pid()));
        assertTrue(ping.waitFor(30, TimeUnit.SECONDS));
        final Matcher pinged = PING.matcher(Files.readString(tmp.resolve("ping.out")));
        assertTrue(pinged.find(), () -> "ping summary: " + Logs.read(tmp.resolve("ping.out")));
        final long echoSent = Long.parseLong(pinged.group(1));
        final long echoAnswered = Long.parseLong(pinged.group(2));
        assertEquals(FLOWS, sent, "tcpreplay sent every frame");
        assertTrue(echoSent >= 3, "the ping ran during the flood: " + echoSent + " sent");
        assertTrue(echoAnswered >= echoSent - 1, "no stall: the ping through the flooded veth was answered ("
            + echoAnswered + " of " + echoSent + "; the last may be cut by SIGINT)");

        final long mapFullInMetrics = metric("flowrec_map_full_total");
        assertTrue(mapFullInMetrics > 0, "the map was full during the flood: map_full in /metrics");

        // After the flood: once the idle sweeper has removed the quiet flows (idle 1 s, swept every 0.5 s), a new flow
        // (pings from b to a) is journaled at once and finds room in the map: map_full does not move.
        Thread.sleep(3000);
        final long mapFullBefore = metric("flowrec_map_full_total");
        final long probeMs;
        try (JournalReader tail = JournalReader.open(journal))
        {
            tail.toEnd();
            final long probeNs = System.nanoTime();
            final Process probe = new ProcessBuilder("ip", "netns", "exec", b, "ping", "-n", "-q", "-c", "5", "-i", "0.05", "10.216.0.1")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("probe.out").toFile()).start();
            probeMs = awaitProbeDelta(tail, probeNs);
            assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Logs.read(tmp.resolve("probe.out")).contains("5 packets transmitted, 5 received"), Logs.read(tmp.resolve("probe.out")));
        }
        assertEquals(mapFullBefore, metric("flowrec_map_full_total"), "a new flow after the flood found room in the map");
        assertEquals("200", Sh.httpStatus(a, "/healthz"));

        recorder.destroy();
        assertTrue(recorder.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, recorder.exitValue(), () -> Logs.read(log));
        final Link link = link();

        // The journal, through the command line: one row per (proto, direction, source, destination port).
        final Map<String, long[]> rows = new HashMap<>();
        final Sh q = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv",
            "--group-by", "proto,direction,src_addr,dst_port");
        for (final String row : q.out().lines().skip(1).toList())
        {
            final String[] f = row.split(",", -1);
            rows.put(f[0] + " " + f[1] + " " + f[2] + " " + f[3], new long[] {Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6])});
        }
        final long[] udp = new long[3]; // flows, packets, bytes of the flood
        long all = 0;
        for (final Map.Entry<String, long[]> e : rows.entrySet())
        {
            all += e.getValue()[1];
            if (e.getKey().startsWith("udp out 10.216.1.1 "))
            {
                for (int i = 0; i < 3; i++)
                {
                    udp[i] += e.getValue()[i];
                }
            }
        }
        final long udpFlows = udp[0];
        final long udpPackets = udp[1];
        final long udpBytes = udp[2];
        final long journaledPackets = all;
        final long requests = rows.getOrDefault("icmp out 10.216.0.1 " + ECHO_REQUEST, new long[3])[1];
        final long replies = rows.getOrDefault("icmp in 10.216.0.2 0", new long[3])[1];

        final JournalTally t = JournalTally.read(journal);
        final long udpFirst = t.udpDeltasByReason[FlowDeltas.REASON_FIRST];
        final long udpMapFull = t.udpDeltasByReason[FlowDeltas.REASON_MAP_FULL];
        System.out.printf("MapFullTest: %d frames sent in %d ms (tcpreplay); ping %d/%d answered; journaled %d udp flows, "
                + "%d packets, %d bytes; map_full %d (in /metrics after the flood %d); udp deltas: %d first-in-map, %d map_full; "
                + "ring lost %d events, %d packets; deferred %d; kernel saw %d packets, %d non-IP; veth tx %d (+%d dropped), rx %d; "
                + "new flow after the flood journaled %d ms after starting its ping%n",
            sent, floodMs, echoAnswered, echoSent, udpFlows, udpPackets, udpBytes, t.mapFull, mapFullInMetrics, udpFirst, udpMapFull,
            t.ringLostEvents, t.ringLostPackets, t.ringDeferred, t.packetsSeen, t.nonIp, link.txPackets, link.txDropped,
            link.rxPackets, probeMs);

        // A first delta the full ring deferred goes out later, from the sweeper: idle, or final when the recorder stops.
        final long udpIdle = t.udpDeltasByReason[FlowDeltas.REASON_IDLE] + t.udpDeltasByReason[FlowDeltas.REASON_FINAL];
        System.out.println("MapFullTest: udp deltas by reason (FlowDelta.REASON_*) " + Arrays.toString(t.udpDeltasByReason));
        final long probePackets = 10; // 5 echo requests from b and their replies
        final long replyPackets = t.packetsSeen - FLOWS - probePackets - echoSent; // replies to the flood-time ping that crossed
        assertAll(
            // Every frame that crossed the veth was seen by the program; every IP packet it saw is journaled or counted lost.
            () -> assertEquals(link.txPackets + link.txDropped + link.rxPackets, t.packetsSeen + t.nonIp + t.malformed,
                "every frame on the veth moved one kernel counter"),
            () -> assertEquals(t.packetsSeen, journaledPackets + t.ringLostPackets, "journaled + ring-lost = seen by the kernel"),
            () -> assertTrue(replyPackets >= echoAnswered && replyPackets <= echoSent,
                "the kernel saw the flood, the pings and the probe, nothing else: " + t.packetsSeen),
            () -> assertEquals(0, t.journalLostEvents, "the journal wrote every event"),
            // The flood itself, exactly: a million flows of one packet each; what is missing, the ring's loss counted.
            () -> assertTrue(udpPackets <= FLOWS && udpPackets + t.ringLostPackets >= FLOWS,
                "udp: journaled " + udpPackets + " + ring-lost " + t.ringLostPackets + " = sent " + FLOWS),
            () -> assertEquals(udpPackets, udpFlows, "one flow per journaled udp packet"),
            () -> assertEquals(udpPackets * UDP_IP_BYTES, udpBytes, "udp bytes"),
            () -> assertEquals(echoSent, requests, "every echo request of the flood-time ping is journaled"),
            () -> assertEquals(replyPackets, replies, "every echo reply that crossed is journaled"),
            // What the kernel does with a full map: packets sent alone, counted; quiet flows swept out to make room.
            () -> assertTrue(t.mapFull > 0, "map_full journaled: " + t.mapFull),
            () -> assertTrue(t.mapFull >= mapFullInMetrics, "the journaled map_full is the last /metrics showed, or later"),
            () -> assertTrue(udpMapFull > 0 && udpMapFull <= t.mapFull
                    && t.mapFull <= udpMapFull + t.ringLostEvents + echoSent + replyPackets,
                "map_full counts the packets journaled alone (" + udpMapFull + "), plus any the ring lost"),
            () -> assertTrue(udpFirst + udpIdle > MAX_FLOWS,
                "the map recycles: " + (udpFirst + udpIdle) + " flows passed through a map of " + MAX_FLOWS),
            // A flood flow has one packet: journaled in its first delta (idle or final only if the full ring deferred that
            // delta to the sweeper), or alone (map_full). Never as a sweeper race: a running sweep leaves fresh flows alone.
            () -> assertTrue(udpIdle <= t.ringDeferred, "idle first deltas only when deferred: " + udpIdle),
            () -> assertEquals(udpPackets, udpFirst + udpIdle + udpMapFull,
                "a flood packet is journaled in its flow's first delta or alone; udp deltas by reason " + Arrays.toString(t.udpDeltasByReason)));
    }

    /**
     * The same flood with a ring buffer far too small (4 KiB, 46 records): packets a full map sends alone find the ring
     * full too. They are counted as ring loss, so that journaled + lost = sent, packet for packet and byte for byte,
     * and the query says the answer is incomplete.
     */
    @Test
    void shouldCountWhatTheRingLosesWhenAFullMapSendsPacketsAlone() throws Exception
    {
        final int flows = 200_000;
        final Path pcap = writePcap(tmp.resolve("flows.pcap"), flows);
        final Path journal = tmp.resolve("j");
        final Path log = tmp.resolve("recorder.log");
        recorder = start(journal, log, "--max-flows", "1000", "--flush-interval", "1s", "--ring-size", "4096");
        final long sent = replay(pcap);
        Thread.sleep(300);
        recorder.destroy();
        assertTrue(recorder.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, recorder.exitValue(), () -> Logs.read(log));
        assertEquals(flows, sent, "tcpreplay sent every frame");
        final Link link = link();

        final Sh q = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv", "--group-by", "proto,direction");
        long packets = 0;
        long bytes = 0;
        for (final String row : q.out().lines().skip(1).toList())
        {
            final String[] f = row.split(",", -1);
            assertEquals("udp,out", f[0] + "," + f[1], () -> "only the flood crossed: " + row);
            packets += Long.parseLong(f[3]);
            bytes += Long.parseLong(f[4]);
        }
        final JournalTally t = JournalTally.read(journal);
        System.out.printf("MapFullTest (4 KiB ring): %d frames sent; journaled %d packets, %d bytes; ring lost %d events, %d packets, "
                + "%d bytes; map_full %d (journaled alone: %d); deferred %d; kernel saw %d packets%n",
            sent, packets, bytes, t.ringLostEvents, t.ringLostPackets, t.ringLostBytes, t.mapFull,
            t.udpDeltasByReason[FlowDeltas.REASON_MAP_FULL], t.ringDeferred, t.packetsSeen);
        final long journaledPackets = packets;
        final long journaledBytes = bytes;
        assertAll(
            () -> assertEquals(link.txPackets + link.txDropped + link.rxPackets, t.packetsSeen + t.nonIp + t.malformed,
                "every frame on the veth moved one kernel counter"),
            () -> assertEquals(flows, t.packetsSeen, "the kernel saw the flood"),
            () -> assertTrue(t.ringLostPackets > 0, "a 4 KiB ring overflows under the flood"),
            () -> assertTrue(t.mapFull > 0, "the map of 1000 flows was full"),
            () -> assertEquals(flows, journaledPackets + t.ringLostPackets, "journaled + lost = sent, packets"),
            () -> assertEquals((long)flows * UDP_IP_BYTES, journaledBytes + t.ringLostBytes, "journaled + lost = sent, bytes"),
            () -> assertTrue(q.err().contains("lost " + t.ringLostEvents + " deltas (" + t.ringLostPackets + " packets, "
                + t.ringLostBytes + " bytes)"), () -> "the query says what was lost: " + q.err()));
    }

    private Process start(final Path journal, final Path log, final String... options) throws Exception
    {
        final String[] args = new String[6 + options.length];
        System.arraycopy(new String[] {"record", "--iface", "frldm0", "--journal", journal.toString(), "--http=127.0.0.1:8080"}, 0, args, 0, 6);
        System.arraycopy(options, 0, args, 6, options.length);
        final Process p = new ProcessBuilder(Sh.flowrecIn(a, args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Logs.await(p, log, "flowrec record: recording", 1200);
        return p;
    }

    /** tcpreplay at top speed out of frldm0; returns the frames it sent. */
    private long replay(final Path pcap) throws Exception
    {
        final Sh r = Sh.ok("ip", "netns", "exec", a, "tcpreplay", "--topspeed", "-i", "frldm0", pcap.toString());
        final Matcher m = SENT.matcher(r.out());
        assertTrue(m.find(), () -> "tcpreplay: " + r.out() + r.err());
        return Long.parseLong(m.group(1));
    }

    /** Waits for the probe's first delta (b's echo request arriving on frldm0); returns ms since the probe started. */
    private static long awaitProbeDelta(final JournalReader tail, final long probeNs) throws Exception
    {
        final FlowDeltaDecoder d = new FlowDeltaDecoder();
        final boolean[] seen = new boolean[1];
        for (int i = 0; i < 3000 && !seen[0]; i++)
        {
            if (tail.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == FlowDeltaDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(d, buffer, offset);
                    seen[0] |= d.proto() == 1 && d.direction() == 0 && d.dstPort() == ECHO_REQUEST &&
                        (int)FlowDeltas.srcAddrLow(d) == 0x0AD8_0002;
                }
            }, 1024) == 0)
            {
                Thread.sleep(10);
            }
        }
        assertTrue(seen[0], "the new flow after the flood is journaled");
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probeNs);
    }

    /**
     * A pcap of {@code flows} UDP frames 10.216.1.1 → 10.216.1.2, each its own 5-tuple (source port 1..62500, destination
     * port 1000 + i / 62500), to a MAC nobody has: the receiving namespace drops them at layer 2, nothing answers.
     */
    static Path writePcap(final Path file, final int flows) throws IOException
    {
        final int frame = 14 + UDP_IP_BYTES;
        final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            buf.order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
                .putInt(65535).putInt(1); // pcap global header, LINKTYPE_ETHERNET
            final byte[] ip = {0x45, 0, 0, (byte)UDP_IP_BYTES, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, (byte)216, 1, 1, 10, (byte)216, 1, 2};
            final int sum = ipChecksum(ip);
            ip[10] = (byte)(sum >> 8);
            ip[11] = (byte)sum;
            for (int i = 0; i < flows; i++)
            {
                if (buf.remaining() < 16 + frame)
                {
                    flush(ch, buf);
                }
                buf.order(ByteOrder.LITTLE_ENDIAN).putInt(i / 1_000_000).putInt(i % 1_000_000).putInt(frame).putInt(frame);
                buf.order(ByteOrder.BIG_ENDIAN)
                    .putShort((short)0x0200).putInt(0x0000_0001)   // destination MAC 02:00:00:00:00:01
                    .putShort((short)0x0200).putInt(0x0000_0002)   // source MAC 02:00:00:00:00:02
                    .putShort((short)0x0800)
                    .put(ip)
                    .putShort((short)(1 + i % 62_500)).putShort((short)(1000 + i / 62_500))
                    .putShort((short)(8 + 18)).putShort((short)0) // UDP length; no checksum (allowed over IPv4)
                    .put(new byte[18]);
            }
            flush(ch, buf);
        }
        return file;
    }

    private static void flush(final FileChannel ch, final ByteBuffer buf) throws IOException
    {
        buf.flip();
        while (buf.hasRemaining())
        {
            ch.write(buf);
        }
        buf.clear();
    }

    private static int ipChecksum(final byte[] header)
    {
        int sum = 0;
        for (int i = 0; i < header.length; i += 2)
        {
            sum += ((header[i] & 0xff) << 8) | (header[i + 1] & 0xff);
        }
        sum = (sum >> 16) + (sum & 0xffff);
        sum += sum >> 16;
        return ~sum & 0xffff;
    }

    private record Link(long txPackets, long txDropped, long rxPackets)
    {
    }

    private Link link() throws Exception
    {
        final String json = Sh.ok("ip", "-n", a, "-s", "-j", "link", "show", "frldm0").out();
        final Matcher rx = Pattern.compile("\"rx\":\\{\"bytes\":\\d+,\"packets\":(\\d+)").matcher(json);
        final Matcher tx = Pattern.compile("\"tx\":\\{\"bytes\":\\d+,\"packets\":(\\d+),\"errors\":\\d+,\"dropped\":(\\d+)").matcher(json);
        assertTrue(rx.find() && tx.find(), () -> "ip -s -j link: " + json);
        return new Link(Long.parseLong(tx.group(1)), Long.parseLong(tx.group(2)), Long.parseLong(rx.group(1)));
    }

    private long metric(final String name) throws Exception
    {
        final String metrics = Sh.ok("ip", "netns", "exec", a, "curl", "-s", "http://127.0.0.1:8080/metrics").out();
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> (long)Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in /metrics:\n" + metrics));
    }
}
