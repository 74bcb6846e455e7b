package dev.flowrec.export.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowrec export} read back by an independent reader: apache-arrow for JS in node
 * ({@code src/test/js/read-arrow.mjs}), from an Arrow IPC file and from an Arrow IPC stream on stdout. The rows
 * are the journal's deltas; their sums per protocol must be {@code flowrec query --group-by proto}'s answer.
 * <p>
 * The node project is installed by {@code src/test/js/install} into {@code target/node} (npm ci, once).
 */
class NodeArrowReaderTest
{
    private static final String HOST = "node-host";
    private static final long T0_NS = Instant.parse("2025-12-31T23:00:00Z").getEpochSecond() * SyntheticJournal.SECOND_NS;
    private static final Duration EXPORT_TIMEOUT = Duration.ofMinutes(3);

    /** The contract's columns; strings of few values dictionary-encoded, times in ns UTC. */
    static final Map<String, String> TYPES = typesOfContract();

    @TempDir
    static Path dir;
    static Path journal;
    static List<SyntheticJournal.Delta> deltas;
    static Map<String, long[]> query;
    static Path nodeDir;

    @BeforeAll
    static void installAndWrite() throws IOException, InterruptedException
    {
        assumeTrue(Cli.run(Duration.ofSeconds(30), "sh", "-c", "command -v node && command -v npm").exit() == 0,
            "node/npm not found: the Arrow reader checks need Node.js (Debian: apt-get install nodejs npm)");
        final Path install = Cli.ROOT.resolve("system-tests/src/test/js/install");
        nodeDir = Path.of(Cli.run(Duration.ofMinutes(5), install.toString()).ok("npm install of apache-arrow").out().strip());
        journal = dir.resolve("journal");
        // 80,000 deltas: more than one record batch of the exporter (65,536 rows), new strings in the second
        deltas = SyntheticJournal.write(journal, HOST, T0_NS, 2, 40_000, 42);
        query = Cli.queryByProto(journal);
    }

    @Test
    void shouldReadASampleWrittenByApacheArrowItself() throws IOException, InterruptedException
    {
        // The reader, checked without flowrec: a file apache-arrow wrote, with known sums.
        final Path sample = dir.resolve("sample.arrow");
        Cli.run(Duration.ofMinutes(1), "node", nodeDir.resolve("write-sample.mjs").toString(), "file", sample.toString())
            .ok("write-sample.mjs");
        final Map<String, List<String>> facts = read(sample.toString());
        assertEquals(List.of("file"), facts.get("format"));
        assertEquals(List.of("3"), facts.get("rows"));
        assertEquals(List.of("tcp 2 2 7 700", "udp 1 1 5 500"), facts.get("proto"));
        assertSchema(facts);
    }

    @Test
    void shouldHaveQueryAnswerWithTheSumsOfTheDeltasWritten()
    {
        // The oracle checked against the fixture: flowrec query sums exactly the deltas SyntheticJournal wrote.
        final Map<String, String> written = new TreeMap<>();
        deltas.stream().collect(Collectors.groupingBy(SyntheticJournal.Delta::proto, TreeMap::new, Collectors.toList()))
            .forEach((proto, ds) -> written.put(proto, ds.stream().mapToLong(SyntheticJournal.Delta::packets).sum() + " "
                + ds.stream().mapToLong(SyntheticJournal.Delta::bytes).sum()));
        final Map<String, String> answered = new TreeMap<>();
        query.forEach((proto, v) -> answered.put(proto, v[1] + " " + v[2]));
        assertEquals(written, answered);
        assertEquals(Set.of("icmp", "icmpv6", "tcp", "udp"), written.keySet());
    }

    @Test
    void shouldReadAnArrowIpcFileExportedFromAJournal() throws IOException, InterruptedException
    {
        assumeExport();
        final Path file = dir.resolve("flows.arrow");
        Cli.run(EXPORT_TIMEOUT, Cli.flowrec("export", "--journal", journal.toString(), "--out", file.toString()))
            .ok("flowrec export --out flows.arrow");
        final Map<String, List<String>> facts = read(file.toString());
        assertEquals(List.of("file"), facts.get("format"), "an .arrow export is an Arrow IPC file (ARROW1 magic)");
        assertExport(facts);
    }

    @Test
    void shouldReadAnArrowIpcStreamExportedToStdout() throws IOException, InterruptedException
    {
        assumeExport();
        final Cli.Result r = Cli.pipe(EXPORT_TIMEOUT,
            Cli.flowrec("export", "--journal", journal.toString(), "--out", "-"),
            List.of("node", nodeDir.resolve("read-arrow.mjs").toString(), "-"))
            .ok("flowrec export --out - | node read-arrow.mjs -");
        System.out.print(r.out()); // kept in surefire-reports/*-output.txt
        final Map<String, List<String>> facts = Cli.facts(r.out());
        assertEquals(List.of("stream"), facts.get("format"), "--out - is an Arrow IPC stream");
        assertExport(facts);
    }

    private static void assumeExport() throws IOException, InterruptedException
    {
        assumeTrue(Cli.exportAvailable(), "scripts/flowrec has no export command yet");
    }

