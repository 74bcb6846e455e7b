package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4, whole host, every container: four containers named as docker, containerd, podman and CRI-O name
 * them (scripts/testnet), one recorder with {@code --containers} in the host namespace. Every container's
 * host veth is recorded; the flows on each veth equal, to the packet and the byte, a tcpdump capture of that
 * veth counted by scripts/it/pcap-flows (offloads off: every skb is a wire packet); direction is the
 * container's (a packet it sent is "out"); the container column is the runtime's short id, and stays right
 * when the journal is read after the containers are gone. The live view names each container with traffic
 * both ways, /metrics passes promtool, /healthz answers ok.
 *
 * Artifacts (captures, journal, logs, CSVs, HTTP bodies) stay under system-tests/target/it-containers/.
 */
class ContainersTest
{
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Duration SHORT = Duration.ofSeconds(30);
    private static final int CONTAINERS = 4;

    /** Every address of each container's eth0 (link-local included), by host veth: a packet from one is "out". */
    private final Map<String, List<String>> addresses = new HashMap<>();
    @RegisterExtension
    final TestRun run = new TestRun("it-containers");

    @BeforeAll
    static void requirements()
    {
        TestRun.assumeRootWith("needs root (netns, cgroups, BPF, tcpdump)", List.of("ip", "tc", "ss", "ethtool", "tcpdump",
            "tshark", "socat", "curl", "ping", "promtool", "python3", "iperf3", "flock", "setsid", "sha256sum"));
        assumeTrue(Files.isExecutable(ROOT.resolve("scripts/flowrec")), "scripts/flowrec does not exist");
        assumeTrue(Files.isExecutable(ROOT.resolve("scripts/testnet")), "scripts/testnet does not exist");
    }

