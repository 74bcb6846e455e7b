package dev.flowrec.export.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts' journals exported with {@code --partition-by host,date,hour} into one directory, read by Spark
 * (local mode, Java 17, {@code spark.read.parquet(dir)} with partition discovery) through
 * {@code scripts/spark/check}: totals, and per host and protocol, must be flowrec's own answers
 * ({@code flowrec query --journal X --group-by proto}, per journal); every row sits in the partition of its hour.
 * <p>
 * The first run on a machine fetches Spark (~230 MB from Maven Central, about a minute) and compiles the job;
 * later runs cost Spark's cold start, about 15 s. {@code FLOWREC_SPARK=off} skips this test.
 */
class SparkDatasetTest
{
    private static final long T0_NS = Instant.parse("2025-12-31T23:00:00Z").getEpochSecond() * SyntheticJournal.SECOND_NS;
    private static final Map<String, Long> HOSTS = Map.of(
        "alpha-host", T0_NS,                                          // 23:00 .. 01:00, over midnight and a year
        "beta-host", T0_NS + 90 * 60 * SyntheticJournal.SECOND_NS);   // 00:30 .. 02:30
    private static final Pattern PART = Pattern.compile("host=[^/]+/date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/part-[^/]*\\.parquet");
    private static final DateTimeFormatter DAY_HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH").withZone(ZoneOffset.UTC);

    @TempDir
    static Path dir;
    static final Map<String, Path> journals = new TreeMap<>();
    static final Map<String, List<SyntheticJournal.Delta>> deltas = new TreeMap<>();
    static final Map<String, Map<String, long[]>> queries = new TreeMap<>();
    static Path export;
    static Map<String, List<String>> facts;

    @BeforeAll
    static void exportAndRead() throws IOException, InterruptedException
    {
        assumeTrue(!"off".equals(System.getenv("FLOWREC_SPARK")), "FLOWREC_SPARK=off");
        assumeTrue(Files.isExecutable(Path.of(System.getenv().getOrDefault(
            "FLOWREC_SPARK_JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"), "bin/java")),
            "no Java 17 for Spark 3.5 (FLOWREC_SPARK_JAVA_HOME)");
        long seed = 7;
        for (final Map.Entry<String, Long> host : new TreeMap<>(HOSTS).entrySet())
        {
            final Path journal = dir.resolve(host.getKey());
            journals.put(host.getKey(), journal);
            deltas.put(host.getKey(), SyntheticJournal.write(journal, host.getKey(), host.getValue(), 2, 400, seed++));
            queries.put(host.getKey(), Cli.queryByProto(journal));
        }
        assumeTrue(Cli.exportAvailable(), "scripts/flowrec has no export command yet");
        export = dir.resolve("export");
        final List<String> cmd = Cli.flowrec("export");
        journals.values().forEach(j -> cmd.addAll(List.of("--journal", j.toString())));
        cmd.addAll(List.of("--out", export.toString(), "--format", "parquet", "--partition-by", "host,date,hour"));
        final long exportStartNs = System.nanoTime();
        Cli.run(Duration.ofMinutes(3), cmd).ok(String.join(" ", cmd));
        final long sparkStartNs = System.nanoTime();
        // The first run fetches Spark: minutes, not hours.
        final Cli.Result spark = Cli.run(Duration.ofMinutes(15), Cli.ROOT.resolve("scripts/spark/check").toString(),
            export.toString()).ok("scripts/spark/check");
        System.out.printf("export %.1f s, scripts/spark/check %.1f s%n", (sparkStartNs - exportStartNs) / 1e9,
            (System.nanoTime() - sparkStartNs) / 1e9);
        System.out.print(spark.out()); // kept in surefire-reports/*-output.txt
        facts = Cli.facts(spark.out());
    }

    @Test
    void shouldLayOutAHivePartitionedDirectory() throws IOException
    {
        final List<String> files;
        try (Stream<Path> walk = Files.walk(export))
        {
            files = walk.filter(Files::isRegularFile).map(p -> export.relativize(p).toString())
                .filter(p -> p.endsWith(".parquet")).sorted().toList();
        }
        assertTrue(!files.isEmpty(), "no part files");
        files.forEach(f -> assertTrue(PART.matcher(f).matches(), "not host=H/date=YYYY-MM-DD/hour=HH/part-*.parquet: " + f));
        assertEquals(List.of(String.valueOf(files.size())), facts.get("files"));
        final Set<String> hosts = files.stream().map(f -> f.substring("host=".length(), f.indexOf('/')))
            .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(HOSTS.keySet(), hosts, "one host= directory per journal's host");
    }