    private static Map<String, List<String>> read(final String path) throws IOException, InterruptedException
    {
        final String out = Cli.run(Duration.ofMinutes(2), "node", nodeDir.resolve("read-arrow.mjs").toString(), path)
            .ok("node read-arrow.mjs " + path).out();
        System.out.print(out); // kept in surefire-reports/*-output.txt
        return Cli.facts(out);
    }

    private static void assertExport(final Map<String, List<String>> facts)
    {
        final String all = String.join("\n", facts.entrySet().stream()
            .flatMap(e -> e.getValue().stream().map(v -> e.getKey() + " " + v)).toList());
        assertSchema(facts);
        assertTrue(facts.get("field").stream().anyMatch(f -> f.startsWith("pid Int32 ")), "pid: " + facts.get("field"));
        assertTrue(facts.get("field").stream().anyMatch(f -> f.startsWith("comm Dictionary<") && f.contains(", Utf8> ")),
            "comm: " + facts.get("field"));
        final Set<String> metaKeys = facts.getOrDefault("meta", List.of()).stream()
            .map(m -> m.substring(0, m.indexOf(' '))).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(metaKeys.containsAll(Set.of("flowrec.version", "flowrec.hosts", "flowrec.query", "flowrec.coverage")),
            "schema metadata keys: " + metaKeys);
        assertTrue(facts.get("meta").stream().anyMatch(m -> m.startsWith("flowrec.hosts ") && m.contains(HOST)),
            "flowrec.hosts names " + HOST + ": " + facts.get("meta"));
        assertEquals(List.of(String.valueOf(deltas.size())), facts.get("rows"), "one row per delta\n" + all);
        assertTrue(Long.parseLong(facts.get("batches").get(0)) > 1, "more than one record batch: " + facts.get("batches"));
        // container may be null for an interface of the host itself, comm for a flow without a known process; the rest never is
        assertEquals(List.of(), facts.getOrDefault("nulls", List.of()).stream()
            .filter(n -> !n.startsWith("container ") && !n.startsWith("tcp_flags ") && !n.startsWith("comm ")).toList(), "nulls");
        assertEquals(List.of("0"), facts.get("bad_times"), "last_seen >= first_seen");
        final long minFirst = deltas.stream().mapToLong(SyntheticJournal.Delta::firstNs).min().orElseThrow();
        final long maxLast = deltas.stream().mapToLong(SyntheticJournal.Delta::lastNs).max().orElseThrow();
        assertEquals(List.of(minFirst + " " + maxLast), facts.get("time_range"), "times exact to the nanosecond");

        final Map<String, String> expected = new TreeMap<>();
        query.forEach((proto, v) -> expected.put(proto, v[0] + " " + v[1] + " " + v[2]));
        final Map<String, String> actual = new TreeMap<>();
        for (final String line : facts.get("proto"))
        {
            final String[] f = line.split(" ");
            actual.put(f[0], f[2] + " " + f[3] + " " + f[4]); // flows packets bytes
        }
        assertEquals(expected, actual, "per proto: flows, packets, bytes = flowrec query --group-by proto");
        assertEquals(1, facts.get("host").size(), "one host: " + facts.get("host"));
        assertTrue(facts.get("host").get(0).startsWith(HOST + " "), "host column: " + facts.get("host"));
        // last: the data above matters more than this
        assertTrue(facts.get("meta").stream().anyMatch(m -> m.startsWith("flowrec.query ")
                && m.contains("flowrec export --journal " + journal)),
            "flowrec.query records the command as given: " + facts.get("meta"));
    }

    static void assertSchema(final Map<String, List<String>> facts)
    {
        final Map<String, String> types = new TreeMap<>();
        for (final String field : facts.get("field"))
        {
            final String name = field.substring(0, field.indexOf(' '));
            types.put(name, field.substring(name.length() + 1, field.lastIndexOf(' ')));
        }
        // the contract's columns, each with its type; a column beyond them (a raw form of one) is allowed
        assertTrue(types.keySet().containsAll(TYPES.keySet()), "columns " + types.keySet() + " lack some of " + TYPES.keySet());
        TYPES.forEach((name, type) ->
        {
            final String actual = types.get(name);
            final boolean ok = switch (type)
            {
                case "dictionary" -> actual.startsWith("Dictionary<") && actual.endsWith(", Utf8>");
                case "string" -> actual.equals("Utf8") || actual.equals("LargeUtf8");
                case "any" -> true;
                default -> actual.equals(type);
            };
            assertTrue(ok, name + " is " + actual + ", expected " + type);
        });
    }

    private static Map<String, String> typesOfContract()
    {
        final Map<String, String> t = new TreeMap<>();
        t.put("first_seen", "Timestamp<NANOSECOND, UTC>");
        t.put("last_seen", "Timestamp<NANOSECOND, UTC>");
        for (final String d : List.of("host", "iface", "container", "direction", "proto"))
        {
            t.put(d, "dictionary");
        }
        t.put("src_addr", "string");
        t.put("dst_addr", "string");
        t.put("src_port", "Int32");
        t.put("dst_port", "Int32");
        t.put("packets", "Int64");
        t.put("bytes", "Int64");
        t.put("tcp_flags", "any"); // the contract names the column, not its type
        return t;
    }
}
