package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, the receiving side: packets that reach the recorded interface without their socket. A router namespace
 * sits between the client ({@code fo-cli}) and the server ({@code fo-srv}): IP receive in the router drops the
 * sender's socket, so the server's veth end, recorded in the server's namespace, sees the client's packets with no
 * {@code skb->sk} and looks the receiving socket up. A TCP connection meets only the listener on its first packets,
 * which names nothing (a listener would take a DNAT's packets too); its entry looks again and names the server
 * once the connection's own socket exists. A datagram socket bound to the server's address names its flows in; one
 * on the wildcard address, unconnected, names nothing in, and its answers out (their socket is on the packet).
 */
class ForwardedOwnersTest
{
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final String CLI = "10.231.97.2";
    private static final String RTR_CLI = "10.231.97.1";
    private static final String RTR_SRV = "10.231.98.1";
    private static final String SRV = "10.231.98.2";
    private static final int WILDCARD_PORT = 7005;
    private static final int IN = 0;
    private static final int OUT = 1;

    private static final String WILDCARD = """
        import os, socket
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(('0.0.0.0', 7005))
        print('ready', os.getpid(), flush=True)
        while True:
            d, peer = u.recvfrom(2048)
            u.sendto(b'pong' + d, peer)
        """;

    /** Prints "PID PROTO PORT" per local port: TCP, connected UDP, then "17w" for the unconnected wildcard exchange. */
    private static final String CLIENT = """
        import os, socket, sys
        srv = sys.argv[1]
        def say(proto, s):
            print('%d %s %d' % (os.getpid(), proto, s.getsockname()[1]), flush=True)
        t = socket.create_connection((srv, 7000), timeout=10)
        t.sendall(b'ping')
        assert t.recv(64).startswith(b'pong')
        say('6', t)
        t.close()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(10)
        u.connect((srv, 7001))
        u.send(b'ping')
        u.recv(64)
        say('17', u)
        u.close()
        w = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        w.settimeout(10)
        w.sendto(b'ping', (srv, 7005))
        w.recvfrom(64)
        say('17w', w)
        w.close()
        """;

    private static NetnsFixture fixture;
    private static int serverPid;
    private static int wildcardPid;
    /** "PROTO" → the client's local port. */
    private static final Map<String, Integer> ports = new TreeMap<>();
    /** "proto sport dport direction" → owners journaled ("pid comm side"). */
    private static final Map<String, List<String>> owners = new TreeMap<>();
    /** "proto sport dport direction" of every delta. */
    private static final Set<String> flows = new TreeSet<>();

    @BeforeAll
    static void record() throws IOException
    {
        TestRun.assumeRootWith("needs root (netns, cgroups, BPF)", List.of("ip", "nsenter", "python3", "sysctl"));
        assumeTrue(Files.isDirectory(NetnsFixture.UNIFIED), "no cgroup2 hierarchy at " + NetnsFixture.UNIFIED);
        PinnedRecorder.setUp();
        fixture = new NetnsFixture();
        final Path dir = TestRun.ROOT.resolve("system-tests/target/it-forwarded-owners").resolve(fixture.id());
        Files.createDirectories(dir);
        final Path python = Path.of("/usr/bin/python3").toRealPath();
        final Path srvBin = copy(python, dir.resolve("fo-srv"));
        final Path wildBin = copy(python, dir.resolve("fo-wsrv"));
        final Path cliBin = copy(python, dir.resolve("fo-cli"));
        Files.writeString(dir.resolve("server.py"), SocketOwnersTest.SERVER);
        Files.writeString(dir.resolve("wildcard.py"), WILDCARD);
        Files.writeString(dir.resolve("client.py"), CLIENT);

        final String cli = fixture.netns("cli");
        final String rtr = fixture.netns("rtr");
        final String srv = fixture.netns("srv");
        fixture.veth(cli, "fo3", rtr, "fr3");
        fixture.veth(srv, "fo4", rtr, "fr4");
        fixture.address(cli, "fo3", CLI + "/24");
        fixture.address(rtr, "fr3", RTR_CLI + "/24");
        fixture.address(rtr, "fr4", RTR_SRV + "/24");
        fixture.address(srv, "fo4", SRV + "/24");
        for (final String ns : List.of(cli, rtr, srv))
        {
            fixture.up(ns, "lo");
        }
        fixture.up(cli, "fo3");
        fixture.up(rtr, "fr3");
        fixture.up(rtr, "fr4");
        fixture.up(srv, "fo4");
        fixture.sysctl(rtr, "net.ipv4.ip_forward=1");
        fixture.ip(cli, "route", "add", "default", "via", RTR_CLI);
        fixture.ip(srv, "route", "add", "default", "via", RTR_SRV);

        final Proc.Background server = Proc.Background.start("server", dir,
            NetnsFixture.in(srv, srvBin.toString(), dir.resolve("server.py").toString(), SRV, "::1"));
        fixture.onClose(server::close);
        final Proc.Background wildcard = Proc.Background.start("wildcard", dir,
            NetnsFixture.in(srv, wildBin.toString(), dir.resolve("wildcard.py").toString()));
        fixture.onClose(wildcard::close);
        for (final Proc.Background p : List.of(server, wildcard))
        {
            Proc.await(SHORT, "a server to listen", () -> p.out().contains("ready") || !p.alive(), p::err);
            assertTrue(p.alive(), "a server exited: " + p.err());
        }
        serverPid = Integer.parseInt(server.out().strip().split("\\s+")[1]);
        wildcardPid = Integer.parseInt(wildcard.out().strip().split("\\s+")[1]);

        final Path journal = dir.resolve("journal");
        final String instance = "fo-" + fixture.id().replace('_', '-');
        fixture.onClose(() -> PinnedMaps.unpin(new Instance(instance).pinDir()));
        // nsenter, not ip netns exec: the recorder needs this mount namespace's cgroup2 hierarchy and bpffs.
        final List<String> line = new ArrayList<>(List.of("nsenter", "--net=" + NetnsFixture.path(srv)));
        line.addAll(PinnedRecorder.record("--iface", "fo4", "--journal", journal.toString(), "--instance", instance,
            "--flush-interval", "1s"));
        final Proc.Background recorder = Proc.Background.start("recorder", dir, line);
        fixture.onClose(recorder::close);
        PinnedRecorder.awaitRecording(recorder);

        final Proc.Result client = Proc.run(SHORT, NetnsFixture.in(cli, cliBin.toString(),
            dir.resolve("client.py").toString(), SRV)).ok();
        for (final String l : client.out().split("\n"))
        {
            final String[] f = l.strip().split(" ");
            ports.put(f[1], Integer.parseInt(f[2]));
        }
        PinnedRecorder.stop(recorder);
        read(journal);
        final StringBuilder text = new StringBuilder();
        owners.forEach((k, v) -> text.append(k).append(" -> ").append(v).append('\n'));
        Files.writeString(dir.resolve("owners.txt"), text);
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
    void shouldNameTheServerOnATcpConnectionFromBeyondARouterOnceItsSocketExists()
    {
        final int port = ports.get("6");
        assertEquals(List.of(serverPid + " fo-srv side=1"), owned(6, port, 7000, IN), "into the server: its receiver");
        assertEquals(List.of(serverPid + " fo-srv side=0"), owned(6, 7000, port, OUT), "out of it: its sender");
    }

    @Test
    void shouldNameADatagramSocketBoundToTheServersAddress()
    {
        final int port = ports.get("17");
        assertEquals(List.of(serverPid + " fo-srv side=1"), owned(17, port, 7001, IN));
        assertEquals(List.of(serverPid + " fo-srv side=0"), owned(17, 7001, port, OUT));
    }

    @Test
    void shouldNotNameAWildcardUnconnectedReceiverButNameItsAnswers()
    {
        final int port = ports.get("17w");
        assertEquals(List.of(), owned(17, port, WILDCARD_PORT, IN), "a wildcard socket could be anyone's destination");
        assertEquals(List.of(wildcardPid + " fo-wsrv side=0"), owned(17, WILDCARD_PORT, port, OUT));
    }

    /** The owners journaled for a flow that the journal holds deltas of. */
    private static List<String> owned(final int proto, final int sport, final int dport, final int direction)
    {
        final String key = proto + " " + sport + " " + dport + " " + direction;
        assertTrue(flows.contains(key), "no delta of " + key + " in " + flows);
        return owners.getOrDefault(key, List.of());
    }

    private static void read(final Path journal)
    {
        final SocketOwnerDecoder owner = new SocketOwnerDecoder();
        final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == SocketOwnerDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(owner, buffer, offset);
                    owners.computeIfAbsent(owner.proto() + " " + owner.srcPort() + " " + owner.dstPort() + " " +
                        owner.direction(), k -> new ArrayList<>())
                        .add(owner.pid() + " " + owner.comm() + " side=" + owner.side());
                }
                else if (templateId == FlowDeltaDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(delta, buffer, offset);
                    flows.add(delta.proto() + " " + delta.srcPort() + " " + delta.dstPort() + " " + delta.direction());
                }
            }, 65_536) > 0)
            {
                // to the end
            }
        }
    }

    private static Path copy(final Path binary, final Path copy) throws IOException
    {
        Files.copy(binary, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return copy;
    }
}
