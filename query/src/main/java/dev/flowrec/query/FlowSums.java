package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.query.filter.FlowFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums deltas per flow (interface, container, direction, 5-tuple; per time bucket for a series) in a
 * {@link FlowSumsTable}, which starts a new flow of a key after its inactive timeout or at a SYN after FIN/RST. A filter on the flow's key alone is applied to each delta before summing; one on totals,
 * to each flow after. Allocates nothing per delta, and per flow only when the answer is built.
 */
final class FlowSums implements FlowFold
{
    /** Interface numbers below this have their names' id cached by identity; others look it up each time. */
    private static final int CACHED_IFINDEXES = 4096;

    private final DeltaView view = new DeltaView();
    private final SegmentView segment = new SegmentView();
    private final FlowSumsTable table;
    /** With a grouped question that {@link GroupSums#fits}: its sums, and the table only names. */
    private final GroupSums groups;
    private final FlowFilter where;
    private final long intervalNs;
    // Replay hands the same name strings for an interface until it is attached again: identity finds the id.
    private final String[] cachedIface = new String[CACHED_IFINDEXES];
    private final String[] cachedContainer = new String[CACHED_IFINDEXES];
    private final int[] cachedId = new int[CACHED_IFINDEXES];

    private final boolean names;
    private final long inactiveNs;
    /** The interval {@link #bucket} found last (0 is that of [0, intervalNs)). */
    private long bucketNs;

    FlowSums(final FlowFilter where, final long intervalNs, final long inactiveNs)
    {
        this(where, intervalNs, inactiveNs, true);
    }

    /** @param names whether flows are named from the journal's DNS answers ({@link #wantsNames}) */
    FlowSums(final FlowFilter where, final long intervalNs, final long inactiveNs, final boolean names)
    {
        this(where, intervalNs, inactiveNs, names, null);
    }

    /** @param groupBy the keys to sum groups of straight away ({@link GroupSums}), or null to sum each flow */
    FlowSums(final FlowFilter where, final long intervalNs, final long inactiveNs, final boolean names,
        final java.util.List<GroupKey> groupBy)
    {
        this.table = new FlowSumsTable(inactiveNs);
        this.groups = groupBy == null ? null : new GroupSums(table, groupBy, inactiveNs);
        this.where = where;
        this.intervalNs = intervalNs;
        this.names = names;
        this.inactiveNs = inactiveNs;
    }

    /** Its table names each flow at its first delta; only a filter on each delta reads names again. */
    @Override
    public boolean namesEveryDelta()
    {
        return !where.usesAggregates() && where.usesNames();
    }

    @Override
    public long inactiveNs()
    {
        return inactiveNs;
    }

    @Override
    public boolean wantsNames()
    {
        return names;
    }

