package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowrec.bpf.TcHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, item 4: flows cut by the inactive timeout and by a SYN after FIN, counted by flowrec and, on a capture
 * of the same packets, by tshark: two UDP runs 6 s apart from one socket (and the ICMP port unreachables they draw),
 * given a 3 s inactive timeout, are as many flows as the capture has runs of that tuple with no gap over 3 s; two TCP
 * connections from the same client port, the server closing each first, 2.5 s apart (less than the timeout, so only
 * the SYN cuts them), are as many flows each way as the capture holds SYNs that way. The NetFlow exporters at hand do
 * not serve as the oracle here: on a file, softflowd ({@code -r}, with or without {@code -a}) and nfdump's nfpcapd
 * expire flows by the wall clock, so they never cut a file read in one go (both print the UDP runs as one flow), and
 * nfpcapd makes a flow of every ICMP packet; softflowd on a live quiet veth processes nothing (libpcap's TPACKET_V3
 * without immediate mode).
 */
class FlowCutOracleTest
{
    private static final Path IT = TestRun.ROOT.resolve("scripts/it");
    private static final Path FLOWREC = TestRun.ROOT.resolve("scripts/flowrec");
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final Duration RECORDER_START = Duration.ofSeconds(180);
    private static final String CLIENT = """
        import socket, sys, time
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(('', 40200))
        for run in range(2):
            for i in range(5):
                u.sendto(b'x' * 100, (sys.argv[1], 5001))
                time.sleep(0.2)
            if run == 0:
                time.sleep(6)
        for i in range(2):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('', 40100))
            s.connect((sys.argv[1], 5000))
            while s.recv(4096):
                pass
            s.close()
            time.sleep(2.5)
        """;

    @RegisterExtension
    final TestRun run = new TestRun("it-flow-cut");

    @BeforeAll
    static void requirements()
    {
        TestRun.assumeRootWith("the flow-cut oracle test needs root (netns, BPF, tcpdump)",
            List.of("ip", "tc", "tcpdump", "tshark", "socat", "python3"));
        assumeTrue(Files.isExecutable(FLOWREC), FLOWREC + " does not exist yet");
    }

    @Test
    void shouldCutFlowsAsTheCaptureDoes() throws IOException
    {
        final QuietPair pair = QuietPair.up(run.fixture(), IT, false);
        final Path journal = Files.createDirectories(run.dir().resolve("journal"));
        final Path pcap = run.dir().resolve("capture.pcap");
        final Proc.Background capture = Capture.start(run, "tcpdump", pair::inA, pair.va(), pcap);
        final Proc.Background recorder = startRecorder(pair, journal);
        final Proc.Background server = run.start("server", pair.inB("socat", "TCP4-LISTEN:5000,reuseaddr,fork",
            "SYSTEM:head -c 3000 /dev/zero"));
        Proc.await(SHORT, "the server to listen", () -> Proc.run(SHORT, pair.inB("ss", "-Hltn", "sport = :5000")).out()
            .contains("5000"), server::err);

        Proc.ok(SHORT, pair.inA("python3", "-c", CLIENT, pair.b4()).toArray(String[]::new));
        Proc.sleepMs(1500);
        assertEquals(0, recorder.stop(SHORT), "recorder exit status\n" + recorder.err());
        Capture.stop(capture);

        final Map<String, Long> flowrec = flowrec(journal);
        final String udp = "udp " + pair.a4() + ":40200 > " + pair.b4() + ":5001";
        final long udpRuns = runs(pcap, "udp.srcport == 40200");
        assertEquals(2L, udpRuns, "the capture's UDP runs");
        assertEquals(udpRuns, flowrec.get(udp), udp + ": flowrec " + flowrec);
        final String unreachable = "icmp " + pair.b4() + " > " + pair.a4();
        assertEquals(runs(pcap, "icmp.type == 3 && ip.src == " + pair.b4()), flowrec.get(unreachable),
            unreachable + ": flowrec " + flowrec);

        final String tcp = "tcp " + pair.a4() + ":40100 > " + pair.b4() + ":5000";
        final String tcpBack = "tcp " + pair.b4() + ":5000 > " + pair.a4() + ":40100";
        assertEquals(2L, syns(pcap, pair.a4(), 40100), "the capture's connections");
        assertEquals(syns(pcap, pair.a4(), 40100), flowrec.get(tcp), tcp + ": flowrec " + flowrec);
        assertEquals(syns(pcap, pair.b4(), 5000), flowrec.get(tcpBack), tcpBack + ": flowrec " + flowrec);
    }

    private Proc.Background startRecorder(final QuietPair pair, final Path journal)
    {
        final Proc.Background p = run.start("recorder", pair.inA(FLOWREC.toString(), "record", "--iface", pair.va(),
            "--journal", journal.toString(), "--flush-interval", "1s"));
        Proc.await(RECORDER_START, "the recorder to attach to " + pair.va(),
            () -> !p.alive() || filters(pair).contains(" bpf "), () -> "recorder stderr:\n" + p.err());
        assertTrue(p.alive(), "the recorder exited at start:\n" + p.err());
        return p;
    }

    private static String filters(final QuietPair pair)
    {
        return TcHooks.show(pair.a(), pair.va(), "ingress").contains(" bpf ") &&
            TcHooks.show(pair.a(), pair.va(), "egress").contains(" bpf ") ? " bpf " : "";
    }

    /** Runs of the capture's packets that match {@code filter} with no gap over the 3 s inactive timeout. */
    private static long runs(final Path pcap, final String filter)
    {
        final Proc.Result r = Proc.ok(SHORT, "tshark", "-n", "-r", pcap.toString(), "-Y", filter, "-T", "fields",
            "-e", "frame.time_epoch");
        long runs = 0;
        double last = Double.NEGATIVE_INFINITY;
        for (final String line : r.out().lines().filter(l -> !l.isBlank()).toList())
        {
            final double t = Double.parseDouble(line.trim());
            runs += t - last > 3.0 ? 1 : 0;
            last = t;
        }
        return runs;
    }

    /** The SYNs the capture holds from {@code addr:port}: connections opened (SYN) or accepted (SYN-ACK) there. */
    private static long syns(final Path pcap, final String addr, final int port)
    {
        final Proc.Result r = Proc.ok(SHORT, "tshark", "-n", "-r", pcap.toString(), "-Y",
            "tcp.flags.syn == 1 && ip.src == " + addr + " && tcp.srcport == " + port, "-T", "fields", "-e", "frame.number");
        return r.out().lines().filter(l -> !l.isBlank()).count();
    }

    private Map<String, Long> flowrec(final Path journal)
    {
        final Proc.Result r = Proc.ok(Duration.ofSeconds(180), FLOWREC.toString(), "query", "--journal",
            journal.toString(), "--format", "csv", "--inactive-timeout", "3s",
            "--group-by", "proto,src_addr,src_port,dst_addr,dst_port");
        run.write("flowrec.csv", r.out());
        final Map<String, Long> flows = new TreeMap<>();
        for (final String line : r.out().lines().skip(1).toList())
        {
            final String[] f = line.split(",");
            flows.merge(key(f[0], f[1], f[2], f[3], f[4]), Long.parseLong(f[5]), Long::sum);
        }
        return flows;
    }

    private static String key(final String proto, final String src, final String sport, final String dst,
        final String dport)
    {
        return proto.startsWith("icmp") ? proto + " " + src + " > " + dst
            : proto + " " + src + ":" + sport + " > " + dst + ":" + dport;
    }
}