    @Test
    void shouldRecordEveryContainerVethExactlyAndNameTheContainersAfterTheyAreGone() throws IOException
    {
        final Testnet net = Testnet.up(run.fixture(), ROOT, CONTAINERS, false);
        final List<Testnet.Container> cs = net.manifest();
        assertEquals(CONTAINERS, cs.size(), "manifest rows");
        final Set<String> runtimes = new TreeSet<>();
        cs.forEach(c -> runtimes.add(c.runtime()));
        assertTrue(runtimes.size() >= 3, "the scenario needs at least 3 runtimes' naming, has " + runtimes);
        for (final Testnet.Container c : cs)
        {
            net.offloadsOff(c);
            net.noNeighbourProbes(c);
        }
        net.bridgeOffloadsOff();
        // The containers' own IPv6 chatter at link-up (MLD reports, within a second of it) is over before
        // recording starts: from then on, the only traffic is the test's.
        Proc.sleepMs(2000);
        cs.forEach(c -> addresses.put(c.hostVeth(), net.addresses(c)));
        final Testnet.Container c1 = cs.get(0);
        final Testnet.Container c2 = cs.get(1);
        final Testnet.Container c3 = cs.get(2);
        final Testnet.Container c4 = cs.get(3);

        final HostRecorder recorder = HostRecorder.start(ROOT, net, run);
        recorder.awaitStarted();
        for (final Testnet.Container c : cs)
        {
            recorder.awaitAttached(c.hostVeth(), HostRecorder.START);
        }

        final Map<String, Proc.Background> captures = new LinkedHashMap<>();
        for (final Testnet.Container c : cs)
        {
            final String veth = c.hostVeth();
            captures.put(veth, Capture.start(run, "tcpdump-" + veth, net::inHost, veth, run.dir().resolve(veth + ".pcap")));
        }

        // TCP (fixed client ports) over IPv4 and IPv6, both ways through the bridge.
        http(net, 1, 41001, c2.ipv4(), 200_000);
        http(net, 3, 41002, c4.ipv4(), 50_000);
        http(net, 4, 41003, "[" + c1.ipv6() + "]", 12_345);
        http(net, 2, 41004, c3.ipv4(), 777);
        // UDP: echo on udp/7 (IPv4), "DNS" echo on udp/53 (IPv6).
        for (int i = 0; i < 3; i++)
        {
            udp(net, 1, 42001, c3.ipv4(), 7, "hello " + i);
        }
        for (int i = 0; i < 4; i++)
        {
            udp(net, 2, 42002, "[" + c4.ipv6() + "]", 53, "query " + i);
        }
        // ICMP and ICMPv6 between containers, and from the host's bridge address into one.
        ping(net.exec(3, "ping", "-q", "-c", "5", "-i", "0.05", "-W", "2", c1.ipv4()), 5);
        ping(net.exec(4, "ping", "-q", "-6", "-c", "4", "-i", "0.05", "-W", "2", c2.ipv6()), 4);
        ping(net.inHost("ping", "-q", "-c", "3", "-i", "0.05", "-W", "2", c2.ipv4()), 3);
        Proc.sleepMs(300);
        for (final Proc.Background capture : captures.values())
        {
            Capture.stop(capture);
        }

        Proc.sleepMs(2500); // more than a flush interval plus a sweep: the live view has every delta by now
        final HostRecorder.Http traffic = recorder.get("/traffic");
        final HostRecorder.Http metrics = recorder.get("/metrics");
        final HostRecorder.Http health = recorder.get("/healthz");
        run.write("traffic.json", traffic.body());
        run.write("metrics.txt", metrics.body());
        recorder.stop();

        net.down(); // the containers are gone before the journal is read
        final List<String> leftover = Proc.run(SHORT, List.of("ip", "netns", "list")).ok().out().lines()
            .filter(l -> l.startsWith(net.name() + "-")).toList();
        assertTrue(leftover.isEmpty(), "testnet down left namespaces: " + leftover);

        // ---- the journal, read after the containers are gone ----
        final String csv = recorder.queryCsv(run.dir());
        final List<List<String>> rows = HostRecorder.rows(csv);
        final StringBuilder failures = new StringBuilder();
        for (final Testnet.Container c : cs)
        {
            final String veth = c.hostVeth();
            final Path pcap = run.dir().resolve(veth + ".pcap");
            final OneWayFlows expected = Capture.oracle(run, pcap, veth + ".oracle.csv");
            if (expected.flows().isEmpty())
            {
                failures.append(veth).append(": the capture holds no IP flows at all\n");
                continue;
            }
            final OneWayFlows recorded = OneWayFlows.fromRecorderCsv(HostRecorder.onlyIface(csv, veth));
            final List<String> mine = addresses.get(veth);
            final String diff = OneWayFlows.differences(expected, recorded, veth, k -> mine.contains(k.src()) ? "out" : "in");
            if (!diff.isEmpty())
            {
                failures.append(veth).append(" (").append(c.runtime()).append(", ").append(c.shortId()).append(", addresses ")
                    .append(mine).append("): ").append(diff).append('\n');
            }
            final Set<String> names = new TreeSet<>();
            rows.stream().filter(r -> r.get(2).equals(veth)).forEach(r -> names.add(r.get(3)));
            if (!names.equals(Set.of(c.shortId())))
            {
                failures.append(veth).append(": container column ").append(names).append(", expected the ").append(c.runtime())
                    .append(" short id ").append(c.shortId()).append('\n');
            }
        }
        assertEquals("", failures.toString(), "per-veth comparison with the captures (artifacts in " + run.dir() + ")");
        assertScenarioPresent(csv, c1, c2, c3, c4);

        // ---- the live view, as it was while the recorder ran ----
        assertEquals(200, health.status(), "GET /healthz status");
        assertEquals("ok", health.body().strip(), "GET /healthz body");
        assertEquals(200, metrics.status(), "GET /metrics status");
        assertTrue(!metrics.body().isBlank(), "GET /metrics is empty");
        final Proc.Result promtool = Proc.run(SHORT, List.of("sh", "-c", "promtool check metrics < \"$1\"", "sh",
            run.dir().resolve("metrics.txt").toString()));
        assertEquals(0, promtool.exit(), "promtool check metrics:\n" + promtool.out() + promtool.err());
        assertEquals(200, traffic.status(), "GET /traffic status");
        assertLiveView(traffic.body(), cs);
    }