    public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container)
    {
        onFlow(delta, iface, container, Owner.NONE);
    }

    @Override
    public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner)
    {
        onFlow(delta, iface, container, owner, FlowNames.NONE);
    }

    @Override
    public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner,
        final FlowNames names)
    {
        if (!where.usesAggregates() && !where.test(view.wrap(delta, iface, container, owner, names)))
        {
            return;
        }
        if (groups != null)
        {
            final long bucketNs = bucket(delta.lastNs());
            final int flags = delta.tcpFlags();
            groups.add(groups.key(FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta),
                FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta),
                FlowSumsTable.pack(delta.direction(), delta.family(), delta.proto(), delta.srcPort(), delta.dstPort()),
                namesId(delta.ifindex(), iface, container)), bucketNs, delta.firstNs(), flags, delta.lastNs(),
                delta.packets(), delta.bytes(), flags);
            return;
        }
        table.add(
            FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta),
            FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta),
            FlowSumsTable.pack(delta.direction(), delta.family(), delta.proto(), delta.srcPort(), delta.dstPort()),
            bucket(delta.lastNs()),
            namesId(delta.ifindex(), iface, container),
            delta.firstNs(), delta.lastNs(), delta.packets(), delta.bytes(), delta.tcpFlags(), owner, names);
    }

    /**
     * One segment of a {@link Rollup}: a run of one flow's deltas in one minute with one owner, summed. The filter sees
     * what it would see of each of its deltas (a per-delta filter reads no counters); {@code namesIds} caches the
     * table's id of each of the rollup's namings.
     */
    void onSegment(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final int[] namesIds, final int naming, final String iface, final String container, final Owner owner,
        final long decidingFirstNs, final long firstNs, final long lastNs, final long packets, final long bytes,
        final long bits)
    {
        if (!where.usesAggregates() && !where.test(segment.wrap(srcHigh, srcLow, dstHigh, dstLow, packed, iface,
            container, owner)))
        {
            return;
        }
        final int namesId = namesId(namesIds, naming, iface, container);
        if (groups != null)
        {
            groups.add(groups.key(srcHigh, srcLow, dstHigh, dstLow, packed, namesId),
                bucket(lastNs), decidingFirstNs,
                (int)(bits & 0xFFFF), lastNs, packets, bytes, (int)(bits >>> 16 & 0xFFFF));
            return;
        }
        table.addSegment(srcHigh, srcLow, dstHigh, dstLow, packed,
            bucket(lastNs), namesId, decidingFirstNs,
            (int)(bits & 0xFFFF), firstNs, lastNs, packets, bytes, (int)(bits >>> 16 & 0xFFFF), owner);
    }

    /**
     * A rollup segment's key number in the {@link GroupSums} (with {@link #groups()}), or -1 when the filter passes
     * over its deltas: found once per segment and hour, its rows then added by number ({@link #addRow}).
     */
    int segmentKey(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final int[] namesIds, final int naming, final String iface, final String container, final Owner owner)
    {
        if (!where.usesAggregates() && !where.test(segment.wrap(srcHigh, srcLow, dstHigh, dstLow, packed, iface,
            container, owner)))
        {
            return -1;
        }
        return groups.key(srcHigh, srcLow, dstHigh, dstLow, packed, namesId(namesIds, naming, iface, container));
    }

    /** A rollup row of the segment whose key is {@code key} ({@link #segmentKey}). */
    void addRow(final int key, final long decidingFirstNs, final long lastNs, final long packets, final long bytes,
        final long bits)
    {
        groups.add(key, bucket(lastNs), decidingFirstNs,
            (int)(bits & 0xFFFF), lastNs, packets, bytes, (int)(bits >>> 16 & 0xFFFF));
    }

    /**
     * Empty sums of the same question for a part of the window summed apart and merged into these in order
     * ({@link GroupSums#merge}): with {@link #groups()} only; keys whose first bucket is at or before
     * {@code pendingUntilBucketNs} leave that bucket's rows to the merge.
     */
    FlowSums part(final long pendingUntilBucketNs)
    {
        final FlowSums part = new FlowSums(where, intervalNs, inactiveNs, names, groups.groupBy());
        part.groups.pendingUntil(pendingUntilBucketNs);
        return part;
    }

    /** The group sums, or null when each flow is summed ({@link #rows}). */
    GroupSums groups()
    {
        return groups;
    }

    private int namesId(final int[] namesIds, final int naming, final String iface, final String container)
    {
        int namesId = namesIds[naming];
        if (namesId < 0)
        {
            namesId = table.namesId(iface, container);
            namesIds[naming] = namesId;
        }
        return namesId;
    }

    private int namesId(final int ifindex, final String iface, final String container)
    {
        if (ifindex < 0 || ifindex >= CACHED_IFINDEXES)
        {
            return table.namesId(iface, container);
        }
        if (cachedIface[ifindex] != iface || cachedContainer[ifindex] != container)
        {
            cachedIface[ifindex] = iface;
            cachedContainer[ifindex] = container;
            cachedId[ifindex] = table.namesId(iface, container);
        }
        return cachedId[ifindex];
    }

    /** The series' bucket length; 0 for none. */
    long intervalNs()
    {
        return intervalNs;
    }

    /** The flows that pass the filter; with {@code currentOnly}, of each key only its latest flow. */
    List<FlowRow> rows(final boolean currentOnly, final Cancellation cancellation)
    {
        final List<FlowRow> rows = currentOnly ? table.currentRows(cancellation) : table.rows(cancellation);
        if (!where.usesAggregates())
        {
            return rows;
        }
        final List<FlowRow> list = new ArrayList<>(rows.size());
        for (final FlowRow row : rows)
        {
            cancellation.step();
            if (where.test(row))
            {
                list.add(row);
            }
        }
        return list;
    }

    /**
     * The start of the interval a last packet falls in: 0 for every delta without an interval. The interval found
     * last is kept: deltas and rollup rows come mostly in order, so most of them need no division.
     */
    long bucket(final long lastNs)
    {
        if (intervalNs <= 0)
        {
            return 0;
        }
        if (lastNs >= bucketNs && Long.compareUnsigned(lastNs - bucketNs, intervalNs) < 0)
        {
            return bucketNs;
        }
        final long bucket = Math.floorDiv(lastNs, intervalNs) * intervalNs;
        if (bucket <= lastNs)
        {
            bucketNs = bucket; // else the product wrapped: not kept, each such delta divides again
        }
        return bucket;
    }
}
