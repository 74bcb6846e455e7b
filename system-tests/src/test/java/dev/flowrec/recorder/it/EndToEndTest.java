package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowrec.bpf.TcHooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 3, end to end: real traffic between two network namespaces, recorded by {@code scripts/flowrec record}
 * on one veth end, read back with {@code flowrec query --format csv}, and compared flow by flow, to the packet
 * and the byte, with an independent oracle: a tcpdump capture of the same interface counted by
 * {@code scripts/it/pcap-flows} (tshark). Nothing is excluded: ICMPv6 neighbour discovery is ICMPv6 and
 * counts on both sides. The namespaces are quiet (no RS, DAD or late MLD, see netns-pair), so the capture,
 * which starts before the recorder and stops after it, sees exactly the packets the recorder saw.
 *
 * Artifacts (capture, journal, logs, both CSVs) stay under system-tests/target/it-e2e/ for a failed run.
 */
class EndToEndTest
{
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path IT = ROOT.resolve("scripts/it");
    private static final Path FLOWREC = ROOT.resolve("scripts/flowrec");
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final Duration RECORDER_START = Duration.ofSeconds(180); // launcher runs setup, then a JVM
    private static final Pattern MSS = Pattern.compile("MSS payload (\\d+)");

    @RegisterExtension
    final TestRun run = new TestRun("it-e2e");
    private QuietPair pair;

    @BeforeAll
    static void requirements()
    {
        TestRun.assumeRootWith("end-to-end test needs root (netns, BPF, tcpdump)", List.of("ip", "tc", "ethtool", "tcpdump",
            "tshark", "mergecap", "capinfos", "socat", "hping3", "ping", "tcpreplay", "tcprewrite", "python3", "dpkg"));
        assumeTrue(Files.isExecutable(FLOWREC), FLOWREC + " does not exist yet");
    }

    /** Offloads off: every skb is a wire packet. TCP, UDP/IPv4, UDP/IPv6, fragments, ICMP, ICMPv6, SYN→RST. */
    @Test
    void shouldCountEveryFlowOfTheScenarioExactlyWithOffloadsOff()
    {
        final Recording recording = startRecording(false);

        Proc.run(SHORT, List.of(IT.resolve("traffic").toString(), pair.name(), "all")).ok();
        Proc.sleepMs(1500);
        stop(recording);

        final OneWayFlows expected = Capture.oracle(run, recording.pcap(), "oracle.csv");
        final OneWayFlows recorded = query(recording.journal());
        assertScenarioPresent(expected);
        assertSame(expected, recorded, k -> pair.isA(k.src()) ? "out" : "in");
    }

    /**
     * Offloads on: veth passes TSO super-packets of up to 64 KB, which the capture sees as one frame each. The
     * recorder must count wire packets (gso_segs) and wire bytes; the oracle segments each captured super-packet
     * at the connection's MSS (from its SYNs), and the sender's own count of segments sent (Tcp OutSegs plus
     * RetransSegs of namespace a, where only this connection sends) must agree with both. OutSegs leaves out
     * retransmitted segments, which a loaded machine does send (a capture held 45 of them) and the wire carries.
     */
    @Test
    void shouldCountTsoSuperPacketsAsTheWirePacketsTheyBecome()
    {
        final Recording recording = startRecording(true);

        final long sentBefore = segmentsSent();
        Proc.run(SHORT, List.of(IT.resolve("traffic").toString(), pair.name(), "tcp")).ok();
        Proc.sleepMs(1500);
        final long sent = segmentsSent() - sentBefore;
        stop(recording);

        final Proc.Result gso = Proc.run(SHORT, List.of(IT.resolve("pcap-flows").toString(), "--gso", "auto",
            recording.pcap().toString())).ok();
        run.write("oracle-gso.csv", gso.out());
        final Matcher mss = MSS.matcher(gso.err());
        assertTrue(mss.find(), "pcap-flows --gso auto found no SYN with an MSS option: " + gso.err());
        final OneWayFlows expected = OneWayFlows.fromOracleCsv(gso.out());
        final OneWayFlows asCaptured = Capture.oracle(run, recording.pcap(), "oracle-frames.csv");
        final OneWayFlows recorded = query(recording.journal());

        final OneWayFlows.Key data = new OneWayFlows.Key("tcp", pair.a4(), 40000, pair.b4(), 5000);
        assertTrue(expected.get(data) != null, "no data flow " + data + " in the capture\n" + expected.describe());
        assertTrue(asCaptured.get(data).packets < expected.get(data).packets,
            "the capture holds no TSO super-packets (" + asCaptured.get(data).packets + " frames for " +
                expected.get(data).packets + " wire packets): offloads did not take effect");
        assertEquals(sent, expected.get(data).packets,
            "oracle (MSS payload " + mss.group(1) + ") disagrees with Tcp OutSegs + RetransSegs of " + pair.a() + ": the oracle is wrong");
        assertSame(expected, recorded, k -> pair.isA(k.src()) ? "out" : "in");
        assertEquals(sent, recorded.get(data).packets, "recorded packets of " + data + " vs Tcp OutSegs + RetransSegs of " + pair.a());
    }

