package dev.flowrec.query;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.query.filter.FlowFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Which hourly cycles of a query's window are folded from their {@link Rollup}s: those whose every delta falls in the
 * window, with a rollup whole, made of the cycle as it is now, and able to answer the question. Every other hour is
 * replayed, and {@link #use()} says why (missing, damaged, stale, unsupported, partial: at the window's edge).
 */
final class RollupPlan implements AutoCloseable
{
    /** Off with -Dflowrec.rollups=off: every hour replayed from its deltas (tests compare both). */
    static final String SWITCH = "flowrec.rollups";
    /** Off with -Dflowrec.parallel=off: a series' hours folded one after another on the query's thread (A/B). */
    static final String PARALLEL = "flowrec.parallel";
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final long MINUTE_NS = 60_000_000_000L;
    private static final long DEFAULT_FLUSH_NS = 1_000_000_000L;
    private static final long JOIN_POLL_MS = 10;
    private static final Pattern OWNER_TERM = Pattern.compile("\\b(pid|comm)\\b", Pattern.CASE_INSENSITIVE);

    /** A rollup cannot give what the deltas would (found while folding): the query is asked again without rollups. */
    static final class Conflict extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Conflict(final String reason)
        {
            super(reason, null, false, false);
        }
    }

    private final Int2ObjectHashMap<Rollup> covered = new Int2ObjectHashMap<>();
    private final Map<String, Integer> replayed = new TreeMap<>();
    private final int threads;

    private RollupPlan(final int threads)
    {
        this.threads = threads;
    }

    /** The threads a series' hours are folded on: every core, or one with {@link #PARALLEL} off. */
    static int threads()
    {
        return "off".equals(System.getProperty(PARALLEL)) ? 1 : Runtime.getRuntime().availableProcessors();
    }

    static boolean enabled()
    {
        return !"off".equals(System.getProperty(SWITCH));
    }

    /** The plan for {@code query} over {@code window} of the journal in {@code dir}. */
    static RollupPlan of(final Path dir, final Query query, final Window window, final Timeline timeline,
        final FlowFilter where, final int threads)
    {
        final RollupPlan plan = new RollupPlan(threads);
        final String unsupported = query.intervalNs() % MINUTE_NS != 0 ? "unsupported (interval)" :
            !where.usesAggregates() && OWNER_TERM.matcher(where.toString()).find() ? "unsupported (owner filter)" : null;
        final List<Integer> hours = new ArrayList<>();
        final List<Rollup.Opened> opened = new ArrayList<>();
        for (final int cycle : cycles(dir))
        {
            final long startNs = cycle * HOUR_NS;
            if (startNs >= window.untilNs() || startNs + HOUR_NS <= window.sinceNs())
            {
                continue; // not an hour of the window
            }
            if (unsupported != null)
            {
                plan.replayed.merge(unsupported, 1, Integer::sum);
                continue;
            }
            final Path cycleFile = JournalPaths.cycleFile(dir, cycle);
            hours.add(cycle);
            opened.add(Rollup.open(JournalPaths.rollupFile(cycleFile), cycleFile, window));
        }
        plan.checkRows(opened, query);
        for (int i = 0; i < hours.size(); i++)
        {
            final String reason = plan.consider(hours.get(i), opened.get(i), query, timeline);
            if (reason != null)
            {
                plan.replayed.merge(reason, 1, Integer::sum);
            }
        }
        return plan;
    }

    /** Why the rollup cannot answer the query, or null. */
    private static String unsupported(final Rollup rollup, final Query query)
    {
        if (query.inactiveNs() < rollup.inactiveNs && readsRows(rollup, query))
        {
            return "unsupported (inactive timeout)";
        }
        return query.names() && (rollup.flags & Rollup.NAMES) != 0 ? "unsupported (names)" : null;
    }

    /** Whether a rollup's rows are read for the query (else its segments alone answer it). */
    private static boolean readsRows(final Rollup rollup, final Query query)
    {
        return query.intervalNs() > 0 || query.inactiveNs() < rollup.maxGapNs;
    }

    /**
     * Checks the rows of the rollups the query reads them of against their checksum, on {@link #threads} threads:
     * the first read of each mapped page is most of the check's time (JFR: a fifth of a series on one thread).
     */
    private void checkRows(final List<Rollup.Opened> opened, final Query query)
    {
        final List<Rollup> rows = new ArrayList<>();
        for (final Rollup.Opened o : opened)
        {
            if (o.rollup() != null && readsRows(o.rollup(), query) && unsupported(o.rollup(), query) == null)
            {
                rows.add(o.rollup());
            }
        }
        final AtomicInteger next = new AtomicInteger();
        final Runnable worker = () ->
        {
            int i;
            while ((i = next.getAndIncrement()) < rows.size())
            {
                rows.get(i).rowsIntact();
            }
        };
        final Thread[] helpers = new Thread[Math.max(0, Math.min(threads - 1, rows.size() - 1))];
        for (int h = 0; h < helpers.length; h++)
        {
            helpers[h] = Thread.ofPlatform().daemon().name("flowrec-check-" + h).start(worker);
        }
        worker.run();
        join(helpers, () -> false, new AtomicBoolean());
    }

    /** Takes the cycle's rollup if it can stand for the cycle; else returns why not (and closes it). */
    private String consider(final int cycle, final Rollup.Opened opened, final Query query, final Timeline timeline)
    {
        final Rollup rollup = opened.rollup();
        if (rollup == null)
        {
            return opened.reason();
        }
        final String unsupported = unsupported(rollup, query);
        final String reason;
        if (unsupported != null)
        {
            reason = unsupported;
        }
        else if (readsRows(rollup, query) && !rollup.rowsIntact())
        {
            reason = "damaged";
        }
        else if (!sameTurns(rollup, timeline))
        {
            reason = "stale";
        }
        else
        {
            covered.put(cycle, rollup);
            return null;
        }
        rollup.close();
        return reason;
    }

    /** Whether each plain interface's deltas are turned round as the journal's runs now say ({@link Timeline#workloadView}). */
    private static boolean sameTurns(final Rollup rollup, final Timeline timeline)
    {
        for (int i = 0; i < rollup.ifaces.length; i++)
        {
            if (rollup.attached[i] && rollup.containers[i].isEmpty() &&
                rollup.turned[i] != timeline.workloadView(rollup.ifaces[i]))
            {
                return false;
            }
        }
        return true;
    }

    static int[] cycles(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(JournalPaths.CYCLE_FILE_SUFFIX))
                .mapToInt(n -> JournalPaths.cycleOf(JournalPaths.DEFAULT_ROLL_CYCLE, n)).sorted().toArray();
        }
        catch (final IOException | RuntimeException ex)
        {
            return new int[0]; // the replay reports what is wrong with the journal
        }
    }

    boolean isEmpty()
    {
        return covered.isEmpty();
    }

    boolean covers(final int cycle)
    {
        return covered.containsKey(cycle);
    }

    RollupUse use()
    {
        return new RollupUse(covered.size(), java.util.Collections.unmodifiableMap(new TreeMap<>(replayed)));
    }

    /**
     * Folds the covered cycles from {@code from} to {@code to} (exclusive) into {@code fold} as {@link #apply(int,
     * FlowFold, Window, long[])} does each, polling {@code cancelled} between them; returns the deltas they stand for.
     * A series summed per group has its hours folded apart on {@link #threads} threads, as many hours at a time (so
     * that no more parts than threads are held), then merged in order ({@link GroupSums#merge}: the answer is one
     * pass's).
     */
    long apply(final int from, final int to, final FlowFold fold, final Window window, final long[] lost,
        final BooleanSupplier cancelled)
    {
        final FlowSums sums = (FlowSums)fold;
        final boolean parallel = threads > 1 && to - from > 1 && sums.groups() != null && sums.intervalNs() != 0;
        final int step = parallel ? threads : 1;
        long deltas = 0;
        for (int cycle = from; cycle < to; cycle += step)
        {
            if (cancelled.getAsBoolean())
            {
                throw new QueryCancelledException(); // as applyParts: no part of an answer passes for one
            }
            deltas += parallel ? applyParts(cycle, Math.min(to, cycle + threads), sums, window, lost, cancelled) :
                apply(cycle, fold, window, lost);
        }
        return deltas;
    }

    /**
     * The first hour folded straight into the sums by this thread, each later one into a part of its own by the next
     * free thread (this one among them), then the parts merged in order. A part's keys whose first bucket may have
     * been summed before it (up to the latest bucket of the sums so far and of the rollups before it, by their
     * headers) are left pending for the merge. Nothing is merged when cancelled: the replay's caller sees the flag.
     */
    private long applyParts(final int from, final int to, final FlowSums sums, final Window window, final long[] lost,
        final BooleanSupplier cancelled)
    {
        final int n = to - from;
        final FlowSums[] parts = new FlowSums[n];
        final long[][] partLost = new long[n][lost.length];
        final long[] deltas = new long[n];
        final boolean[] done = new boolean[n];
        long bound = sums.groups().maxBucket();
        for (int i = 0; i < n; i++)
        {
            parts[i] = i == 0 ? sums : sums.part(bound);
            final Rollup rollup = covered.get(from + i);
            if (rollup.deltas > 0)
            {
                bound = Math.max(bound, sums.bucket(rollup.maxLastNs));
            }
        }
        final AtomicInteger next = new AtomicInteger(1);
        // A flag may be the query thread's own (its interrupt): that thread passes it on to the helpers.
        final AtomicBoolean stop = new AtomicBoolean();
        final Runnable worker = () ->
        {
            int i;
            while (!stop.get() && !cancelled.getAsBoolean() && (i = next.getAndIncrement()) < n)
            {
                deltas[i] = apply(from + i, parts[i], window, partLost[i]);
                done[i] = true;
            }
        };
        final Thread[] helpers = new Thread[Math.min(threads - 1, n - 1)];
        final Throwable[] failed = new Throwable[helpers.length + 1];
        for (int h = 0; h < helpers.length; h++)
        {
            final int slot = h;
            helpers[h] = Thread.ofPlatform().daemon().name("flowrec-fold-" + h)
                .uncaughtExceptionHandler((t, ex) -> failed[slot] = ex).start(worker);
        }
        try
        {
            if (!cancelled.getAsBoolean())
            {
                deltas[0] = apply(from, sums, window, partLost[0]);
                done[0] = true;
                worker.run();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failed[helpers.length] = ex;
            stop.set(true); // the helpers take no further hour
        }
        join(helpers, cancelled, stop);
        for (final Throwable ex : failed)
        {
            if (ex instanceof RuntimeException r)
            {
                throw r; // GroupSums.Unordered among them: the question is summed per flow
            }
            if (ex instanceof Error e)
            {
                throw e;
            }
        }
        long folded = 0;
        for (int i = 0; i < n; i++)
        {
            if (!done[i])
            {
                // Stopped (the flag, or this thread's interrupt): hour 0 is in the sums already, and a flag that
                // reads false again later (JournalApi's heap check) must not let part of an answer pass for one.
                throw new QueryCancelledException();
            }
        }
        for (int i = 0; i < n; i++)
        {
            try
            {
                if (i > 0)
                {
                    sums.groups().merge(parts[i].groups());
                }
            }
            catch (final IllegalStateException ex)
            {
                throw new Conflict("cycle " + (from + i) + ": " + ex.getMessage());
            }
            for (int k = 0; k < lost.length; k++)
            {
                lost[k] += partLost[i][k];
            }
            folded += deltas[i];
        }
        return folded;
    }

    /**
     * Waits for the helpers, polling {@code cancelled} on this thread meanwhile (every {@link #JOIN_POLL_MS}): when
     * set, or this thread is interrupted, {@code stop} tells the helpers to take no further hour. The interrupt is
     * kept for the caller.
     */
    private static void join(final Thread[] helpers, final BooleanSupplier cancelled, final AtomicBoolean stop)
    {
        boolean interrupted = false;
        for (final Thread helper : helpers)
        {
            while (helper.isAlive())
            {
                if (!interrupted && cancelled.getAsBoolean())
                {
                    stop.set(true);
                }
                try
                {
                    helper.join(JOIN_POLL_MS);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                    stop.set(true);
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Folds the covered cycle's segments into {@code fold} (a {@link FlowSums}) and adds the losses its reports counted
     * in the window to {@code lost}; returns the deltas it stands for. Allocates nothing per segment.
     */
    long apply(final int cycle, final FlowFold fold, final Window window, final long[] lost)
    {
        final Rollup rollup = covered.get(cycle);
        final FlowSums sums = (FlowSums)fold;
        final int[] namesIds = new int[rollup.ifaces.length];
        Arrays.fill(namesIds, -1);
        final UnsafeBuffer b = rollup.buffer;
        int at = rollup.segmentsAt;
        if (sums.groups() != null)
        {
            applyGroups(rollup, sums, namesIds);
        }
        else if (sums.intervalNs() == 0 && sums.inactiveNs() >= rollup.maxGapNs)
        {
            for (int i = 0; i < rollup.segments; i++, at += Rollup.SEGMENT_LONGS * Long.BYTES)
            {
                segment(rollup, sums, namesIds, at, b.getLong(at + Rollup.DECIDING_FIRST * Long.BYTES),
                    b.getLong(at + Rollup.FIRST * Long.BYTES), b.getLong(at + Rollup.LAST * Long.BYTES),
                    b.getLong(at + Rollup.PACKETS * Long.BYTES), b.getLong(at + Rollup.BYTES * Long.BYTES),
                    b.getLong(at + Rollup.BITS * Long.BYTES));
            }
        }
        else
        {
            final Rollup.Rows row = new Rollup.Rows(rollup);
            for (int i = 0; i < rollup.rows; i++)
            {
                row.read(i);
                segment(rollup, sums, namesIds, rollup.segmentsAt + row.segment * Rollup.SEGMENT_LONGS * Long.BYTES,
                    row.decidingFirstNs, row.firstNs(), row.lastNs, row.packets, row.bytes, row.bits());
            }
        }
        at = rollup.lossesAt;
        for (int i = 0; i < rollup.losses; i++, at += Rollup.LOSS_LONGS * Long.BYTES)
        {
            final long timeNs = b.getLong(at);
            if (timeNs >= window.sinceNs() && timeNs - DEFAULT_FLUSH_NS < window.untilNs())
            {
                for (int k = 0; k < 4; k++)
                {
                    lost[k] += b.getLong(at + (k + 1) * Long.BYTES);
                }
            }
        }
        return rollup.deltas;
    }

    /**
     * Folds the rollup into {@code sums}' {@link GroupSums}: each segment's key found once (its rows then added by
     * number), from the segments alone when no row could start a flow the segment would not.
     */
    private static void applyGroups(final Rollup rollup, final FlowSums sums, final int[] namesIds)
    {
        final UnsafeBuffer b = rollup.buffer;
        if (sums.intervalNs() == 0 && sums.inactiveNs() >= rollup.maxGapNs)
        {
            int at = rollup.segmentsAt;
            for (int i = 0; i < rollup.segments; i++, at += Rollup.SEGMENT_LONGS * Long.BYTES)
            {
                final int key = segmentKey(rollup, sums, namesIds, at);
                if (key >= 0)
                {
                    sums.addRow(key, b.getLong(at + Rollup.DECIDING_FIRST * Long.BYTES),
                        b.getLong(at + Rollup.LAST * Long.BYTES), b.getLong(at + Rollup.PACKETS * Long.BYTES),
                        b.getLong(at + Rollup.BYTES * Long.BYTES), b.getLong(at + Rollup.BITS * Long.BYTES));
                }
            }
            return;
        }
        final int[] keys = new int[rollup.segments];
        Arrays.fill(keys, Integer.MIN_VALUE);
        final Rollup.Rows row = new Rollup.Rows(rollup);
        for (int i = 0; i < rollup.rows; i++)
        {
            row.read(i);
            final int segment = row.segment;
            int key = keys[segment];
            if (key == Integer.MIN_VALUE)
            {
                key = segmentKey(rollup, sums, namesIds, rollup.segmentsAt + segment * Rollup.SEGMENT_LONGS * Long.BYTES);
                keys[segment] = key;
            }
            if (key >= 0)
            {
                sums.addRow(key, row.decidingFirstNs, row.lastNs, row.packets, row.bytes, row.bits());
            }
        }
    }

    private static int segmentKey(final Rollup rollup, final FlowSums sums, final int[] namesIds, final int at)
    {
        final UnsafeBuffer b = rollup.buffer;
        final long namesOwner = b.getLong(at + Rollup.NAMES_OWNER * Long.BYTES);
        final int naming = (int)(namesOwner >>> 32);
        return sums.segmentKey(b.getLong(at), b.getLong(at + Long.BYTES), b.getLong(at + 2 * Long.BYTES),
            b.getLong(at + 3 * Long.BYTES), b.getLong(at + Rollup.PACKED * Long.BYTES), namesIds, naming,
            rollup.ifaces[naming], rollup.containers[naming], rollup.owners[(int)namesOwner]);
    }

    /** Folds a segment's key (at {@code at}) with sums of its own or of one of its rows. */
    private static void segment(final Rollup rollup, final FlowSums sums, final int[] namesIds, final int at,
        final long decidingFirstNs, final long firstNs, final long lastNs, final long packets, final long bytes,
        final long bits)
    {
        final UnsafeBuffer b = rollup.buffer;
        final long namesOwner = b.getLong(at + Rollup.NAMES_OWNER * Long.BYTES);
        final int naming = (int)(namesOwner >>> 32);
        sums.onSegment(b.getLong(at), b.getLong(at + Long.BYTES), b.getLong(at + 2 * Long.BYTES),
            b.getLong(at + 3 * Long.BYTES), b.getLong(at + Rollup.PACKED * Long.BYTES), namesIds, naming,
            rollup.ifaces[naming], rollup.containers[naming], rollup.owners[(int)namesOwner], decidingFirstNs, firstNs,
            lastNs, packets, bytes, bits);
    }

    public void close()
    {
        covered.values().forEach(Rollup::close);
        covered.clear();
    }
}
