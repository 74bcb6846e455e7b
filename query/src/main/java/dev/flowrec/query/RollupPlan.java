package dev.flowrec.query;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.query.filter.FlowFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
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
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final long MINUTE_NS = 60_000_000_000L;
    private static final long DEFAULT_FLUSH_NS = 1_000_000_000L;
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

    private RollupPlan()
    {
    }

    static boolean enabled()
    {
        return !"off".equals(System.getProperty(SWITCH));
    }

    /** The plan for {@code query} over {@code window} of the journal in {@code dir}. */
    static RollupPlan of(final Path dir, final Query query, final Window window, final Timeline timeline,
        final FlowFilter where)
    {
        final RollupPlan plan = new RollupPlan();
        final String unsupported = query.intervalNs() % MINUTE_NS != 0 ? "unsupported (interval)" :
            !where.usesAggregates() && OWNER_TERM.matcher(where.toString()).find() ? "unsupported (owner filter)" : null;
        for (final int cycle : cycles(dir))
        {
            final long startNs = cycle * HOUR_NS;
            if (startNs >= window.untilNs() || startNs + HOUR_NS <= window.sinceNs())
            {
                continue; // not an hour of the window
            }
            final String reason = unsupported != null ? unsupported : plan.consider(dir, cycle, query, window, timeline);
            if (reason != null)
            {
                plan.replayed.merge(reason, 1, Integer::sum);
            }
        }
        return plan;
    }

    /** Takes the cycle's rollup if it can stand for the cycle; else returns why not. */
    private String consider(final Path dir, final int cycle, final Query query, final Window window,
        final Timeline timeline)
    {
        final Path cycleFile = JournalPaths.cycleFile(dir, cycle);
        final Rollup.Opened opened = Rollup.open(JournalPaths.rollupFile(cycleFile), cycleFile, window);
        final Rollup rollup = opened.rollup();
        if (rollup == null)
        {
            return opened.reason();
        }
        final String reason;
        if (query.inactiveNs() < rollup.inactiveNs && (query.intervalNs() > 0 || query.inactiveNs() < rollup.maxGapNs))
        {
            reason = "unsupported (inactive timeout)";
        }
        else if (query.names() && (rollup.flags & Rollup.NAMES) != 0)
        {
            reason = "unsupported (names)";
        }
        else if ((query.intervalNs() > 0 || query.inactiveNs() < rollup.maxGapNs) && !rollup.rowsIntact())
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
            final Rollup.Cursor row = new Rollup.Cursor(b, rollup.rowsAt, rollup.lossesAt);
            int segment = 0;
            long lastNs = 0;
            for (int i = 0; i < rollup.rows; i++)
            {
                segment += (int)row.signed();
                final long firstFlags = row.varint();
                final long orFlags = row.varint();
                lastNs += row.signed();
                final long firstNs = lastNs - row.signed();
                final long decidingFirstNs = firstNs + row.signed();
                final long packets = row.varint();
                final long bytes = row.varint();
                segment(rollup, sums, namesIds, rollup.segmentsAt + segment * Rollup.SEGMENT_LONGS * Long.BYTES,
                    decidingFirstNs, firstNs, lastNs, packets, bytes, firstFlags | orFlags << 16);
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
        final Rollup.Cursor row = new Rollup.Cursor(b, rollup.rowsAt, rollup.lossesAt);
        int segment = 0;
        long lastNs = 0;
        for (int i = 0; i < rollup.rows; i++)
        {
            segment += (int)row.signed();
            final long firstFlags = row.varint();
            final long orFlags = row.varint();
            lastNs += row.signed();
            final long firstNs = lastNs - row.signed();
            final long decidingFirstNs = firstNs + row.signed();
            final long packets = row.varint();
            final long bytes = row.varint();
            int key = keys[segment];
            if (key == Integer.MIN_VALUE)
            {
                key = segmentKey(rollup, sums, namesIds, rollup.segmentsAt + segment * Rollup.SEGMENT_LONGS * Long.BYTES);
                keys[segment] = key;
            }
            if (key >= 0)
            {
                sums.addRow(key, decidingFirstNs, lastNs, packets, bytes, firstFlags | orFlags << 16);
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