    /**
     * Real captures (python3-dpkt's examples), rewritten to private addresses, replayed from b onto NAME-vb:
     * they arrive at NAME-va's TC ingress even though their MACs are not NAME-va's (the IP stack of a then
     * drops them), so every one of their IP flows must be recorded "in", exactly as the file counts it.
     */
    @Test
    void shouldCountEveryFlowOfAReplayedCaptureOnIngress()
    {
        final Path replay = replayFile();
        final OneWayFlows expected = Capture.oracle(run, replay, "oracle-file.csv");
        for (final OneWayFlows.Key k : expected.flows().keySet())
        {
            assertTrue(isPrivate(k.src()) && isPrivate(k.dst()), "refusing to replay a public address: " + k);
        }
        final long frames = frames(replay);

        final Recording recording = startRecording(false);

        final Proc.Result sent = Proc.run(SHORT, pair.inB("tcpreplay", "--topspeed", "-i", pair.vb(), replay.toString())).ok();
        run.write("tcpreplay.out", sent.out() + sent.err());
        assertTrue(sent.out().contains("Actual: " + frames + " packets") && sent.out().matches("(?s).*Failed packets:\\s+0\\b.*"),
            "tcpreplay did not send all " + frames + " frames:\n" + sent.out());
        Proc.sleepMs(1500);
        stop(recording);

        final OneWayFlows delivered = Capture.oracle(run, recording.pcap(), "oracle.csv");
        assertEquals("", OneWayFlows.differences(expected, delivered, null, null),
            "the capture on " + pair.va() + " is not the replayed file");
        assertSame(expected, query(recording.journal()), k -> "in");
        assertAggregatesEqualTheOracle(expected, recording.journal());
    }

    /**
     * The engine's folds against the same capture counted independently (tshark, summed here): per-protocol
     * totals, top talkers by bytes, and a filtered group-by.
     */
    private void assertAggregatesEqualTheOracle(final OneWayFlows expected, final Path journal)
    {
        final Map<String, long[]> byProto = new TreeMap<>();
        final Map<String, long[]> bySource = new TreeMap<>();
        final Map<String, long[]> udpByDestination = new TreeMap<>();
        for (final Map.Entry<OneWayFlows.Key, OneWayFlows.Flow> e : expected.flows().entrySet())
        {
            final OneWayFlows.Key k = e.getKey();
            add(byProto, k.proto(), e.getValue());
            add(bySource, k.src(), e.getValue());
            if (k.proto().equals("udp") && k.dport() == 53)
            {
                add(udpByDestination, k.dst(), e.getValue());
            }
        }
        assertEquals(rows(byProto, Long.MAX_VALUE), grouped(journal, "--group-by", "proto"), "per-protocol totals");
        assertEquals(rows(bySource, 3), grouped(journal, "--group-by", "src_addr", "--top", "3", "--by", "bytes"),
            "top 3 talkers by bytes");
        assertEquals(rows(udpByDestination, Long.MAX_VALUE),
            grouped(journal, "--group-by", "dst_addr", "--where", "udp and dst port 53"), "DNS servers asked");
    }

    private static void add(final Map<String, long[]> groups, final String key, final OneWayFlows.Flow flow)
    {
        final long[] sums = groups.computeIfAbsent(key, k -> new long[3]);
        sums[0]++;
        sums[1] += flow.packets;
        sums[2] += flow.bytes;
    }