    /**
     * Each container in {@code containers} by its short id, owning its host veth, with rx (into the container)
     * and tx (sent by it) equal to its captured traffic; each veth in {@code interfaces} named for its container.
     */
    private void assertLiveView(final String body, final List<Testnet.Container> cs)
    {
        final JsonNode json;
        try
        {
            json = new ObjectMapper().readTree(body);
        }
        catch (final IOException ex)
        {
            throw new AssertionError("GET /traffic is not JSON: " + ex.getMessage() + "\n" + body);
        }
        final StringBuilder failures = new StringBuilder();
        for (final Testnet.Container c : cs)
        {
            final JsonNode container = find(json.path("containers"), "container", c.shortId());
            if (container == null)
            {
                failures.append("no containers[] entry with container=").append(c.shortId()).append(" (").append(c.runtime()).append(")\n");
            }
            else
            {
                final Set<String> ifaces = new HashSet<>();
                container.path("interfaces").forEach(n -> ifaces.add(n.asText()));
                if (!ifaces.contains(c.hostVeth()))
                {
                    failures.append(c.shortId()).append(": interfaces ").append(ifaces).append(" lack ").append(c.hostVeth()).append('\n');
                }
                final long[] in = captured(c, "in");
                final long[] out = captured(c, "out");
                for (final String f : List.of("rx_bytes", "tx_bytes", "rx_packets", "tx_packets"))
                {
                    if (!container.path(f).canConvertToLong() || container.path(f).asLong() <= 0)
                    {
                        failures.append(c.shortId()).append(": ").append(f).append(" = ").append(container.path(f)).append(", expected > 0\n");
                    }
                }
                expect(failures, c, "rx_packets", container, in[0]);
                expect(failures, c, "rx_bytes", container, in[1]);
                expect(failures, c, "tx_packets", container, out[0]);
                expect(failures, c, "tx_bytes", container, out[1]);
            }
            final JsonNode iface = find(json.path("interfaces"), "name", c.hostVeth());
            if (iface == null)
            {
                failures.append("no interfaces[] entry with name=").append(c.hostVeth()).append('\n');
            }
            else if (!c.shortId().equals(iface.path("container").asText()))
            {
                failures.append("interfaces[").append(c.hostVeth()).append("].container = ").append(iface.path("container"))
                    .append(", expected ").append(c.shortId()).append('\n');
            }
        }
        assertEquals("", failures.toString(), "GET /traffic (body in " + run.dir().resolve("traffic.json") + ")");
    }

    private static void expect(final StringBuilder failures, final Testnet.Container c, final String field, final JsonNode n,
        final long expected)
    {
        if (n.path(field).asLong(-1) != expected)
        {
            failures.append(c.shortId()).append(": ").append(field).append(" = ").append(n.path(field))
                .append(", captured ").append(expected).append('\n');
        }
    }

    /** Packets and bytes captured on c's veth in one direction, from the oracle CSV written earlier. */
    private long[] captured(final Testnet.Container c, final String direction)
    {
        final OneWayFlows t = OneWayFlows.fromOracleCsv(read(run.dir().resolve(c.hostVeth() + ".oracle.csv")));
        final List<String> mine = addresses.get(c.hostVeth());
        long packets = 0;
        long bytes = 0;
        for (final Map.Entry<OneWayFlows.Key, OneWayFlows.Flow> e : t.flows().entrySet())
        {
            final boolean out = mine.contains(e.getKey().src());
            if (out == direction.equals("out"))
            {
                packets += e.getValue().packets;
                bytes += e.getValue().bytes;
            }
        }
        return new long[] {packets, bytes};
    }

    private static JsonNode find(final JsonNode array, final String field, final String value)
    {
        for (final JsonNode n : array)
        {
            if (value.equals(n.path(field).asText()))
            {
                return n;
            }
        }
        return null;
    }

