package dev.flowrec.export.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.Retention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, the incremental lake ({@code export --partition-by host,date,hour --incremental}) over a synthetic journal
 * whose last run crashed (no stop event: an hour is complete once the journal's last event is 2 min past its end):
 * two runs an hour apart in journal time (a recorder restart in between) write the complete hours once each, a third
 * writes nothing; a run killed (-9) while it writes leaves only complete partitions, and the next completes the lake;
 * after retention deleted the journal's oldest hour, the lake keeps it and a new lake starts after it. DuckDB reads
 * each lake and its totals equal the journal's deltas of the same complete hours, no row twice; Spark
 * ({@code scripts/spark/check}) agrees.
 */
class IncrementalLakeTest
{
    private static final long HOUR = SyntheticJournal.HOUR_NS;
    private static final long T0 = Instant.parse("2026-03-01T10:00:00Z").getEpochSecond() * SyntheticJournal.SECOND_NS;
    private static final String HOST = "lake-host";

    @TempDir
    static Path dir;
    static Path journal;
    static final List<SyntheticJournal.Delta> deltas = new ArrayList<>();

    @BeforeAll
    static void journal() throws IOException, InterruptedException
    {
        assumeTrue(Cli.exportAvailable(), "scripts/flowrec has no export command yet");
        journal = dir.resolve(HOST);
        deltas.addAll(SyntheticJournal.write(journal, HOST, T0, 3, 300, 11));
    }

    @Test
    void shouldWriteCompleteHoursOnceAcrossARestart() throws Exception
    {
        final Path lake = dir.resolve("lake");
        final String first = incremental(lake).err();
        assertTrue(first.contains("2 partitions written"), first);
        assertEquals(List.of(hour(T0), hour(T0 + HOUR)), partitions(lake), first);
        assertLakeHolds(lake, T0, T0 + 2 * HOUR);

        // an hour later in journal time: the recorder restarted and journaled another hour; hour 12 is complete now
        deltas.addAll(SyntheticJournal.write(journal, HOST, T0 + 3 * HOUR, 1, 300, 12));
        final String second = incremental(lake).err();
        assertTrue(second.contains("1 partition written") && second.contains("2 complete hours already in"), second);
        assertEquals(List.of(hour(T0), hour(T0 + HOUR), hour(T0 + 2 * HOUR)), partitions(lake));
        assertLakeHolds(lake, T0, T0 + 3 * HOUR);
        final String third = incremental(lake).err();
        assertTrue(third.contains("0 partitions written"), "a second run with nothing new writes nothing: " + third);

        // Spark reads the lake as it reads any partitioned export
        assumeTrue(!"off".equals(System.getenv("FLOWREC_SPARK")) && Files.isExecutable(Path.of(System.getenv()
            .getOrDefault("FLOWREC_SPARK_JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"), "bin/java")), "no Spark");
        final Map<String, List<String>> facts = Cli.facts(Cli.run(Duration.ofMinutes(15),
            Cli.ROOT.resolve("scripts/spark/check").toString(), lake.toString()).ok("scripts/spark/check").out());
        final long[] want = expected(T0, T0 + 3 * HOUR);
        assertEquals(List.of(String.valueOf(want[0])), facts.get("rows"), "Spark: rows");
        assertEquals(List.of(String.valueOf(want[1])), facts.get("packets"), "Spark: packets");
        assertEquals(List.of(String.valueOf(want[2])), facts.get("bytes"), "Spark: bytes");
    }

    @Test
    void shouldLeaveOnlyWholePartitionsWhenKilled() throws Exception
    {
        final Path big = dir.resolve("big");
        final List<SyntheticJournal.Delta> written = SyntheticJournal.write(big, "big-host", T0, 6, 20_000, 5);
        final Path lake = dir.resolve("killed-lake");
        final Path staging = dir.resolve(".killed-lake.flowrec-incremental");
        final List<String> cmd = Cli.flowrec("export", "--journal", big.toString(), "--out", lake.toString(),
            "--partition-by", "host,date,hour", "--incremental");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile())
            .start();
        final long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (p.isAlive() && partitions(lake).isEmpty() && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        p.destroyForcibly(); // SIGKILL, the moment its first partition is in place
        p.waitFor();
        final List<String> before = partitions(lake);
        assertTrue(!before.isEmpty() && before.size() < 5, "killed before or after its work: " + before);
        for (final String partition : before)
        {
            final long h = Instant.parse(partition.substring("host=big-host/date=".length(), "host=big-host/date=".length() + 10)
                + "T" + partition.substring(partition.length() - 2) + ":00:00Z").getEpochSecond() * SyntheticJournal.SECOND_NS;
            assertEquals(sum(written, h, h + HOUR)[0], duckDb(lake.resolve(partition), false)[0],
                partition + " is whole after the kill");
        }
        final String again = Cli.run(Duration.ofMinutes(3), cmd).ok("export --incremental after a kill").err();
        assertFalse(Files.exists(staging), "the killed run's staging directory is gone: " + again);
        assertEquals(5, partitions(lake).size(), again);
        final long[] want = sum(written, T0, T0 + 5 * HOUR);
        final long[] got = duckDb(lake, true);
        assertEquals(want[0], got[0], "rows");
        assertEquals(want[1], got[1], "packets");
        assertEquals(want[2], got[2], "bytes");
        assertEquals(got[0], got[3], "no row twice");
    }

    @Test
    void shouldKeepHoursThatRetentionDeletedFromTheJournal() throws Exception
    {
        final Path j = dir.resolve("retained");
        final List<SyntheticJournal.Delta> written = SyntheticJournal.write(j, "ret-host", T0, 4, 200, 3);
        final Path lake = dir.resolve("retained-lake");
        assertTrue(incremental(lake, j).err().contains("3 partitions written"));
        // retention: hours older than 2 h before the journal's end go
        Retention.apply(j, JournalPaths.DEFAULT_ROLL_CYCLE, new Retention.Policy(2 * 3600_000L, 0), (T0 + 4 * HOUR) / 1_000_000L);
        final String after = incremental(lake, j).err();
        assertTrue(after.contains("0 partitions written"), after);
        assertEquals(3, partitions(lake).size(), "the lake keeps what the journal lost");
        final Path fresh = dir.resolve("fresh-lake");
        final String out = incremental(fresh, j).err();
        final List<String> got = partitions(fresh);
        assertFalse(got.contains("host=ret-host/" + hour(T0).substring(hour(T0).indexOf('/') + 1)), out);
        final long from = T0 + (3 - got.size()) * HOUR;
        final long[] want = sum(written, from, T0 + 3 * HOUR);
        final long[] lakeTotals = duckDb(fresh, true);
        assertEquals(want[0], lakeTotals[0], "a new lake holds the complete hours the journal still has: " + out);
        assertEquals(want[2], lakeTotals[2]);
    }

    private static Cli.Result incremental(final Path lake) throws Exception
    {
        return incremental(lake, journal);
    }

    private static Cli.Result incremental(final Path lake, final Path j) throws Exception
    {
        return Cli.run(Duration.ofMinutes(3), Cli.flowrec("export", "--journal", j.toString(), "--out", lake.toString(),
            "--partition-by", "host,date,hour", "--incremental")).ok("export --incremental");
    }

    private static String hour(final long ns)
    {
        final String t = Instant.ofEpochSecond(0, ns).toString();
        return "host=" + HOST + "/date=" + t.substring(0, 10) + "/hour=" + t.substring(11, 13);
    }

    /** The partition directories of a lake (directories holding part files), relative, sorted; nothing hidden inside. */
    private static List<String> partitions(final Path lake) throws IOException
    {
        if (!Files.exists(lake))
        {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(lake))
        {
            final List<Path> all = walk.toList();
            all.forEach(p -> assertFalse(p.getFileName().toString().startsWith("."), "hidden in the lake: " + p));
            return all.stream().filter(p -> p.getFileName().toString().startsWith("hour="))
                .map(p -> lake.relativize(p).toString()).sorted().toList();
        }
    }

    private static void assertLakeHolds(final Path lake, final long fromNs, final long toNs) throws SQLException
    {
        final long[] want = expected(fromNs, toNs);
        final long[] got = duckDb(lake, true);
        assertEquals(want[0], got[0], "rows: the journal's deltas of the complete hours");
        assertEquals(want[1], got[1], "packets");
        assertEquals(want[2], got[2], "bytes");
        assertEquals(got[0], got[3], "no row twice");
    }

    private static long[] expected(final long fromNs, final long toNs)
    {
        return sum(deltas, fromNs, toNs);
    }

    /** Rows, packets, bytes of the deltas whose last packet is in [from, to). */
    private static long[] sum(final List<SyntheticJournal.Delta> ds, final long fromNs, final long toNs)
    {
        final long[] s = new long[3];
        ds.stream().filter(d -> d.lastNs() >= fromNs && d.lastNs() < toNs).forEach(d ->
        {
            s[0]++;
            s[1] += d.packets();
            s[2] += d.bytes();
        });
        return s;
    }

    /** DuckDB over a lake (or one partition): rows, sum(packets), sum(bytes), distinct rows. */
    private static long[] duckDb(final Path path, final boolean hive) throws SQLException
    {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
            ResultSet r = s.executeQuery("SELECT count(*), sum(packets), sum(bytes), (SELECT count(*) FROM (SELECT DISTINCT * "
                + "FROM read_parquet('" + path + "/**/*.parquet'" + (hive ? ", hive_partitioning = true" : "") + "))) FROM "
                + "read_parquet('" + path + "/**/*.parquet'" + (hive ? ", hive_partitioning = true" : "") + ")"))
        {
            assertTrue(r.next());
            return new long[] {r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4)};
        }
    }
}