    /** Groups as "key,flows,packets,bytes" lines, largest bytes first (ties by key), at most {@code top}. */
    private static List<String> rows(final Map<String, long[]> groups, final long top)
    {
        return groups.entrySet().stream()
            .sorted(java.util.Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[2])
                .thenComparing(Map.Entry::getKey))
            .limit(top)
            .map(e -> e.getKey() + "," + e.getValue()[0] + "," + e.getValue()[1] + "," + e.getValue()[2])
            .toList();
    }

    private List<String> grouped(final Path journal, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(FLOWREC.toString(), "query", "--journal", journal.toString(),
            "--format", "csv"));
        command.addAll(List.of(args));
        final Proc.Result r = Proc.run(Duration.ofSeconds(180), command).ok();
        run.write("grouped-" + String.join("_", args).replaceAll("[^a-z0-9_]", "") + ".csv", r.out());
        return r.out().lines().skip(1).toList();
    }

    // ---- steps ----

    /** A capture of NAME-va and a recorder of it, both running: what each scenario is measured with. */
    private record Recording(Path pcap, Path journal, Proc.Background capture, Proc.Background recorder)
    {
    }

    /** Brings up the quiet pair, then the capture, then the recorder: the capture sees all the recorder sees. */
    private Recording startRecording(final boolean offloads)
    {
        pair = QuietPair.up(run.fixture(), IT, offloads);
        final Path pcap = run.dir().resolve("capture.pcap");
        final Path journal = run.dir().resolve("journal");
        // Offloads on: headers only (TCP options included), or super-packets overrun tcpdump's buffer under load.
        final Proc.Background capture = offloads
            ? Capture.start(run, "tcpdump", pair::inA, pair.va(), pcap, 160)
            : Capture.start(run, "tcpdump", pair::inA, pair.va(), pcap);
        return new Recording(pcap, journal, capture, startRecorder(journal));
    }

    /** The recorder first, then the capture, so the capture holds every packet the recorder saw. */
    private void stop(final Recording recording)
    {
        stopRecorder(recording.recorder());
        Capture.stop(recording.capture());
    }

    private Proc.Background startRecorder(final Path journal)
    {
        try
        {
            Files.createDirectories(journal);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Proc.Background p = run.start("recorder", pair.inA(FLOWREC.toString(), "record", "--iface", pair.va(),
            "--journal", journal.toString(), "--flush-interval", "1s"));
        // Ready when its programs are on both hooks of the interface: from then on every packet counts.
        Proc.await(RECORDER_START, "the recorder to attach to " + pair.va() + " (ingress and egress)",
            () -> !p.alive() || (hasBpfFilter("ingress") && hasBpfFilter("egress")),
            () -> "recorder stderr:\n" + p.err());
        assertTrue(p.alive(), "the recorder exited at start:\n" + p.err() + p.out());
        return p;
    }

    private void stopRecorder(final Proc.Background p)
    {
        final int exit = p.stop(Duration.ofSeconds(60));
        assertEquals(0, exit, "recorder exit status after SIGTERM (pid " + p.pid() + ")\nstderr:\n" + p.err());
    }

    private OneWayFlows query(final Path journal)
    {
        final Proc.Result r = Proc.run(Duration.ofSeconds(180),
            List.of(FLOWREC.toString(), "query", "--journal", journal.toString(), "--format", "csv")).ok();
        run.write("recorded.csv", r.out());
        return OneWayFlows.fromRecorderCsv(r.out());
    }

    private void assertSame(final OneWayFlows expected, final OneWayFlows recorded,
        final java.util.function.Function<OneWayFlows.Key, String> direction)
    {
        assertTrue(!expected.flows().isEmpty(), "the capture holds no IP flows at all");
        final String diff = OneWayFlows.differences(expected, recorded, pair.va(), direction);
        assertEquals("", diff, "recorded flows differ from the capture of " + pair.va() + " (artifacts in " + run.dir() + ")");
    }

    /** The scenario really ran: each kind of flow it promises is in the capture. */
    private void assertScenarioPresent(final OneWayFlows t)
    {
        final List<OneWayFlows.Key> promised = List.of(
            new OneWayFlows.Key("tcp", pair.a4(), 40000, pair.b4(), 5000),
            new OneWayFlows.Key("udp", pair.a4(), 40001, pair.b4(), 5001),
            new OneWayFlows.Key("udp", pair.a6(), 40002, pair.b6(), 5002),
            new OneWayFlows.Key("udp", pair.a4(), 40003, pair.b4(), 5003),
            new OneWayFlows.Key("udp", pair.a4(), 0, pair.b4(), 0),
            new OneWayFlows.Key("udp", pair.a6(), 40004, pair.b6(), 5004),
            new OneWayFlows.Key("udp", pair.a6(), 0, pair.b6(), 0),
            new OneWayFlows.Key("icmp", pair.a4(), 0, pair.b4(), 8 * 256),
            new OneWayFlows.Key("icmp", pair.b4(), 0, pair.a4(), 0),
            new OneWayFlows.Key("icmpv6", pair.a6(), 0, pair.b6(), 128 * 256),
            new OneWayFlows.Key("icmpv6", pair.b6(), 0, pair.a6(), 129 * 256),
            new OneWayFlows.Key("tcp", pair.a4(), 40005, pair.b4(), 5999),
            new OneWayFlows.Key("tcp", pair.b4(), 5999, pair.a4(), 40005));
        final List<OneWayFlows.Key> missing = promised.stream().filter(k -> t.get(k) == null).toList();
        assertTrue(missing.isEmpty(), "the scenario did not produce " + missing + "\n" + t.describe());
        assertEquals(5, t.get(promised.get(7)).packets, "ICMP echo requests\n" + t.describe());
        assertEquals(5 * 84, t.get(promised.get(7)).bytes, "ICMP echo request bytes\n" + t.describe());
        assertEquals(3, t.get(promised.get(11)).packets, "hping3 SYNs\n" + t.describe());
        assertEquals(3, t.get(promised.get(12)).packets, "RSTs for the SYNs\n" + t.describe());
    }

    // ---- helpers ----

    private boolean hasBpfFilter(final String hook)
    {
        return TcHooks.show(pair.a(), pair.va(), hook).contains(" bpf ");
    }

    /** Tcp OutSegs + RetransSegs of namespace a: segments sent, each TSO segment counted (tcp_skb_pcount). */
    private long segmentsSent()
    {
        final String snmp = Proc.run(SHORT, pair.inA("cat", "/proc/net/snmp")).ok().out();
        final List<String> tcp = snmp.lines().filter(l -> l.startsWith("Tcp:")).toList();
        final List<String> names = List.of(tcp.get(0).split("\\s+"));
        final String[] values = tcp.get(1).split("\\s+");
        return Long.parseLong(values[names.indexOf("OutSegs")]) + Long.parseLong(values[names.indexOf("RetransSegs")]);
    }

    /** dns_icmp.pcap and http.pcap of python3-dpkt, one after the other, addresses rewritten into 10.0.0.0/8. */
    private Path replayFile()
    {
        final List<String> files = Proc.ok(SHORT, "dpkg", "-L", "python3-dpkt").out().lines()
            .filter(l -> l.endsWith("/dns_icmp.pcap") || l.endsWith("/http.pcap")).sorted().toList();
        assumeTrue(files.size() == 2, "python3-dpkt's example captures are not installed");
        final Path merged = run.dir().resolve("merged.pcap");
        final Path replay = run.dir().resolve("replay.pcap");
        final List<String> merge = new ArrayList<>(List.of("mergecap", "-F", "pcap", "-a", "-w", merged.toString()));
        merge.addAll(files);
        Proc.run(SHORT, merge).ok();
        Proc.ok(SHORT, "tcprewrite", "--pnat=0.0.0.0/0:10.0.0.0/8", "--fixcsum", "-i", merged.toString(), "-o", replay.toString());
        return replay;
    }

    private static long frames(final Path pcap)
    {
        final String out = Proc.ok(SHORT, "capinfos", "-c", "-M", pcap.toString()).out();
        final Matcher m = Pattern.compile("Number of packets:\\s+(\\d+)").matcher(out);
        assertTrue(m.find(), "capinfos: " + out);
        return Long.parseLong(m.group(1));
    }

    private static boolean isPrivate(final String addr)
    {
        return addr.startsWith("10.") || addr.startsWith("fd");
    }
}
