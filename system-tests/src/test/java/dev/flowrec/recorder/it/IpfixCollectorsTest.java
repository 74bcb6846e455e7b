package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.ExportLossDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
 * Issue 18: IPFIX to real collectors. A recording of scripts/it/traffic (TCP, UDP, ICMP, IPv4 and IPv6) is sent live to
 * nfcapd and to pmacct's nfacctd, and afterwards from its journal ({@code export --format ipfix}) to another nfcapd:
 * {@code nfdump -R} of each nfcapd agrees with {@code flowrec query} flow by flow (addresses, ports, protocol,
 * packets, bytes, TCP flags, first and last packet to the millisecond nfdump keeps), nfacctd's totals per protocol
 * with the query's. Then collectors that cannot keep up: one not listening, one that never reads its socket, one that
 * starts 10 s late, with a queue and a pace far too small for the packet events: the journal stays exact against a
 * capture, the export's loss is counted (journaled as ExportLoss, on /metrics), and the late collector gets records
 * once the templates are sent again.
 */
class IpfixCollectorsTest
{
    private static final Path IT = TestRun.ROOT.resolve("scripts/it");
    private static final Path FLOWREC = TestRun.ROOT.resolve("scripts/flowrec");
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final Duration RECORDER_START = Duration.ofSeconds(180);
    private static final DateTimeFormatter NFDUMP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @RegisterExtension
    final TestRun run = new TestRun("it-ipfix");

    @BeforeAll
    static void requirements()
    {
        TestRun.assumeRootWith("the IPFIX collector tests need root (netns, BPF) and the collectors",
            List.of("ip", "tc", "tcpdump", "tshark", "nfcapd", "nfdump", "nfacctd", "python3", "curl"));
        assumeTrue(Files.isExecutable(FLOWREC), FLOWREC + " does not exist yet");
    }

    @Test
    void shouldAgreeWithNfcapdAndNfacctdLiveAndFromTheJournal() throws IOException
    {
        final QuietPair pair = QuietPair.up(run.fixture(), IT, false);
        final Path journal = Files.createDirectories(run.dir().resolve("journal"));
        final Path live = Files.createDirectories(run.dir().resolve("nfcapd-live"));
        final Path replayed = Files.createDirectories(run.dir().resolve("nfcapd-journal"));
        final Proc.Background nfcapd = nfcapd(pair, live, 9995);
        final Path pmacct = run.dir().resolve("nfacctd.csv");
        final Path config = run.dir().resolve("nfacctd.conf");
        run.write("nfacctd.conf", String.join("\n", "daemonize: false", "nfacctd_ip: 127.0.0.1",
            "nfacctd_port: 9997", "plugins: print", "aggregate: proto", "print_output: csv",
            "print_output_file: " + pmacct, "print_output_file_append: true", "print_refresh_time: 1", ""));
        final Proc.Background nfacctd = run.start("nfacctd", pair.inA("nfacctd", "-f", config.toString()));
        awaitUdp(pair, 9997, nfacctd);

        final Proc.Background recorder = startRecorder(pair, journal, "--ipfix", "udp://127.0.0.1:9995",
            "--ipfix", "udp://127.0.0.1:9997");
        Proc.run(Duration.ofSeconds(120), List.of(IT.resolve("traffic").toString(), pair.name(), "all", "--tcp-bytes", "300000"));
        Proc.sleepMs(1500);
        assertEquals(0, recorder.stop(SHORT), "recorder exit status\n" + recorder.err());
        assertEquals(0, nfcapd.stop(SHORT), "nfcapd\n" + nfcapd.err());
        Proc.sleepMs(2500); // nfacctd prints its cache every second (and takes minutes over SIGTERM: the run ends it)

        final Proc.Background second = nfcapd(pair, replayed, 9996);
        final Proc.Result sent = Proc.ok(RECORDER_START, pair.inA(FLOWREC.toString(), "export", "--journal",
            journal.toString(), "--format", "ipfix", "--out", "udp://127.0.0.1:9996").toArray(String[]::new));
        final Matcher counts = Pattern.compile("(\\d+) records in (\\d+) IPFIX messages").matcher(sent.err());
        assertTrue(counts.find(), sent.err());
        Proc.sleepMs(500);
        assertEquals(0, second.stop(SHORT), "nfcapd\n" + second.err());

        final Map<String, String> flowrec = flowrecFlows(journal);
        assertTrue(flowrec.keySet().stream().anyMatch(k -> k.contains("fd00:")), "IPv6 flows recorded: " + flowrec.keySet());
        assertTrue(flowrec.keySet().stream().anyMatch(k -> k.startsWith("tcp 10.")), "IPv4 TCP recorded: " + flowrec.keySet());
        assertEquals(flowrec, nfdumpFlows(live, "live"), "nfdump -R of what nfcapd got live = flowrec query, flow by flow");
        assertEquals(flowrec, nfdumpFlows(replayed, "journal"), "nfdump -R of what nfcapd got from the journal = flowrec query");
        final long deltas = Proc.ok(SHORT, FLOWREC.toString(), "export", "--journal", journal.toString(), "--out",
            run.dir().resolve("deltas.parquet").toString()).err().lines().filter(l -> l.contains(" rows to ")).findFirst()
            .map(l -> Long.parseLong(l.replaceAll(".*export: (\\d+) rows.*", "$1"))).orElseThrow();
        assertEquals(deltas, Long.parseLong(counts.group(1)), "one record per journaled delta: " + sent.err());

        final Map<String, long[]> perProto = new TreeMap<>();
        for (final String line : Files.readAllLines(pmacct))
        {
            final String[] f = line.split(",");
            if (f.length == 3 && !f[0].equals("PROTOCOL"))
            {
                final long[] s = perProto.computeIfAbsent(f[0].equals("ipv6-icmp") ? "icmpv6" : f[0], k -> new long[2]);
                s[0] += Long.parseLong(f[1]);
                s[1] += Long.parseLong(f[2]);
            }
        }
        final Map<String, String> expected = new TreeMap<>();
        Proc.ok(SHORT, FLOWREC.toString(), "query", "--journal", journal.toString(), "--group-by", "proto", "--format", "csv")
            .out().lines().skip(1).filter(l -> !l.isBlank()).forEach(l ->
            {
                final String[] f = l.split(",");
                expected.put(f[0], f[2] + " " + f[3]);
            });
        final Map<String, String> actual = new TreeMap<>();
        perProto.forEach((proto, s) -> actual.put(proto, s[0] + " " + s[1]));
        assertEquals(expected, actual, "nfacctd's packets and bytes per protocol = flowrec query --group-by proto");
    }