    /** The flows the traffic promised are there, on the veths and in the directions they must be. */
    private static void assertScenarioPresent(final String csv, final Testnet.Container c1, final Testnet.Container c2,
        final Testnet.Container c3, final Testnet.Container c4)
    {
        final List<List<String>> rows = HostRecorder.rows(csv);
        final List<String[]> promised = List.of(
            // iface, container, direction, proto, src, sport, dst, dport
            new String[] {c1.hostVeth(), c1.shortId(), "out", "tcp", c1.ipv4(), "41001", c2.ipv4(), "80"},
            new String[] {c1.hostVeth(), c1.shortId(), "in", "tcp", c2.ipv4(), "80", c1.ipv4(), "41001"},
            new String[] {c2.hostVeth(), c2.shortId(), "in", "tcp", c1.ipv4(), "41001", c2.ipv4(), "80"},
            new String[] {c2.hostVeth(), c2.shortId(), "out", "tcp", c2.ipv4(), "80", c1.ipv4(), "41001"},
            new String[] {c4.hostVeth(), c4.shortId(), "out", "tcp", c4.ipv6(), "41003", c1.ipv6(), "80"},
            new String[] {c3.hostVeth(), c3.shortId(), "in", "udp", c1.ipv4(), "42001", c3.ipv4(), "7"},
            new String[] {c4.hostVeth(), c4.shortId(), "in", "udp", c2.ipv6(), "42002", c4.ipv6(), "53"},
            new String[] {c1.hostVeth(), c1.shortId(), "in", "icmp", c3.ipv4(), "0", c1.ipv4(), "2048"},
            new String[] {c2.hostVeth(), c2.shortId(), "in", "icmp", "10.213.100.1", "0", c2.ipv4(), "2048"},
            new String[] {c2.hostVeth(), c2.shortId(), "out", "icmpv6", c2.ipv6(), "0", c4.ipv6(), Integer.toString(129 * 256)});
        final List<String> missing = new ArrayList<>();
        for (final String[] p : promised)
        {
            final boolean found = rows.stream().anyMatch(r -> r.get(2).equals(p[0]) && r.get(3).equals(p[1]) && r.get(4).equals(p[2]) &&
                r.get(5).equals(p[3]) && r.get(6).equals(p[4]) && r.get(7).equals(p[5]) && r.get(8).equals(p[6]) && r.get(9).equals(p[7]));
            if (!found)
            {
                missing.add(String.join(" ", p));
            }
        }
        assertTrue(missing.isEmpty(), "flows of the scenario not recorded as expected (iface container direction proto src sport dst dport):\n  " +
            String.join("\n  ", missing) + "\nrecorded:\n" + csv);
        final long requests = rows.stream().filter(r -> r.get(2).equals(c1.hostVeth()) && r.get(5).equals("icmp") &&
            r.get(6).equals(c3.ipv4()) && r.get(9).equals("2048")).mapToLong(r -> Long.parseLong(r.get(10))).sum();
        assertEquals(5, requests, "ICMP echo requests from " + c3.name() + " into " + c1.name());
    }

    // ---- traffic ----

    private void http(final Testnet net, final int from, final int localPort, final String host, final int size)
    {
        final Proc.Result r = Proc.run(SHORT, net.exec(from, "curl", "-sS", "-m", "20", "-o", "/dev/null", "-w", "%{size_download}",
            "--local-port", Integer.toString(localPort), "http://" + host + "/" + size)).ok();
        assertEquals(Integer.toString(size), r.out().strip(), "curl from container " + from + " to " + host + ": " + r.err());
    }

    private void udp(final Testnet net, final int from, final int sourcePort, final String host, final int port, final String payload)
    {
        // One datagram from stdin; -t 1: after stdin's EOF, up to a second for the echo to come back.
        final String proto = host.startsWith("[") ? "UDP6" : "UDP4";
        final Proc.Result r = Proc.run(SHORT, net.exec(from, "sh", "-c", "printf '%s\\n' \"$1\" | socat -t 1 -T 5 - \"$2\"", "sh",
            payload, proto + ":" + host + ":" + port + ",sourceport=" + sourcePort)).ok();
        assertEquals(payload, r.out().strip(), "UDP echo from " + host + ":" + port + ": " + r.err());
    }

    private static void ping(final List<String> command, final int count)
    {
        final Proc.Result r = Proc.run(SHORT, command);
        assertTrue(r.out().contains(count + " packets transmitted, " + count + " received"),
            String.join(" ", command) + ":\n" + r.out() + r.err());
    }

    // ---- helpers ----

    private static String read(final Path p)
    {
        try
        {
            return Files.readString(p);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