    @Test
    void shouldDiscoverHostDateAndHourAsPartitionColumns()
    {
        final Map<String, String> types = new TreeMap<>();
        facts.get("field").forEach(f -> types.put(f.split(" ")[0], f.split(" ")[1]));
        assertEquals("string", types.get("host"), "host partition column: " + facts.get("field"));
        assertEquals("date", types.get("date"), "date partition column");
        assertEquals("int", types.get("hour"), "hour partition column");
        assertEquals("int", types.get("src_port"));
        assertEquals("bigint", types.get("packets"));
        assertEquals("bigint", types.get("bytes"));
        for (final String c : List.of("iface", "container", "direction", "proto", "src_addr", "dst_addr"))
        {
            assertEquals("string", types.get(c), c);
        }
    }

    @Test
    void shouldWriteZstdParquetWithFlowrecMetadata()
    {
        facts.get("parquet_column").forEach(c -> assertEquals("ZSTD", c.split(" ")[3], "codec of " + c));
        final Set<String> keys = facts.getOrDefault("meta", List.of()).stream().map(m -> m.split(" ")[0])
            .collect(Collectors.toSet());
        assertTrue(keys.containsAll(Set.of("flowrec.version", "flowrec.hosts", "flowrec.query", "flowrec.coverage")),
            "footer metadata keys: " + keys);
        // Spark 3.5 reads TIMESTAMP(NANOS) only as a long (spark.sql.legacy.parquet.nanosAsLong); the job says which.
        final List<String> times = facts.get("parquet_column").stream()
            .filter(c -> c.startsWith("first_seen ") || c.startsWith("last_seen ")).toList();
        assertEquals(2, times.size(), "first_seen and last_seen: " + facts.get("parquet_column"));
        times.forEach(c -> assertTrue(c.split(" ")[2].startsWith("TIMESTAMP("), "a Parquet timestamp: " + c));
    }

    @Test
    void shouldTotalWhatTheJournalsHold()
    {
        final long rows = deltas.values().stream().mapToLong(List::size).sum();
        assertEquals(List.of(String.valueOf(rows)), facts.get("rows"), "one row per delta, both hosts");
        final long packets = queries.values().stream().flatMap(q -> q.values().stream()).mapToLong(v -> v[1]).sum();
        final long bytes = queries.values().stream().flatMap(q -> q.values().stream()).mapToLong(v -> v[2]).sum();
        assertEquals(List.of(String.valueOf(packets)), facts.get("packets"), "sum(packets) = the queries' packets");
        assertEquals(List.of(String.valueOf(bytes)), facts.get("bytes"), "sum(bytes) = the queries' bytes");
    }

    @Test
    void shouldGroupByHostAndProtoAsFlowrecQueryDoes()
    {
        final Map<String, String> expected = new TreeMap<>();
        queries.forEach((host, q) -> q.forEach((proto, v) -> expected.put(host + " " + proto, v[0] + " " + v[1] + " " + v[2])));
        final Map<String, String> actual = new TreeMap<>();
        for (final String line : facts.get("host_proto"))
        {
            final String[] f = line.split(" "); // host proto rows flows packets bytes
            actual.put(f[0] + " " + f[1], f[3] + " " + f[4] + " " + f[5]);
        }
        assertEquals(expected, actual, "per host and proto: flows, packets, bytes = flowrec query --group-by proto per journal");
    }

    @Test
    void shouldPutEveryRowInThePartitionOfItsHour()
    {
        final String[] mismatch = facts.get("partition_mismatch").get(0).split(" ");
        final boolean byFirst = mismatch[0].equals("0");
        final boolean byLast = mismatch[1].equals("0");
        assertTrue(byFirst || byLast, "rows outside the date/hour of their first_seen / last_seen: " + facts.get("partition_mismatch"));
        // and the partitions hold exactly the journals' deltas of that hour
        final ToLongFunction<SyntheticJournal.Delta> time = byLast ? SyntheticJournal.Delta::lastNs : SyntheticJournal.Delta::firstNs;
        final Map<String, long[]> expected = new TreeMap<>();
        deltas.forEach((host, ds) -> ds.forEach(d ->
        {
            final long[] s = expected.computeIfAbsent(host + " " + DAY_HOUR.format(Instant.ofEpochSecond(0, time.applyAsLong(d))),
                k -> new long[3]);
            s[0]++;
            s[1] += d.packets();
            s[2] += d.bytes();
        }));
        final List<String> want = expected.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue()[0] + " " + e.getValue()[1] + " " + e.getValue()[2]).toList();
        assertEquals(want, facts.get("partition"), "rows, packets, bytes per host/date/hour (by "
            + (byLast ? "last_seen" : "first_seen") + ")");
    }
}