    @Test
    void shouldRecordExactlyWhateverTheCollectorsDo() throws IOException
    {
        final QuietPair pair = QuietPair.up(run.fixture(), IT, false);
        final Path journal = Files.createDirectories(run.dir().resolve("journal"));
        final Path pcap = run.dir().resolve("capture.pcap");
        final Path late = Files.createDirectories(run.dir().resolve("nfcapd-late"));
        final Proc.Background deaf = run.start("never-reads", pair.inA("python3", "-c", String.join("\n",
            "import socket, time", "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)", "s.bind(('127.0.0.1', 9991))",
            "print('bound', flush=True)", "time.sleep(600)")));
        Proc.await(SHORT, "the deaf collector to bind", () -> deaf.out().contains("bound") || !deaf.alive(), deaf::err);
        final Proc.Background capture = Capture.start(run, "tcpdump", pair::inA, pair.va(), pcap);
        final Proc.Background recorder = startRecorder(pair, journal, "--mode", "packet", "--http", "127.0.0.1:0",
            "--ipfix", "udp://127.0.0.1:9990", "--ipfix", "udp://127.0.0.1:9991", "--ipfix", "udp://127.0.0.1:9992",
            "--ipfix-rate", "200", "--ipfix-queue", "4096");
        final long startedNs = System.nanoTime();
        Proc.run(Duration.ofSeconds(120), List.of(IT.resolve("traffic").toString(), pair.name(), "tcp", "--tcp-bytes", "200000"));
        // The transfer alone is 70 to 130 packet events, as GSO and delayed ACKs fall (it fit the queue once in CI):
        // 1,000 one-skb pings in about a second are five times what the pace sends, so the queue must drop.
        Proc.run(Duration.ofSeconds(60), pair.inA("ping", "-q", "-c", "500", "-i", "0.002", pair.b4()));
        Proc.sleepMs(Math.max(0, 10_000 - (System.nanoTime() - startedNs) / 1_000_000));
        final Proc.Background nfcapd = nfcapd(pair, late, 9992); // 10 s late: it learns the templates at their next send
        Proc.sleepMs(11_000);
        Proc.run(Duration.ofSeconds(60), pair.inA("ping", "-c", "5", "-i", "0.2", pair.b4()));
        Proc.sleepMs(1500);
        final String url = recorder.err().replaceAll("(?s).*live view on (http://[0-9.:]+).*", "$1");
        final String metrics = Proc.ok(SHORT, pair.inA("curl", "-sS", url + "/metrics").toArray(String[]::new)).out();
        assertEquals(0, recorder.stop(SHORT), "recorder exit status\n" + recorder.err());
        Capture.stop(capture);
        assertEquals(0, nfcapd.stop(SHORT), "nfcapd\n" + nfcapd.err());

        final Proc.Result csv = Proc.run(RECORDER_START, List.of(FLOWREC.toString(), "query", "--journal", journal.toString(),
            "--format", "csv")).ok();
        run.write("recorded.csv", csv.out());
        final String diff = OneWayFlows.differences(Capture.oracle(run, pcap, "oracle.csv"),
            OneWayFlows.fromRecorderCsv(csv.out()), pair.va(), null);
        assertEquals("", diff, "the journal against the capture, the collectors notwithstanding");

        final long[] loss = lastExportLoss(journal);
        assertTrue(loss[1] > 0, "a queue of 4 KiB paced at 200 records/s drops packet events: queued, dropped, sent = "
            + loss[0] + ", " + loss[1] + ", " + loss[2]);
        assertEquals(loss[0], loss[1] + loss[2], "every delta queued is sent or counted as dropped");
        assertTrue(metrics.matches("(?s).*\nflowrec_ipfix_records_dropped_total [1-9][0-9]*\n.*"), metrics);
        final String nfdump = Proc.ok(SHORT, "nfdump", "-R", late.toString(), "-q", "-N", "-o", "fmt:%pr %sa %da").out();
        assertTrue(nfdump.lines().anyMatch(l -> l.strip().startsWith("1 ") && l.contains(pair.b4())), "the late collector decoded the pings sent after it started:\n" + nfdump
            + "\n" + nfcapd.err());
    }

