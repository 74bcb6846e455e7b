package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.bpf.PinnedMaps;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import dev.flowrec.recorder.Instance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, process attribution against real processes: a server (python3 copied as {@code fo-srv}) in one network
 * namespace, clients (copied as {@code fo-cli}) in another, joined by a veth whose client end one recorder records.
 * The clients say which pid used which local port; every flow of the journal from the server's ports must carry
 * the server's pid and comm in its SocketOwner events, every flow from a client's port that client's. TCP accepted
 * and connected, UDP connected and unconnected (sendto to three peers), IPv4 and IPv6; a socket made by a parent
 * and used by its forked child (named after the child, which connected or sent with it); a process that exits with
 * its connection still open (the kernel's FIN after its exit counts in the flow it owned); 1,000 connections from 50
 * processes; sockets made before the recorder started (the server's listeners among them, so that every connection
 * it accepts depends on them, and an early client's connected TCP and UDP sockets). Flows attributed to a process other than the one that used the port: none. Flows without an owner are
 * counted and printed with the reason.
 * <p>
 * One recorder and one network for the class: the traffic runs once in {@link #record()}, each test checks a part.
 * Artifacts stay under system-tests/target/it-owners/.
 */
class SocketOwnersTest
{
    private static final Path ROOT = TestRun.ROOT;
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final String V4_SRV = "10.231.96.1";
    private static final String V4_CLI = "10.231.96.2";
    private static final String V6_SRV = "fd00:231:96::1";
    private static final String V6_CLI = "fd00:231:96::2";
    private static final int TCP_PORT = 7000;
    private static final Set<Integer> UDP_PORTS = Set.of(7001, 7002, 7003);
    private static final int MANY_PROCESSES = 50;
    private static final int MANY_EACH = 20;
    private static final int HTTP_PORT = 18000 + (int)(ProcessHandle.current().pid() % 1000);

    static final String SERVER = """
        import os, socket, sys, threading
        def tcp(fam, addr):
            l = socket.socket(fam, socket.SOCK_STREAM)
            l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind((addr, 7000))
            l.listen(4096)
            return l
        def serve_tcp(l):
            while True:
                c, _ = l.accept()
                d = c.recv(64)
                if d:
                    c.sendall(b'pong' + d)
                    while c.recv(64):
                        pass
                c.close()
        def serve_udp(u):
            while True:
                d, peer = u.recvfrom(2048)
                u.sendto(b'pong' + d, peer)
        socks = [(serve_tcp, tcp(socket.AF_INET, sys.argv[1])), (serve_tcp, tcp(socket.AF_INET6, sys.argv[2]))]
        for fam, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
            for port in (7001, 7002, 7003):
                u = socket.socket(fam, socket.SOCK_DGRAM)
                u.bind((addr, port))
                socks.append((serve_udp, u))
        for f, s in socks:
            threading.Thread(target=f, args=(s,), daemon=True).start()
        print('ready', os.getpid(), flush=True)
        threading.Event().wait()
        """;

    /** Prints "PID PROTO/FAMILY PORT" for every local port it used, "parent PID" in the fork case. */
    static final String CLIENT = """
        import os, socket, sys, time
        v4, v6, mode = sys.argv[1], sys.argv[2], sys.argv[3]
        def say(proto, s):
            fam = '/4' if s.family == socket.AF_INET else '/6'
            os.write(1, ('%d %s%s %d\\n' % (os.getpid(), proto, fam, s.getsockname()[1])).encode())  # one write: children share stdout
        def tcp(fam, addr, s=None, close=True):
            s = s or socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect((addr, 7000))
            s.sendall(b'ping')
            assert s.recv(64).startswith(b'pong')
            say('6', s)
            if close:
                s.close()
            return s
        def udp_connected(fam, addr):
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(10)
            s.connect((addr, 7001))
            s.send(b'ping')
            s.recv(64)
            say('17', s)
            s.close()
        def udp_sendto(fam, addr, s=None):
            s = s or socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(10)
            for port in (7001, 7002, 7003):
                s.sendto(b'ping', (addr, port))
            for port in (7001, 7002, 7003):
                s.recvfrom(64)
            say('17', s)
            s.close()
        if mode == 'basic':
            for fam, addr in ((socket.AF_INET, v4), (socket.AF_INET6, v6)):
                tcp(fam, addr)
                udp_connected(fam, addr)
                udp_sendto(fam, addr)
        elif mode == 'fork':
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            os.write(1, ('parent %d\\n' % os.getpid()).encode())
            child = os.fork()
            if child == 0:
                tcp(socket.AF_INET, v4, t)
                udp_sendto(socket.AF_INET6, v6, u)
                os._exit(0)
            t.close()
            u.close()
            assert os.waitpid(child, 0)[1] == 0
        elif mode == 'early':
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.settimeout(10)
            t.connect((v4, 7000))
            u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            u.settimeout(10)
            u.connect((v6, 7001))
            os.write(1, b'connected\\n')
            while not os.path.exists(sys.argv[4]):
                time.sleep(0.02)
            t.sendall(b'ping')
            assert t.recv(64).startswith(b'pong')
            say('6', t)
            t.close()
            u.send(b'ping')
            u.recv(64)
            say('17', u)
            u.close()
        elif mode == 'exit':
            s = tcp(socket.AF_INET, v4, close=False)
            os._exit(0)
        elif mode == 'many':
            children = []
            for i in range(int(sys.argv[4])):
                child = os.fork()
                if child == 0:
                    for j in range(int(sys.argv[5])):
                        tcp(socket.AF_INET6 if j % 2 else socket.AF_INET, v6 if j % 2 else v4)
                    os._exit(0)
                children.append(child)
            for child in children:
                assert os.waitpid(child, 0)[1] == 0
        """;

    private static NetnsFixture fixture;
    private static Path dir;
    private static String srv;
    private static String cli;
    private static Proc.Background server;
    private static Proc.Background recorder;
    private static Path journal;
    private static int serverPid;
    /** Per scenario: "proto/family port" → the pid that used that local port, as the clients said. */
    private static final Map<String, Map<String, Integer>> used = new LinkedHashMap<>();
    private static int forkParent;
    private static String metrics;
    /** flow key → the owners journaled for it ("pid comm side"). */
    private static final Map<String, List<String>> owners = new TreeMap<>();
    /** flow keys of the deltas journaled. */
    private static final Set<String> flows = new TreeSet<>();

    @BeforeAll
    static void record() throws IOException
    {
        TestRun.assumeRootWith("needs root (netns, cgroups, BPF)", List.of("ip", "nsenter", "python3", "curl"));
        assumeTrue(Files.isDirectory(NetnsFixture.UNIFIED), "no cgroup2 hierarchy at " + NetnsFixture.UNIFIED);
        PinnedRecorder.setUp();
        fixture = new NetnsFixture();
        dir = ROOT.resolve("system-tests/target/it-owners").resolve(fixture.id());
        Files.createDirectories(dir);
        final Path python = Path.of("/usr/bin/python3").toRealPath();
        final Path srvBin = copy(python, "fo-srv");
        final Path cliBin = copy(python, "fo-cli");
        Files.writeString(dir.resolve("server.py"), SERVER);
        Files.writeString(dir.resolve("client.py"), CLIENT);

        srv = fixture.netns("srv");
        cli = fixture.netns("cli");
        fixture.veth(srv, "fo0", cli, "fo1");
        fixture.address(srv, "fo0", V4_SRV + "/24");
        fixture.address(cli, "fo1", V4_CLI + "/24");
        fixture.address(srv, "fo0", V6_SRV + "/64", "nodad");
        fixture.address(cli, "fo1", V6_CLI + "/64", "nodad");
        for (final String ns : List.of(srv, cli))
        {
            fixture.up(ns, "lo");
        }
        fixture.up(srv, "fo0");
        fixture.up(cli, "fo1");

        server = Proc.Background.start("server", dir, NetnsFixture.in(srv, srvBin.toString(), dir.resolve("server.py").toString(),
            V4_SRV, V6_SRV));
        fixture.onClose(server::close);
        Proc.await(SHORT, "the server to listen", () -> server.out().contains("ready") || !server.alive(), server::err);
        assertTrue(server.alive(), "the server exited: " + server.err());
        serverPid = Integer.parseInt(server.out().strip().split("\\s+")[1]);

        // Sockets made before the recorder: the server's (its listeners, so every connection it accepts) and an
        // early client's connected TCP and UDP sockets, which send only once the recorder runs.
        final Path go = dir.resolve("go");
        final Proc.Background early = Proc.Background.start("client-early", dir, NetnsFixture.in(cli, cliBin.toString(),
            dir.resolve("client.py").toString(), V4_SRV, V6_SRV, "early", go.toString()));
        fixture.onClose(early::close);
        Proc.await(SHORT, "the early client to connect", () -> early.out().contains("connected") || !early.alive(), early::err);
        assertTrue(early.alive(), "the early client exited: " + early.err());

        journal = dir.resolve("journal");
        final String instance = "fo-" + fixture.id().replace('_', '-');
        fixture.onClose(() -> PinnedMaps.unpin(new Instance(instance).pinDir()));
        // nsenter, not ip netns exec: the recorder needs this mount namespace's cgroup2 hierarchy and bpffs.
        final List<String> line = new ArrayList<>(List.of("nsenter", "--net=" + NetnsFixture.path(cli)));
        line.addAll(PinnedRecorder.record("--iface", "fo1", "--journal", journal.toString(), "--instance", instance,
            "--flush-interval", "1s"));
        line.set(line.indexOf("off"), "127.0.0.1:" + HTTP_PORT); // the live view, in the client namespace
        recorder = Proc.Background.start("recorder", dir, line);
        fixture.onClose(recorder::close);
        PinnedRecorder.awaitRecording(recorder);

        Files.createFile(go);
        Proc.await(SHORT, "the early client to finish", () -> !early.alive(), early::err);
        assertEquals(0, early.stop(Duration.ofSeconds(5)), early.err());
        used.put("early", ports(early.out()));

        for (final String mode : List.of("basic", "fork", "exit", "many"))
        {
            final Proc.Result r = Proc.run(SHORT, NetnsFixture.in(cli, cliBin.toString(), dir.resolve("client.py").toString(),
                V4_SRV, V6_SRV, mode, Integer.toString(MANY_PROCESSES), Integer.toString(MANY_EACH))).ok();
            Files.writeString(dir.resolve("client-" + mode + ".out"), r.out());
            used.put(mode, ports(r.out()));
        }
        Proc.sleepMs(1500); // the last FINs, and the counters read once a second
        metrics = Proc.run(SHORT, List.of("nsenter", "--net=" + NetnsFixture.path(cli), "curl", "-sS", "-m", "20",
            "http://127.0.0.1:" + HTTP_PORT + "/metrics")).ok().out();
        Files.writeString(dir.resolve("metrics.txt"), metrics);
        PinnedRecorder.stop(recorder);
        read();
        final StringBuilder text = new StringBuilder();
        owners.forEach((k, v) -> text.append(k).append(" -> ").append(v).append('\n'));
        Files.writeString(dir.resolve("owners.txt"), text);
    }

    /** The clients' "PID PROTO/FAMILY PORT" lines as "PROTO/FAMILY PORT" → PID; notes the fork case's parent. */
    private static Map<String, Integer> ports(final String out)
    {
        final Map<String, Integer> ports = new TreeMap<>();
        for (final String l : out.split("\n"))
        {
            final String[] f = l.strip().split(" ");
            if (f.length == 2 && f[0].equals("parent"))
            {
                forkParent = Integer.parseInt(f[1]);
            }
            else if (f.length == 3)
            {
                final Integer before = ports.put(f[1] + " " + f[2], Integer.parseInt(f[0]));
                assertTrue(before == null, "port " + f[1] + " " + f[2] + " used by two processes: the test cannot tell");
            }
        }
        return ports;
    }

    @AfterAll
    static void tearDown()
    {
        if (fixture != null)
        {
            fixture.close();
        }
    }

    @Test
    void shouldNameTheServerOnEveryFlowFromItsPorts()
    {
        int checked = 0;
        final List<String> wrong = new ArrayList<>();
        for (final Map.Entry<String, List<String>> e : owners.entrySet())
        {
            final String[] k = e.getKey().split(" ");
            final int sport = Integer.parseInt(k[2].substring(k[2].lastIndexOf(':') + 1));
            final boolean serverPort = k[0].startsWith("6/") ? sport == TCP_PORT : k[0].startsWith("17/") && UDP_PORTS.contains(sport);
            if (!serverPort)
            {
                continue;
            }
            for (final String owner : e.getValue())
            {
                checked++;
                if (!owner.startsWith(serverPid + " fo-srv "))
                {
                    wrong.add(e.getKey() + " -> " + owner);
                }
            }
        }
        assertEquals(List.of(), wrong, "flows from the server's ports (server pid " + serverPid + ") named after another process");
        assertTrue(checked > MANY_PROCESSES * MANY_EACH, "too few owners of the server's flows: " + checked);
    }

    @Test
    void shouldNameEachClientOnTheFlowsOfItsPortsBothWays()
    {
        assertAll(used.keySet().stream().filter(m -> !m.equals("many") && !m.equals("early")).map(m -> () -> assertClients(m, true)));
    }

    /** The walk at start (iterators) named them: no program saw these sockets made, bound, connected or send. */
    @Test
    void shouldNameTheOwnersOfSocketsMadeBeforeTheRecorder()
    {
        assertEquals(2, used.get("early").size(), "the early client's TCP and UDP sockets: " + used.get("early"));
        assertClients("early", true);
    }

    @Test
    void shouldNameTheForkedChildThatConnectedAndSentNotItsParent()
    {
        final Map<String, Integer> ports = used.get("fork");
        assertEquals(2, ports.size(), "the child's two sockets: " + ports);
        for (final int pid : ports.values())
        {
            assertNotEquals(forkParent, pid, "the child reported its parent's pid");
        }
        assertClients("fork", true);
    }

    @Test
    void shouldKeepTheOwnerOfAProcessThatExitedWithItsConnectionOpen()
    {
        assertEquals(1, used.get("exit").size());
        assertTrue(ProcessHandle.of(used.get("exit").values().iterator().next()).isEmpty(), "the process is gone");
        assertClients("exit", true);
    }

    @Test
    void shouldAttributeAThousandShortConnectionsOfFiftyProcessesToNoWrongProcess()
    {
        assertEquals(MANY_PROCESSES * MANY_EACH, used.get("many").size());
        assertEquals(MANY_PROCESSES, new TreeSet<>(used.get("many").values()).size());
        assertClients("many", false);
    }

    /**
     * The README's contract, through scripts/flowrec: the listing's pid and comm columns (appended after tcp_flags), the
     * filter terms and the group-by keys name the server and the clients as the test started them.
     */
    @Test
    void shouldNameTheOwnersInTheListingFiltersAndGroups()
    {
        final String flowrec = ROOT.resolve("scripts/flowrec").toString();
        final List<String> listing = Proc.ok(SHORT, flowrec, "query", "--journal", journal.toString(), "--format", "csv",
            "--where", "src port " + TCP_PORT).out().lines().toList();
        final List<String> header = List.of(listing.getFirst().split(","));
        final int pid = header.indexOf("pid");
        final int comm = header.indexOf("comm");
        assertEquals(header.indexOf("tcp_flags") + 1, pid, "pid right after tcp_flags: " + header);
        assertEquals(pid + 1, comm, "comm right after pid: " + header);
        assertTrue(listing.size() > MANY_PROCESSES * MANY_EACH, "rows from the server's port: " + listing.size());
        for (final String row : listing.subList(1, listing.size()))
        {
            final String[] cells = row.split(",", -1);
            assertEquals(serverPid + " fo-srv", cells[pid] + " " + cells[comm], row);
        }
        final int client = used.get("many").values().iterator().next();
        final String byProcess = Proc.ok(SHORT, flowrec, "query", "--journal", journal.toString(), "--format", "csv",
            "--where", "comm fo-cli and pid " + client, "--group-by", "pid,comm").out();
        final List<String> groups = byProcess.lines().skip(1).toList();
        assertEquals(1, groups.size(), byProcess);
        assertTrue(groups.getFirst().startsWith(client + ",fo-cli,"), byProcess);
    }

    @Test
    void shouldCountTheFlowsWithAndWithoutAnOwnerOnMetrics()
    {
        final long with = metric("flowrec_flows_with_owner_total");
        final long without = metric("flowrec_flows_without_owner_total");
        final long journaled = owners.values().stream().mapToLong(List::size).sum();
        System.out.println("metrics: " + with + " flows with an owner, " + without + " without; journal: " + journaled +
            " SocketOwner events, " + flows.size() + " flows");
        assertTrue(with >= 2L * MANY_PROCESSES * MANY_EACH && with <= journaled,
            "flows with an owner: " + with + ", SocketOwner events journaled by the stop: " + journaled);
        // Without an owner: the namespaces' ICMPv6 neighbour discovery (a kernel socket), no flow of the test's ports.
        assertTrue(without < flows.size() - 2L * MANY_PROCESSES * MANY_EACH, "flows without an owner: " + without);
    }

    private static long metric(final String name)
    {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
            .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in /metrics:\n" + metrics));
    }

    /**
     * Every flow from a port a client used names that client (wrong: none); with complete, every one of those ports
     * has an owner on its flows both ways (out of the client, and the server's answers in). Unattributed flows of
     * those ports are printed with the reason.
     */
    private static void assertClients(final String mode, final boolean complete)
    {
        final Map<String, Integer> ports = used.get(mode);
        final List<String> wrong = new ArrayList<>();
        final List<String> unattributed = new ArrayList<>();
        for (final String flow : flows)
        {
            final String[] k = flow.split(" ");
            final String proto = k[0];
            final String sport = k[2].substring(k[2].lastIndexOf(':') + 1);
            final String dport = k[3].substring(k[3].lastIndexOf(':') + 1);
            final Integer client = ports.get(proto + " " + sport);
            final Integer peer = ports.get(proto + " " + dport);
            if (client == null && peer == null)
            {
                continue;
            }
            final List<String> named = owners.getOrDefault(flow, List.of());
            if (named.isEmpty())
            {
                unattributed.add(flow + ": no SocketOwner (no owner record when its flow entry was created)");
                continue;
            }
            for (final String owner : named)
            {
                final String expected = client != null ? client + " fo-cli " : serverPid + " fo-srv ";
                if (!owner.startsWith(expected))
                {
                    wrong.add(flow + " -> " + owner + ", expected " + expected);
                }
            }
        }
        System.out.println(mode + ": " + ports.size() + " client ports, " + unattributed.size() + " unattributed flows" +
            (unattributed.isEmpty() ? "" : ":\n  " + String.join("\n  ", unattributed)));
        assertEquals(List.of(), wrong, mode + ": flows named after the wrong process");
        if (complete)
        {
            assertEquals(List.of(), unattributed, mode + ": flows of the clients' ports without an owner");
        }
        for (final String port : ports.keySet())
        {
            final String[] p = port.split(" ");
            assertTrue(flows.stream().anyMatch(f -> f.startsWith(p[0] + " ") && f.split(" ")[2].endsWith(":" + p[1])),
                mode + ": no flow from the client's " + port + " in the journal");
        }
        assertFalse(complete && ports.isEmpty(), mode + ": the clients said nothing");
    }

    private static void read()
    {
        final SocketOwnerDecoder owner = new SocketOwnerDecoder();
        final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        final byte[] src = new byte[16];
        final byte[] dst = new byte[16];
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == SocketOwnerDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(owner, buffer, offset);
                    owner.getSrcAddr(src, 0, 16);
                    owner.getDstAddr(dst, 0, 16);
                    final String key = key(owner.proto(), owner.family(), src, owner.srcPort(), dst, owner.dstPort(),
                        owner.ifindex(), owner.direction());
                    final String value = owner.pid() + " " + owner.comm() + " side=" + owner.side();
                    owners.computeIfAbsent(key, x -> new ArrayList<>()).add(value);
                }
                else if (templateId == FlowDeltaDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(delta, buffer, offset);
                    delta.getSrcAddr(src, 0, 16);
                    delta.getDstAddr(dst, 0, 16);
                    flows.add(key(delta.proto(), delta.family(), src, delta.srcPort(), dst, delta.dstPort(),
                        delta.ifindex(), delta.direction()));
                }
            }, 65_536) > 0)
            {
                // to the end
            }
        }
    }

    /** "proto/family ifindex/direction src:sport dst:dport", a flow as its FlowDelta names it. */
    private static String key(final short proto, final short family, final byte[] src, final int sport, final byte[] dst,
        final int dport, final int ifindex, final short direction)
    {
        return proto + "/" + family + " " + ifindex + "/" + direction + " " + address(src) + ":" + sport + " " + address(dst) + ":" + dport;
    }

    private static String address(final byte[] a)
    {
        try
        {
            return InetAddress.getByAddress(a).getHostAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static Path copy(final Path binary, final String name) throws IOException
    {
        final Path copy = dir.resolve(name);
        Files.copy(binary, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return copy;
    }
}
