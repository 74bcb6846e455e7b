package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.bpf.PinnedMaps;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.DnsCountersDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import dev.flowrec.recorder.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, passive DNS against a real resolver conversation: a small DNS server (Python, in the test) in one network
 * namespace, a client in another, joined by a veth whose client end one recorder records. The client asks for names (A,
 * AAAA over IPv6, a CNAME chain, a name whose address changes between two lookups, an address that a later name takes
 * over, a query over TCP, a UDP answer truncated with TC then asked again over TCP, an answer of 100 records) and
 * connects to the address the test's zone gives each name at that time, printing the name, the address and its local
 * port. Every flow to a web port must carry that name as dst_name, every flow back from it as src_name: compared with
 * what the client asked, not with the code. Then the client asks 42 times for 'hostile' and the server answers each with
 * a hostile response from port 53 (the query's own transaction id, so that the kernel hands it over): each is counted as
 * malformed or looping, and their flow has exactly 42 packets. Before the first, the server sends a well-formed response
 * nobody asked for to a closed port of the client, naming forged.dn.test at an address the client then connects to: it
 * is counted as unsolicited, and the flow keeps the name the client was really told.
 * <p>
 * One recorder and one network for the class. Artifacts stay under system-tests/target/it-dns/.
 */
class DnsNamesTest
{
    private static final Path ROOT = TestRun.ROOT;
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final String DNS4 = "10.232.97.1";
    private static final String DNS6 = "fd00:232:97::1";
    private static final String CLI4 = "10.232.96.2";
    private static final String CLI6 = "fd00:232:97::2";
    private static final int WEB = 8080;
    private static final int HOSTILE = 42;
    private static final int HTTP_PORT = 19000 + (int)(ProcessHandle.current().pid() % 1000);
    private static final int SRC_NAME = 15;
    private static final int DST_NAME = 16;

    /**
     * The test's zone and resolver: answers from the zone, by how often a name was asked; the n-th 'hostile' gets the n-th
     * bad reply, and the first one also sends a forged answer to the asker's closed port 9.
     */
    static final String SERVER = """
        import socket, struct, sys, threading
        def name(n):
            return b''.join(bytes([len(l)]) + l.encode() for l in n.split('.')) + b'\\0'
        def rr(owner, typ, data, ttl=60):
            return owner + struct.pack('>HHIH', typ, 1, ttl, len(data)) + data
        def a(addr):
            return socket.inet_pton(socket.AF_INET, addr)
        asked = {}
        def answers(q, typ, tcp):
            n = asked[q] = asked.get(q, 0) + 1
            p = b'\\xc0\\x0c'
            if q == 'www.dn.test': return 0, [rr(p, 1, a('10.232.97.10'))]
            if q == 'v6.dn.test': return 0, [rr(p, 28, socket.inet_pton(socket.AF_INET6, 'fd00:232:97::10'))]
            if q == 'app.dn.test': return 0, [rr(p, 5, name('edge.cdn.test')),
                rr(name('edge.cdn.test'), 5, name('e2.cdn.test')), rr(name('e2.cdn.test'), 1, a('10.232.97.11'))]
            if q == 'moving.dn.test': return 0, [rr(p, 1, a('10.232.97.12' if n == 1 else '10.232.97.13'), 2)]
            if q == 'reuse.dn.test': return 0, [rr(p, 1, a('10.232.97.10'))]
            if q == 'tcp.dn.test': return 0, [rr(p, 1, a('10.232.97.14'))]
            if q == 'trunc.dn.test':
                full = [rr(p, 1, a('10.232.97.15')), rr(p, 1, a('10.232.97.16')), rr(p, 1, a('10.232.97.17'))]
                return (0, full) if tcp else (0x0200, full[:1])
            if q == 'many.dn.test': return 0, [rr(p, 1, a('10.232.98.%d' % i)) for i in range(100)]
            return 0, []
        def hostile():
            h = lambda qd, an: struct.pack('>HHHHHH', 7, 0x8180, qd, an, 0, 0)
            q = name('bad.dn.test') + b'\\0\\1\\0\\1'
            kinds = [
                ('loop', h(1, 0) + b'\\xc0\\x0c\\0\\1\\0\\1'),                                # a name pointing at itself
                ('loop', h(1, 0) + b'\\xc0\\x12\\0\\1\\0\\1\\x01a\\xc0\\x0c'),                # forward, then back: a cycle
                ('malformed', h(1, 0)),                                                    # a question that is not there
                ('malformed', h(1, 5) + q + rr(b'\\xc0\\x0c', 1, a('10.9.9.9'))),           # 5 answers claimed, 1 sent
                ('malformed', h(1, 1) + q + b'\\xc0\\x0c' + struct.pack('>HHIH', 1, 1, 60, 5) + b'\\1\\2\\3\\4\\5'),
                ('malformed', h(1, 0) + b'\\x41' + b'x' * 65 + b'\\0\\0\\1\\0\\1'),           # label length with 0x40 set
                ('malformed', h(1, 0) + (b'\\x3f' + b'y' * 63) * 5 + b'\\0\\0\\1\\0\\1'),      # a 321-byte name
            ]
            return [m for _ in range(6) for _, m in kinds]
        bad = hostile()
        def forged(ident):
            return (struct.pack('>HHHHHH', ident, 0x8180, 1, 1, 0, 0) + name('forged.dn.test') + b'\\0\\1\\0\\1'
                + rr(b'\\xc0\\x0c', 1, a('10.232.97.10')))
        def reply(d, tcp):
            ident, flags, qd = struct.unpack('>HHH', d[:6])
            i, labels = 12, []
            while d[i]:
                labels.append(d[i + 1:i + 1 + d[i]].decode()); i += 1 + d[i]
            typ = struct.unpack('>H', d[i + 1:i + 3])[0]
            question = d[12:i + 5]
            tc, rrs = answers('.'.join(labels), typ, tcp)
            return struct.pack('>HHHHHH', ident, 0x8180 | tc, 1, len(rrs), 0, 0) + question + b''.join(rrs)
        def udp(s):
            while True:
                d, peer = s.recvfrom(4096)
                if b'\\x07hostile' in d:
                    ident = struct.unpack('>H', d[:2])[0]
                    if ident == 1:
                        s.sendto(forged(ident), (peer[0], 9))
                    s.sendto(d[:2] + bad[ident - 1][2:], peer)
                    continue
                s.sendto(reply(d, False), peer)
        def tcp(l):
            while True:
                c, _ = l.accept()
                n = struct.unpack('>H', c.recv(2))[0]
                d = b''
                while len(d) < n:
                    d += c.recv(n - len(d))
                r = reply(d, True)
                c.sendall(struct.pack('>H', len(r)) + r)
                c.close()
        def web(l):
            while True:
                c, _ = l.accept()
                c.recv(64); c.sendall(b'ok'); c.close()
        for fam, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
            u = socket.socket(fam, socket.SOCK_DGRAM); u.bind((addr, 53))
            threading.Thread(target=udp, args=(u,), daemon=True).start()
            t = socket.socket(fam, socket.SOCK_STREAM); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((addr, 53)); t.listen(64)
            threading.Thread(target=tcp, args=(t,), daemon=True).start()
            w = socket.socket(fam, socket.SOCK_STREAM); w.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                w.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            w.bind(('0.0.0.0' if fam == socket.AF_INET else '::', 8080)); w.listen(64)
            threading.Thread(target=web, args=(w,), daemon=True).start()
        print('ready', flush=True)
        threading.Event().wait()
        """;

    /** Asks, checks what it was told of the header only, connects to the zone's address, prints "NAME ADDR PORT". */
    static final String CLIENT = """
        import random, socket, struct, sys, time
        dns4, dns6 = sys.argv[1], sys.argv[2]
        def ask(q, typ=1, tcp=False, server=dns4):
            fam = socket.AF_INET6 if ':' in server else socket.AF_INET
            m = struct.pack('>HHHHHH', random.randrange(65536), 0x0100, 1, 0, 0, 0)
            m += b''.join(bytes([len(l)]) + l.encode() for l in q.split('.')) + b'\\0' + struct.pack('>HH', typ, 1)
            s = socket.socket(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
            s.settimeout(10)
            if tcp:
                s.connect((server, 53)); s.sendall(struct.pack('>H', len(m)) + m)
                n = struct.unpack('>H', s.recv(2))[0]; r = b''
                while len(r) < n:
                    r += s.recv(n - len(r))
            else:
                s.sendto(m, (server, 53)); r = s.recv(65535)
            s.close()
            return r
        def connect(q, addr):
            fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(10)
            s.connect((addr, 8080)); s.sendall(b'hi'); s.recv(64)
            print(q, addr, s.getsockname()[1], flush=True)
            s.close()
        def visit(q, addr, **kw):
            r = ask(q, **kw)
            assert r[2] & 0x80 and struct.unpack('>H', r[6:8])[0] > 0, q
            connect(q, addr)
            return r
        visit('www.dn.test', '10.232.97.10')
        visit('v6.dn.test', 'fd00:232:97::10', typ=28, server=dns6)
        visit('app.dn.test', '10.232.97.11')
        visit('moving.dn.test', '10.232.97.12')
        time.sleep(0.2)
        visit('moving.dn.test', '10.232.97.13')
        visit('reuse.dn.test', '10.232.97.10')
        visit('tcp.dn.test', '10.232.97.14', tcp=True)
        r = ask('trunc.dn.test')
        assert r[2] & 0x02, 'TC set'
        visit('trunc.dn.test', '10.232.97.15', tcp=True)
        r = visit('many.dn.test', '10.232.98.7')
        assert struct.unpack('>H', r[6:8])[0] == 100
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(10)
        got = 0
        for i in range(%d):
            s.sendto(struct.pack('>H', i + 1) + b'\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\x07hostile\\0\\0\\1\\0\\1', (dns4, 53))
            s.recv(4096); got += 1
        print('hostile', s.getsockname()[1], got, flush=True)
        connect('forged', '10.232.97.10')
        """.formatted(HOSTILE);

    private static NetnsFixture fixture;
    private static Path journal;
    /** "ADDR PORT" of each connection (the web address, the client's local port) → the name the client asked. */
    private static final Map<String, String> asked = new TreeMap<>();
    private static int hostilePort;
    /** "ADDR PORT" of the connection made after the forged answer. */
    private static String forgedConnection;
    private static long[] dnsCounters;
    private static String metrics;

    @BeforeAll
    static void record() throws IOException
    {
        TestRun.assumeRootWith("needs root (netns, BPF)", List.of("ip", "nsenter", "python3", "curl"));
        PinnedRecorder.setUp();
        fixture = new NetnsFixture();
        final Path dir = ROOT.resolve("system-tests/target/it-dns").resolve(fixture.id());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("server.py"), SERVER);
        Files.writeString(dir.resolve("client.py"), CLIENT);
        final String srv = fixture.netns("dnsrv");
        final String cli = fixture.netns("dncli");
        fixture.veth(srv, "dn0", cli, "dn1");
        fixture.ip(srv, "link", "set", "dn0", "mtu", "9000");
        fixture.ip(cli, "link", "set", "dn1", "mtu", "9000");
        fixture.address(srv, "dn0", DNS4 + "/16");
        for (final String web : List.of("10", "11", "12", "13", "14", "15"))
        {
            fixture.address(srv, "dn0", "10.232.97." + web + "/16");
        }
        fixture.address(srv, "dn0", "10.232.98.7/16");
        fixture.address(cli, "dn1", CLI4 + "/16");
        fixture.address(srv, "dn0", DNS6 + "/64", "nodad");
        fixture.address(srv, "dn0", "fd00:232:97::10/64", "nodad");
        fixture.address(cli, "dn1", CLI6 + "/64", "nodad");
        for (final String ns : List.of(srv, cli))
        {
            fixture.up(ns, "lo");
        }
        fixture.up(srv, "dn0");
        fixture.up(cli, "dn1");

        final Proc.Background server = Proc.Background.start("server", dir,
            NetnsFixture.in(srv, "/usr/bin/python3", dir.resolve("server.py").toString(), DNS4, DNS6));
        fixture.onClose(server::close);
        Proc.await(SHORT, "the DNS server to listen", () -> server.out().contains("ready") || !server.alive(), server::err);
        assertTrue(server.alive(), "the DNS server exited: " + server.err());

        journal = dir.resolve("journal");
        final String instance = "dn-" + fixture.id().replace('_', '-');
        fixture.onClose(() -> PinnedMaps.unpin(new Instance(instance).pinDir()));
        final List<String> line = new ArrayList<>(List.of("nsenter", "--net=" + NetnsFixture.path(cli)));
        line.addAll(PinnedRecorder.record("--iface", "dn1", "--journal", journal.toString(), "--instance", instance,
            "--flush-interval", "1s", "--no-owners"));
        line.set(line.indexOf("off"), "127.0.0.1:" + HTTP_PORT);
        final Proc.Background recorder = Proc.Background.start("recorder", dir, line);
        fixture.onClose(recorder::close);
        PinnedRecorder.awaitRecording(recorder);

        final Proc.Result client = Proc.run(SHORT, NetnsFixture.in(cli, "/usr/bin/python3", dir.resolve("client.py").toString(),
            DNS4, DNS6)).ok();
        Files.writeString(dir.resolve("client.out"), client.out());
        for (final String l : client.out().split("\n"))
        {
            final String[] f = l.strip().split(" ");
            if (f[0].equals("hostile"))
            {
                hostilePort = Integer.parseInt(f[1]);
                assertEquals(HOSTILE, Integer.parseInt(f[2]), "hostile datagrams the client received");
            }
            else if (f[0].equals("forged"))
            {
                forgedConnection = f[1] + " " + f[2];
            }
            else if (f.length == 3)
            {
                asked.put(f[1] + " " + f[2], f[0]);
            }
        }
        Proc.sleepMs(1500); // the counters are journaled once a second
        metrics = Proc.run(SHORT, List.of("nsenter", "--net=" + NetnsFixture.path(cli), "curl", "-sS", "-m", "20",
            "http://127.0.0.1:" + HTTP_PORT + "/metrics")).ok().out();
        Files.writeString(dir.resolve("metrics.txt"), metrics);
        PinnedRecorder.stop(recorder);
        readCounters();
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
    void shouldNameEveryFlowToAndFromAnAddressAsTheClientResolvedItThen()
    {
        assertEquals(9, asked.size(), "connections made: " + asked);
        final Answer answer = QueryEngine.run(journal, Query.listing(Window.ALL), () -> false);
        assertEquals(List.of("pid", "comm", "src_name", "dst_name"),
            answer.columns().subList(13, 17).stream().map(c -> c.name()).toList());
        final Map<String, String> toServer = new TreeMap<>();
        final Map<String, String> fromServer = new TreeMap<>();
        for (final Object[] row : answer.rows())
        {
            if (forgedConnection.equals(row[8] + " " + row[7]) || forgedConnection.equals(row[6] + " " + row[9]))
            {
                continue; // shouldNameNothingFromAnUnsolicitedResponseAndCountIt's
            }
            if ("tcp".equals(row[5]) && row[9].equals(WEB))
            {
                toServer.put(row[8] + " " + row[7], (String)row[DST_NAME]);
            }
            else if ("tcp".equals(row[5]) && row[7].equals(WEB))
            {
                fromServer.put(row[6] + " " + row[9], (String)row[SRC_NAME]);
            }
        }
        assertEquals(asked, toServer, "dst_name of every flow to a web address: the name asked for it at the time");
        assertEquals(asked, fromServer, "src_name of every flow back from it");
    }

    @Test
    void shouldCountHostileResponsesAndKeepTheirFlowExact()
    {
        // responses, answers, cut short, malformed, looping, oversized, server truncated, lost at the ring
        assertEquals(List.of(10L + HOSTILE, 10L, 0L, 30L, 12L, 0L, 1L, 0L),
            java.util.Arrays.stream(dnsCounters).boxed().toList(),
            "10 answers (the TC one too), 30 malformed and 12 looping of the 42 hostile, the TC one: " + metrics);
        long packets = 0;
        try (JournalReader reader = JournalReader.open(journal))
        {
            final FlowDeltaDecoder d = new FlowDeltaDecoder();
            final long[] sum = new long[1];
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == FlowDeltaDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(d, buffer, offset);
                    if (d.proto() == 17 && d.srcPort() == 53 && d.dstPort() == hostilePort &&
                        FlowDeltas.srcAddrLow(d) == (0x0000FFFF_00000000L | 0x0AE86101L))
                    {
                        sum[0] += d.packets();
                    }
                }
            }, 1024) > 0)
            {
                // all of it
            }
            packets = sum[0];
        }
        assertEquals(HOSTILE, packets, "the hostile flow's packets, as sent and received");
        assertTrue(metrics.contains("flowrec_dns_responses_total{outcome=\"looping\"} 12"), metrics);
    }

    @Test
    void shouldNameNothingFromAnUnsolicitedResponseAndCountIt()
    {
        assertTrue(metrics.contains("flowrec_dns_unsolicited_total 1\n"), metrics);
        final Answer answer = QueryEngine.run(journal, Query.listing(Window.ALL), () -> false);
        final List<String> names = new ArrayList<>();
        for (final Object[] row : answer.rows())
        {
            if ("tcp".equals(row[5]) && row[9].equals(WEB) && forgedConnection.equals(row[8] + " " + row[7]))
            {
                names.add((String)row[DST_NAME]);
            }
            assertTrue(!"forged.dn.test".equals(row[SRC_NAME]) && !"forged.dn.test".equals(row[DST_NAME]),
                java.util.Arrays.toString(row));
        }
        assertEquals(List.of("reuse.dn.test"), names, "the flow after the forged answer: named as the client was told");
    }

    @Test
    void shouldListNamesFromTheCommandLineAndLeaveThemOutWithNamesOff()
    {
        final String flowrec = ROOT.resolve("scripts/flowrec").toString();
        final String on = Proc.run(SHORT, List.of(flowrec, "query", "--journal", journal.toString(), "--format", "csv",
            "--where", "dst name *.dn.test and dst port 8080")).ok().out();
        final String[] lines = on.strip().split("\n");
        assertTrue(lines[0].endsWith(",pid,comm,src_name,dst_name"), lines[0]);
        assertEquals(asked.size() + 2, lines.length, on); // the header, and the connection after the forged answer
        final String off = Proc.run(SHORT, List.of(flowrec, "query", "--journal", journal.toString(), "--format", "csv",
            "--names", "off", "--where", "dst port 8080")).ok().out();
        for (final String l : off.strip().split("\n"))
        {
            assertTrue(l.endsWith(",,") || l.endsWith("src_name,dst_name"), l);
        }
    }

    private static void readCounters()
    {
        final DnsCountersDecoder c = new DnsCountersDecoder();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == DnsCountersDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(c, buffer, offset);
                    dnsCounters = new long[] {c.responses(), c.answers(), c.cutShort(), c.malformed(), c.looping(),
                        c.oversized(), c.serverTruncated(), c.ringLost()};
                }
            }, 1024) > 0)
            {
                // the last counters win
            }
        }
    }
}