    private Proc.Background nfcapd(final QuietPair pair, final Path dir, final int port)
    {
        final Proc.Background p = run.start("nfcapd-" + port, pair.inA("nfcapd", "-b", "127.0.0.1", "-p",
            String.valueOf(port), "-w", dir.toString(), "-t", "3600"));
        awaitUdp(pair, port, p);
        return p;
    }

    private static void awaitUdp(final QuietPair pair, final int port, final Proc.Background p)
    {
        Proc.await(SHORT, "a collector to listen on UDP port " + port, () -> !p.alive() ||
            Proc.run(SHORT, pair.inA("ss", "-Hlun", "sport = :" + port)).out().contains(":" + port), p::err);
        assertTrue(p.alive(), p.name() + " exited: " + p.err() + p.out());
    }

    private Proc.Background startRecorder(final QuietPair pair, final Path journal, final String... options)
    {
        final List<String> command = new ArrayList<>(List.of(FLOWREC.toString(), "record", "--iface", pair.va(),
            "--journal", journal.toString(), "--flush-interval", "1s"));
        command.addAll(List.of(options));
        if (!command.contains("--http"))
        {
            command.addAll(List.of("--http", "off"));
        }
        final Proc.Background p = run.start("recorder", pair.inA(command.toArray(String[]::new)));
        Proc.await(RECORDER_START, "the recorder to start", () -> !p.alive() || p.err().contains("flowrec record: recording"),
            p::err);
        assertTrue(p.alive(), "the recorder exited at start:\n" + p.err());
        return p;
    }

