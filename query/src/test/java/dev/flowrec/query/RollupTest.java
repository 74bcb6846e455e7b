package dev.flowrec.query;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.TestJournal;
import dev.flowrec.query.filter.FilterParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Answers folded from hourly rollups equal a full replay's, on random windows, filters, groupings, series and top-N
 * over five hours of batches: flows that span hours, go quiet past the inactive timeout, end with FIN and start again
 * with SYN, late idle residues, two interfaces (one a container's), loss reports. A rollup missing, cut short, with a
 * flipped bit or older than its cycle is not trusted: that hour is replayed, and the answer says why.
 */
class RollupTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long HOUR_NS = 3600 * SECOND_NS;
    private static final long T0_NS = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * SECOND_NS;
    private static final int SECONDS = 5 * 3600;
    private static final int KEYS = 300;
    private static final long SEED = System.nanoTime();

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeFiveHours()
    {
        System.out.println("RollupTest seed " + SEED);
        final SplittableRandom random = new SplittableRandom(SEED);
        final long[] lastOf = new long[KEYS];
        try (TestJournal journal = TestJournal.open(dir, T0_NS))
        {
            journal.recorderStarted(T0_NS, "h", "k", "v", "c").interfaceAttached(T0_NS, 1, "eth0", "")
                .interfaceAttached(T0_NS, 2, "vethweb", "web");
            long lost = 0;
            for (int second = 0; second < SECONDS; second++)
            {
                final long nowNs = T0_NS + second * SECOND_NS + 1;
                journal.now(nowNs);
                if (second % 600 == 599)
                {
                    lost += random.nextInt(3);
                    journal.lossReport(nowNs, lost, lost * 2, lost * 100);
                }
                for (int i = 0; i < 8; i++)
                {
                    final int key = random.nextInt(KEYS);
                    if (key % 7 == 0 && (second / 40 + key) % 3 == 0)
                    {
                        continue; // some keys go quiet for a while: the next delta starts a new flow
                    }
                    final boolean idle = random.nextInt(5) == 0;
                    long lastNs = idle ? nowNs - SECOND_NS - random.nextLong(SECOND_NS / 2) : nowNs - random.nextLong(1000);
                    lastNs = Math.max(lastNs, lastOf[key] + 1);
                    final long firstNs = Math.max(lastOf[key] + 1, lastNs - random.nextLong(SECOND_NS));
                    lastOf[key] = lastNs;
                    final int flags = key % 5 == 0 ? (random.nextInt(20) == 0 ? 0x01 : random.nextInt(20) == 0 ? 0x02 : 0x10) : 0;
                    journal.delta().firstNs(firstNs).lastNs(lastNs).packets(1 + random.nextInt(10))
                        .bytes(1 + random.nextInt(100_000)).ipv4(0x0A000001 + key % 3, 0x0A000100 + key % 50)
                        .ifindex(1 + key % 2).srcPort(1000 + key).dstPort(key % 4 == 0 ? 53 : 80)
                        .proto(key % 4 == 0 ? 17 : 6).direction(key % 2).tcpFlags(flags).appendToBatch();
                }
                journal.commitDeltas();
            }
        }
        for (int cycle = cycleOf(T0_NS); cycle < cycleOf(T0_NS) + 5; cycle++)
        {
            assertNotNull(RollupWriter.write(dir, cycle).file());
        }
    }

    private static int cycleOf(final long timeNs)
    {
        return (int)(timeNs / HOUR_NS);
    }

    @Test
    void shouldAnswerFromRollupsAsAFullReplayDoes() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final String[] filters = {"", "proto tcp", "dst port 53", "iface vethweb", "container web", "bytes > 1M",
            "flags S", "not dst port 80 and direction out", "ip 10.0.1.7"};
        final String[] groupings = {"", "dst_port", "proto,iface", "container,direction", "conversation",
            "src_net/24,dst_port"};
        final long[] intervals = {0, 0, 60 * SECOND_NS, 300 * SECOND_NS, HOUR_NS, 90 * SECOND_NS};
        final long[] inactive = {15 * SECOND_NS, 15 * SECOND_NS, 5 * SECOND_NS, 40 * SECOND_NS, 3650L * 86_400 * SECOND_NS};
        int fromRollups = 0;
        for (int i = 0; i < 80; i++)
        {
            final Window window = i == 0 ? Window.ALL : randomWindow(random);
            final String groupBy = groupings[random.nextInt(groupings.length)];
            final long interval = intervals[random.nextInt(intervals.length)];
            final int top = random.nextInt(3) == 0 ? 1 + random.nextInt(20) : 0;
            final long at = i % 10 == 9 && window.hasStart() ?
                window.sinceNs() + random.nextLong(window.untilNs() - window.sinceNs()) : Query.NO_INSTANT;
            final Query query = new Query(window, FilterParser.parse(filters[random.nextInt(filters.length)]),
                groupBy.isEmpty() ? List.of() : GroupKey.parseList(groupBy), top,
                Query.By.values()[random.nextInt(groupBy.isEmpty() && interval == 0 ? 2 : 3)],
                at != Query.NO_INSTANT ? 0 : interval, at, inactive[random.nextInt(inactive.length)]);
            final Answer replayed = QueryEngine.run(dir, query, new Cancellation(() -> false), false);
            final Answer rolled = QueryEngine.run(dir, query, new Cancellation(() -> false), true);
            final String what = "query " + i + " " + query + " (" + rolled.scan().rollups().describe() + ")";
            assertEquals(rows(replayed), rows(rolled), what);
            assertEquals(replayed.coverage(), rolled.coverage(), what);
            assertEquals(replayed.scan().deltasFolded(), rolled.scan().deltasFolded(), what);
            assertEquals(0, replayed.scan().rollups().fromRollups(), what);
            fromRollups += rolled.scan().rollups().fromRollups();
        }
        assertTrue(fromRollups > 0, "no answer came from rollups");
        System.out.println("RollupTest: " + fromRollups + " hours of 80 answers came from rollups");
        final Answer all = QueryEngine.run(dir, Query.listing(Window.ALL), new Cancellation(() -> false), true);
        assertEquals(5, all.scan().rollups().fromRollups(), all.scan().rollups().describe());
        final Query series = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("proto"), 0, Query.By.bytes,
            60 * SECOND_NS, Query.NO_INSTANT);
        final Answer rolled = QueryEngine.run(dir, series, new Cancellation(() -> false), true);
        assertEquals(5, rolled.scan().rollups().fromRollups(), rolled.scan().rollups().describe());
        assertEquals(rows(QueryEngine.run(dir, series, new Cancellation(() -> false), false)), rows(rolled));
    }

    @Test
    void shouldSumGroupsStraightAwayAsPerFlowDoes()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 2);
        final String[] filters = {"", "proto tcp", "dst port 53", "iface vethweb", "container web", "flags S",
            "not dst port 80 and direction out"};
        final String[] groupings = {"proto", "dst_port", "proto,iface", "container,direction", "conversation",
            "src_net/24,dst_port", "src_addr,dst_addr"};
        final long[] intervals = {0, 60 * SECOND_NS, 60 * SECOND_NS, 300 * SECOND_NS, HOUR_NS, 90 * SECOND_NS};
        final long[] inactive = {15 * SECOND_NS, 15 * SECOND_NS, 5 * SECOND_NS, 40 * SECOND_NS, 3650L * 86_400 * SECOND_NS};
        int fromRollups = 0;
        for (int i = 0; i < 30; i++)
        {
            final Window window = i % 4 == 0 ? Window.ALL : randomWindow(random);
            final Query query = new Query(window, FilterParser.parse(filters[random.nextInt(filters.length)]),
                GroupKey.parseList(groupings[random.nextInt(groupings.length)]),
                random.nextInt(3) == 0 ? 1 + random.nextInt(20) : 0, Query.By.values()[random.nextInt(3)],
                intervals[random.nextInt(intervals.length)], Query.NO_INSTANT, inactive[random.nextInt(inactive.length)]);
            final Answer perFlow = QueryEngine.run(dir, query, new Cancellation(() -> false), false, false);
            final Answer replayed = QueryEngine.run(dir, query, new Cancellation(() -> false), false, true);
            final Answer rolled = QueryEngine.run(dir, query, new Cancellation(() -> false), true, true);
            final String what = "query " + i + " " + query + " (" + rolled.scan().rollups().describe() + ")";
            assertEquals(rows(perFlow), rows(replayed), what);
            assertEquals(rows(perFlow), rows(rolled), what);
            assertEquals(perFlow.coverage(), rolled.coverage(), what);
            // A series' hours folded apart, one part per hour, and merged: on one thread and on more than the cores.
            for (final int threads : new int[] {1, 3})
            {
                final Answer parts = QueryEngine.run(dir, query, new Cancellation(() -> false), true, true, threads);
                assertEquals(rows(perFlow), rows(parts), what + " on " + threads + " threads");
                assertEquals(perFlow.coverage(), parts.coverage(), what + " on " + threads + " threads");
                assertEquals(rolled.scan().deltasFolded(), parts.scan().deltasFolded(), what);
            }
            fromRollups += rolled.scan().rollups().fromRollups();
        }
        assertTrue(fromRollups > 0, "no answer came from rollups");
    }

    /**
     * A series over every hour, its hours folded apart and merged: flows that go on across an hour's end (late deltas
     * of the hour before among the next hour's, FIN then SYN, quiet spells) are counted as one pass counts them.
     */
    @Test
    void shouldMergeASeriesFoldedHourByHourAsOnePassSumsIt()
    {
        final String[] filters = {"", "flags S", "proto tcp"};
        final long[] intervals = {60 * SECOND_NS, 120 * SECOND_NS, 7 * 60 * SECOND_NS};
        final long[] inactive = {15 * SECOND_NS, 40 * SECOND_NS, 3650L * 86_400 * SECOND_NS};
        for (int i = 0; i < filters.length * intervals.length; i++)
        {
            final Query query = new Query(Window.ALL, FilterParser.parse(filters[i % filters.length]),
                GroupKey.parseList(i % 2 == 0 ? "proto" : "dst_port,iface"), 0, Query.By.flows,
                intervals[i / filters.length], Query.NO_INSTANT, inactive[(i + i / filters.length) % inactive.length]);
            final Answer perFlow = QueryEngine.run(dir, query, new Cancellation(() -> false), false, false);
            final Answer parts = QueryEngine.run(dir, query, new Cancellation(() -> false), true, true, 2);
            assertEquals(5, parts.scan().rollups().fromRollups(), parts.scan().rollups().describe());
            assertEquals(rows(perFlow), rows(parts), "query " + query);
            assertEquals(perFlow.coverage(), parts.coverage(), "query " + query);
        }
    }

    /**
     * A flag that is the query thread's own interrupt (the shell's and the exporters' are) stops a series whose hours
     * are folded on several threads: set at the query thread's second poll, in the fold of the hours, no answer.
     */
    @Test
    void shouldStopASeriesFoldedOnSeveralThreadsAtTheQueryThreadsInterrupt()
    {
        final Query series = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("proto"), 0, Query.By.bytes,
            60 * SECOND_NS, Query.NO_INSTANT);
        final Thread query = Thread.currentThread();
        final java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.function.BooleanSupplier interrupted = () ->
        {
            if (Thread.currentThread() == query && polls.incrementAndGet() == 2)
            {
                query.interrupt();
            }
            return Thread.currentThread().isInterrupted();
        };
        try
        {
            assertThrows(QueryCancelledException.class,
                () -> QueryEngine.run(dir, series, new Cancellation(interrupted), true, true, 2));
        }
        finally
        {
            Thread.interrupted();
        }
        assertTrue(polls.get() >= 2, "polls on the query thread: " + polls.get());
    }

    private static Window randomWindow(final SplittableRandom random)
    {
        final long sinceNs = T0_NS - HOUR_NS + random.nextLong((SECONDS + 2 * 3600) * SECOND_NS);
        final long length = random.nextBoolean() ? (1 + random.nextInt(5)) * HOUR_NS : 1 + random.nextLong(4 * HOUR_NS);
        return new Window(random.nextInt(4) == 0 ? sinceNs / HOUR_NS * HOUR_NS : sinceNs, sinceNs + length);
    }

    private static List<List<Object>> rows(final Answer answer)
    {
        final List<List<Object>> rows = new ArrayList<>();
        answer.rows().forEach(r -> rows.add(Arrays.asList(r)));
        return rows;
    }

    @Test
    void shouldReplayHoursWhoseRollupIsMissingDamagedOrStaleAndSaySo(@TempDir final Path copy) throws IOException
    {
        copyJournal(copy);
        final int c0 = cycleOf(T0_NS);
        final Path missing = rollup(copy, c0 + 1);
        Files.delete(missing);
        final Path truncated = rollup(copy, c0 + 2);
        try (RandomAccessFile file = new RandomAccessFile(truncated.toFile(), "rw"))
        {
            file.setLength(file.length() / 2);
        }
        final Path flipped = rollup(copy, c0 + 3);
        try (RandomAccessFile file = new RandomAccessFile(flipped.toFile(), "rw"))
        {
            // Anywhere but the version field: a flip there reads as another layout ("stale", written again), not damage.
            final long drawn = new SplittableRandom(SEED).nextLong(file.length() - Integer.BYTES);
            final long at = drawn < Rollup.VERSION_AT ? drawn : drawn + Integer.BYTES;
            file.seek(at);
            final int b = file.read();
            file.seek(at);
            file.write(b ^ 1 << new SplittableRandom(SEED + 2).nextInt(8));
        }
        final Path cycle = JournalPaths.cycleFile(copy, c0 + 4);
        Files.setLastModifiedTime(cycle, FileTime.fromMillis(Files.getLastModifiedTime(cycle).toMillis() + 1000));
        // A series reads every part of a rollup: its rows too.
        final Query query = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("dst_port"), 0, Query.By.bytes,
            60 * SECOND_NS, Query.NO_INSTANT);
        final Answer replayed = QueryEngine.run(copy, query, new Cancellation(() -> false), false);
        final Answer rolled = QueryEngine.run(copy, query, new Cancellation(() -> false), true);
        assertEquals(rows(replayed), rows(rolled));
        assertEquals(replayed.coverage(), rolled.coverage());
        final RollupUse use = rolled.scan().rollups();
        assertEquals(1, use.fromRollups(), use.describe());
        assertEquals(java.util.Map.of("missing", 1, "damaged", 2, "stale", 1), use.replayed(), use.describe());
        assertEquals("1 hours from rollups, 4 replayed (damaged 2, missing 1, stale 1)", use.describe());
        // Rolled up again, the hours are current once more.
        for (int c = c0 + 1; c < c0 + 5; c++)
        {
            assertNotNull(RollupWriter.write(copy, c).file(), "cycle " + c);
        }
        final RollupUse again = QueryEngine.run(copy, query, new Cancellation(() -> false), true).scan().rollups();
        assertEquals(5, again.fromRollups(), again.describe());
    }

    @Test
    void shouldTreatARollupOfAnotherVersionAsStaleAndWriteItAgain(@TempDir final Path copy) throws IOException
    {
        copyJournal(copy);
        final int c0 = cycleOf(T0_NS);
        final Path old = rollup(copy, c0 + 1);
        try (RandomAccessFile file = new RandomAccessFile(old.toFile(), "rw"))
        {
            file.seek(Rollup.VERSION_AT);
            file.write(new byte[] {(byte)(Rollup.VERSION - 1), 0, 0, 0}); // little-endian: the layout before
        }
        final Query query = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("proto"), 0, Query.By.bytes,
            60 * SECOND_NS, Query.NO_INSTANT);
        final Answer replayed = QueryEngine.run(copy, query, new Cancellation(() -> false), false);
        final Answer rolled = QueryEngine.run(copy, query, new Cancellation(() -> false), true);
        assertEquals(rows(replayed), rows(rolled));
        assertEquals(java.util.Map.of("stale", 1), rolled.scan().rollups().replayed(), rolled.scan().rollups().describe());
        final RollupWriter.Outcome written = RollupWriter.write(copy, c0 + 1);
        assertNull(written.skipped(), "an old version is not current");
        assertEquals(Rollup.VERSION, readVersion(old));
        final RollupUse again = QueryEngine.run(copy, query, new Cancellation(() -> false), true).scan().rollups();
        assertEquals(5, again.fromRollups(), again.describe());
    }

    @Test
    void shouldFoldRowsOfAnyWidthExactly(@TempDir final Path wide)
    {
        // Rows bit-packed per column: counters near 2^63, a first packet days before the last and flags in every
        // bit make columns 64 bits wide; sums and flows must still be a replay's.
        final long[] counts = {1, Long.MAX_VALUE - 7, 1L << 62, 3};
        try (TestJournal journal = TestJournal.open(wide, T0_NS))
        {
            journal.recorderStarted(T0_NS, "h", "k", "v", "c").interfaceAttached(T0_NS, 1, "eth0", "");
            for (int second = 0; second < 600; second++)
            {
                final long nowNs = T0_NS + second * SECOND_NS + 1;
                journal.now(nowNs);
                for (int key = 0; key < 4; key++)
                {
                    journal.delta().firstNs(second % 97 == key ? nowNs - 3 * 86_400 * SECOND_NS : nowNs - key)
                        .lastNs(nowNs).packets(counts[(second + key) % 4]).bytes(counts[(second + key + 1) % 4])
                        .ipv4(0x0A000001, 0x0A000100 + key).ifindex(1).srcPort(1000 + key).dstPort(80).proto(6)
                        .direction(0).tcpFlags(second % 50 == key ? 0xFFFF : 0x10).appendToBatch();
                }
                journal.commitDeltas();
            }
        }
        assertNotNull(RollupWriter.write(wide, cycleOf(T0_NS)).file());
        for (final Query query : List.of(
            new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("dst_addr"), 0, Query.By.bytes, 60 * SECOND_NS,
                Query.NO_INSTANT),
            new Query(Window.ALL, FilterParser.ALL, List.of(), 0, Query.By.bytes, 60 * SECOND_NS, Query.NO_INSTANT)))
        {
            final Answer replayed = QueryEngine.run(wide, query, new Cancellation(() -> false), false);
            final Answer rolled = QueryEngine.run(wide, query, new Cancellation(() -> false), true);
            assertEquals(1, rolled.scan().rollups().fromRollups(), rolled.scan().rollups().describe());
            assertEquals(rows(replayed), rows(rolled), "query " + query);
        }
    }

    private static int readVersion(final Path rollup) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(rollup);
        return java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(Rollup.VERSION_AT);
    }

    @Test
    void shouldDeleteARollupWithItsCycle(@TempDir final Path copy) throws IOException
    {
        copyJournal(copy);
        final int c0 = cycleOf(T0_NS);
        final long nowMs = (T0_NS + 5 * HOUR_NS) / 1_000_000L;
        final int deleted = Retention.apply(copy, JournalPaths.DEFAULT_ROLL_CYCLE,
            new Retention.Policy(2 * 3600_000L + 1, 0), nowMs);
        assertTrue(deleted > 0);
        for (int c = c0; c < c0 + 5; c++)
        {
            assertEquals(Files.exists(JournalPaths.cycleFile(copy, c)), Files.exists(rollup(copy, c)), "cycle " + c);
        }
        assertTrue(!Files.exists(rollup(copy, c0)));
    }

    private static Path rollup(final Path journal, final int cycle)
    {
        return JournalPaths.rollupFile(JournalPaths.cycleFile(journal, cycle));
    }

    private static void copyJournal(final Path copy) throws IOException
    {
        try (Stream<Path> all = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)all::iterator)
            {
                final Path to = copy.resolve(dir.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(to);
                }
                else if (!p.getFileName().toString().endsWith(".lock"))
                {
                    Files.copy(p, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