    /** flowrec query's flows: key → "packets bytes flags first_ms last_ms", summed over the key's rows. */
    private Map<String, String> flowrecFlows(final Path journal)
    {
        final String csv = Proc.run(RECORDER_START, List.of(FLOWREC.toString(), "query", "--journal", journal.toString(),
            "--format", "csv")).ok().out();
        run.write("recorded.csv", csv);
        final Map<String, long[]> flows = new TreeMap<>();
        csv.lines().skip(1).filter(l -> !l.isBlank()).forEach(l ->
        {
            final List<String> f = OneWayFlows.fields(l);
            add(flows, f.get(5) + " " + f.get(6) + " " + f.get(7) + " " + f.get(8) + " " + f.get(9),
                Long.parseLong(f.get(10)), Long.parseLong(f.get(11)), flags(f.get(12)),
                Instant.parse(f.get(0)).toEpochMilli(), Instant.parse(f.get(1)).toEpochMilli());
        });
        return render(flows);
    }

    /** nfdump -R of an nfcapd directory, in the same shape. */
    private Map<String, String> nfdumpFlows(final Path dir, final String name)
    {
        final Proc.Result r = Proc.ok(SHORT, "env", "TZ=UTC", "nfdump", "-R", dir.toString(), "-q", "-N", "-6", "-o",
            "fmt:%ts|%te|%pr|%sa|%sp|%da|%dp|%pkt|%byt|%flg");
        run.write("nfdump-" + name + ".txt", r.out());
        final Map<String, long[]> flows = new TreeMap<>();
        r.out().lines().filter(l -> l.contains("|")).forEach(l ->
        {
            final String[] f = l.split("\\|");
            final String proto = switch (f[2].strip()) // -N prints protocol numbers
            {
                case "1" -> "icmp";
                case "6" -> "tcp";
                case "17" -> "udp";
                case "58" -> "icmpv6";
                default -> f[2].strip();
            };
            add(flows, proto + " " + f[3].strip() + " " + port(f[4]) + " " + f[5].strip() + " " + port(f[6]),
                Long.parseLong(f[7].strip()), Long.parseLong(f[8].strip()), flags(f[9].strip()),
                millis(f[0]), millis(f[1]));
        });
        return render(flows);
    }

    private static void add(final Map<String, long[]> flows, final String key, final long packets, final long bytes,
        final long flags, final long firstMs, final long lastMs)
    {
        final long[] s = flows.computeIfAbsent(key, k -> new long[] {0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
        s[0] += packets;
        s[1] += bytes;
        s[2] |= flags;
        s[3] = Math.min(s[3], firstMs);
        s[4] = Math.max(s[4], lastMs);
    }

    private static Map<String, String> render(final Map<String, long[]> flows)
    {
        final Map<String, String> out = new TreeMap<>();
        flows.forEach((k, s) -> out.put(k, s[0] + " pkts " + s[1] + " B flags " + s[2] + " " + s[3] + ".." + s[4]));
        return out;
    }

    /** A port, or an ICMP "type.code" as flowrec numbers it (type × 256 + code). */
    private static int port(final String text)
    {
        final String t = text.strip();
        final int dot = t.indexOf('.');
        return dot < 0 ? Integer.parseInt(t) : Integer.parseInt(t.substring(0, dot)) * 256 + Integer.parseInt(t.substring(dot + 1));
    }

    /** TCP flags as letters (flowrec's UAPRSF or CEUAPRSF, nfdump's CEUAPRSF), dots for those not seen. */
    private static long flags(final String text)
    {
        final String letters = "FSRPAUEC";
        long bits = 0;
        for (final char c : text.toCharArray())
        {
            final int i = letters.indexOf(c);
            bits |= i < 0 ? 0 : 1L << i;
        }
        return bits;
    }

    private static long millis(final String text)
    {
        return LocalDateTime.parse(text.strip(), NFDUMP_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** The last ExportLoss of the journal: queued, dropped, sent. */
    private static long[] lastExportLoss(final Path journal)
    {
        final long[] last = new long[3];
        final boolean[] seen = {false};
        final ExportLossDecoder decoder = new ExportLossDecoder();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == ExportLossDecoder.TEMPLATE_ID)
                {
                    final ExportLossDecoder e = MessageHeader.wrap(decoder, buffer, offset);
                    last[0] = e.recordsQueued();
                    last[1] = e.recordsDropped();
                    last[2] = e.recordsSent();
                    seen[0] = true;
                }
            }, 256) > 0)
            {
                // the handler keeps the last
            }
        }
        assertTrue(seen[0], "no ExportLoss event in the journal");
        return last;
    }
}
