package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowTimeouts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sums of a grouped question (a group-by, top-N or series) folded straight into (group, bucket) sums, without a
 * row per flow: a {@link FlowSumsTable} holds one entry per flow and bucket (3.7 M for a 1-minute series over 4 h,
 * JFR: 70 % of a series' samples, and the heap of a 24 h one), while here a flow key holds one entry, made once, with
 * its group found once and the state of its current flow in its latest bucket: its last packet and TCP flags, which
 * decide as {@link FlowTimeouts#startsNewFlow} does whether the next delta (or rollup row) starts a new flow, and the
 * (group, bucket) slot it adds to.
 * <p>
 * That state is exact as long as each key's buckets never go back (a key's earlier buckets are never touched
 * again, so their flows need no state): true of a journal, whose deltas come in order of their last packet per key.
 * A delta or row for an earlier bucket of its key throws {@link Unordered}, and the question is asked again of a
 * {@link FlowSumsTable}. Only for a filter on each delta and keys made of the flow key alone ({@link #fits}).
 * <p>
 * A series' hours can be summed apart, each in a part of its own, and the parts merged in order ({@link #merge}): a
 * key whose first bucket in a part is after every bucket summed before it starts a new flow there whatever came
 * before, so only keys whose first bucket may have been summed already (up to {@link #pendingUntil}, from the
 * rollups' headers) leave their rows of that bucket undecided: logged, and decided at the merge as {@link #add} would
 * have decided them in one pass. The merged sums equal one pass's.
 * <pre>
 *   key k at k * KEY_LONGS:  | srcHigh | srcLow | dstHigh | dstLow | direction/family/proto/ports | names id |
 *   its state at k * STATE_LONGS: | bucket | the current flow's last packet | slot &lt;&lt; 32 \| flags | group |
 *                            (one array: a row of a random key touches one or two cache lines of it, not one in each
 *                            of five arrays)
 *   slot s:                  group and bucket; flows, packets, bytes
 * </pre>
 */
final class GroupSums
{
    private static final int KEY_LONGS = 6;
    private static final int STATE_LONGS = 4;
    private static final int BUCKET = 0;
    private static final int LAST = 1;
    private static final int SLOT_FLAGS = 2;
    private static final int GROUP = 3;
    private static final int MIN_INDEX = 1024;
    /** The slot of a key not seen yet; below it, -(slot + 2) of a key whose rows of its first bucket are pending. */
    private static final int NEW = -1;
    private static final int LOG_LONGS = 5;

    /** A key's delta or row for a bucket before its latest: the question must be summed per flow instead. */
    static final class Unordered extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Unordered()
        {
            super("a key's bucket went back", null, false, false);
        }
    }

    private final FlowSumsTable names;
    private final List<GroupKey> groupBy;
    private final long inactiveNs;
    private final Map<List<String>, Integer> groupIds = new HashMap<>();
    private final List<List<String>> groupKeys = new ArrayList<>();

    private int[] keyIndex = new int[MIN_INDEX];
    private long[] keys = new long[MIN_INDEX / 2 * KEY_LONGS];
    private long[] state = new long[MIN_INDEX / 2 * STATE_LONGS];
    /** The first bucket of each key: a part's keys that were not pending must not meet a bucket merged before. */
    private long[] keyFirst = new long[MIN_INDEX / 2];
    private int keyCount;
    /** The latest bucket of any key. */
    private long maxBucket = Long.MIN_VALUE;
    /** In a part: a key whose first bucket is at or before this leaves that bucket's rows to the merge (logged). */
    private long pendingUntil = Long.MIN_VALUE;
    /** key, bucket, deciding first packet, deciding flags &lt;&lt; 16 | flags, last packet: of each pending row. */
    private long[] log = new long[0];
    private int logged;

    private int[] slotIndex = new int[MIN_INDEX];
    private int[] slotGroup = new int[MIN_INDEX / 2];
    private long[] slotBucket = new long[MIN_INDEX / 2];
    private long[] slotFlows = new long[MIN_INDEX / 2];
    private long[] slotPackets = new long[MIN_INDEX / 2];
    private long[] slotBytes = new long[MIN_INDEX / 2];
    private int slotCount;
    /** Per group, the bucket and slot asked for last: the keys of a group mostly move to a new bucket together. */
    private long[] groupBucket = new long[16];
    private int[] groupSlot = new int[16];

    /** @param names the table whose names ids the keys hold (its flows are not used) */
    GroupSums(final FlowSumsTable names, final List<GroupKey> groupBy, final long inactiveNs)
    {
        this.names = names;
        this.groupBy = groupBy;
        this.inactiveNs = inactiveNs;
    }

    List<GroupKey> groupBy()
    {
        return groupBy;
    }

    /** Whether a question can be summed here: grouped, filtered per delta, by keys of the flow key, not at an instant. */
    static boolean fits(final Query query, final boolean filterUsesAggregates)
    {
        if (!query.grouped() || filterUsesAggregates || query.atNs() != Query.NO_INSTANT)
        {
            return false;
        }
        for (final GroupKey g : query.groupBy())
        {
            switch (g.field())
            {
                case pid, comm, src_name, dst_name ->
                {
                    return false; // a flow's owner and names are its deltas', not its key's
                }
                default ->
                {
                }
            }
        }
        return true;
    }

    /** The number of a flow key (allocated on first sight, its group found then); nothing allocated after. */
    int key(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final int namesId)
    {
        final int tag = hash(srcHigh, srcLow, dstHigh, dstLow, packed, namesId) | Integer.MIN_VALUE;
        final int mask = keyIndex.length - 1;
        int s = tag & mask;
        int entry;
        while ((entry = keyIndex[s]) != 0)
        {
            final int k = entry - 1;
            final int at = k * KEY_LONGS;
            if (keys[at] == srcHigh && keys[at + 1] == srcLow && keys[at + 2] == dstHigh && keys[at + 3] == dstLow &&
                keys[at + 4] == packed && keys[at + 5] == namesId)
            {
                return k;
            }
            s = s + 1 & mask;
        }
        final int k = appendKey(srcHigh, srcLow, dstHigh, dstLow, packed, namesId);
        keyIndex[s] = k + 1;
        if (keyCount * 2 > keyIndex.length)
        {
            keyIndex = rehash(keyIndex, keyCount, this::keyHash);
        }
        return k;
    }

    /**
     * Adds deltas of key {@code k} summed (one delta, or a rollup's row) to bucket {@code bucketNs}; the first of them
     * ({@code decidingFirstNs}, {@code decidingFlags}) decides whether they start a new flow.
     *
     * @throws Unordered when the key has had a later bucket
     */
    void add(final int k, final long bucketNs, final long decidingFirstNs, final int decidingFlags, final long lastNs,
        final long packets, final long bytes, final int tcpFlags)
    {
        final int at = k * STATE_LONGS;
        final long slotFlags = state[at + SLOT_FLAGS];
        int slot = (int)(slotFlags >> 32);
        if (slot < 0 || bucketNs != state[at + BUCKET])
        {
            slot = moveTo(k, bucketNs, decidingFirstNs, decidingFlags, lastNs, tcpFlags);
        }
        else if (FlowTimeouts.startsNewFlow(state[at + LAST], (int)slotFlags, decidingFirstNs, decidingFlags, inactiveNs))
        {
            startFlow(k, slot, lastNs, tcpFlags);
        }
        else
        {
            state[at + LAST] = Math.max(state[at + LAST], lastNs);
            state[at + SLOT_FLAGS] = slotFlags | tcpFlags & 0xFFFFFFFFL;
        }
        slotPackets[slot] += packets;
        slotBytes[slot] += bytes;
    }

    /** A key's row for another bucket than its latest, or its first row, or a pending one; returns its slot. */
    private int moveTo(final int k, final long bucketNs, final long decidingFirstNs, final int decidingFlags,
        final long lastNs, final int tcpFlags)
    {
        final int at = k * STATE_LONGS;
        final int current = slot(k);
        if (current != NEW && bucketNs < state[at + BUCKET])
        {
            throw new Unordered();
        }
        if (current < NEW && bucketNs == state[at + BUCKET])
        {
            log(k, bucketNs, decidingFirstNs, decidingFlags, lastNs, tcpFlags);
            return -current - 2;
        }
        final int slot = slot((int)state[at + GROUP], bucketNs);
        state[at + BUCKET] = bucketNs;
        maxBucket = Math.max(maxBucket, bucketNs);
        if (current == NEW)
        {
            keyFirst[k] = bucketNs;
            if (bucketNs <= pendingUntil)
            {
                setSlot(k, -slot - 2);
                log(k, bucketNs, decidingFirstNs, decidingFlags, lastNs, tcpFlags);
                return slot;
            }
        }
        startFlow(k, slot, lastNs, tcpFlags);
        return slot;
    }

    private void log(final int k, final long bucketNs, final long decidingFirstNs, final int decidingFlags,
        final long lastNs, final int tcpFlags)
    {
        if (logged + LOG_LONGS > log.length)
        {
            log = Arrays.copyOf(log, Math.max(MIN_INDEX * LOG_LONGS, log.length * 2));
        }
        log[logged] = k;
        log[logged + 1] = bucketNs;
        log[logged + 2] = decidingFirstNs;
        log[logged + 3] = (long)decidingFlags << 16 | tcpFlags;
        log[logged + 4] = lastNs;
        logged += LOG_LONGS;
    }

    /** The latest bucket summed, of any key; Long.MIN_VALUE before the first. */
    long maxBucket()
    {
        return maxBucket;
    }

    /** Makes these sums a part whose keys with a first bucket at or before {@code bucketNs} are pending. */
    void pendingUntil(final long bucketNs)
    {
        pendingUntil = bucketNs;
    }

    /**
     * Adds the part summed after everything summed here: its pending rows decided now, in order, against each key's
     * state here; then each key's state as the part left it, unless the part left it pending; then its sums.
     *
     * @throws Unordered      when a pending row's bucket is before its key's latest here (as {@link #add} throws)
     * @throws IllegalStateException when a key the part did not hold pending has a bucket here as late as its first
     *                        in the part: the part's bound was wrong, and the merged sums would be too
     */
    void merge(final GroupSums part)
    {
        final int[] keyOf = new int[part.keyCount];
        int[] namesOf = new int[0];
        for (int k = 0; k < part.keyCount; k++)
        {
            final int at = k * KEY_LONGS;
            final int partNames = (int)part.keys[at + 5];
            if (partNames >= namesOf.length)
            {
                final int from = namesOf.length;
                namesOf = Arrays.copyOf(namesOf, partNames + 16);
                Arrays.fill(namesOf, from, namesOf.length, -1);
            }
            if (namesOf[partNames] < 0)
            {
                final String[] n = part.names.names(partNames);
                namesOf[partNames] = names.namesId(n[0], n[1]);
            }
            final int mine = key(part.keys[at], part.keys[at + 1], part.keys[at + 2], part.keys[at + 3],
                part.keys[at + 4], namesOf[partNames]);
            keyOf[k] = mine;
            if (part.slot(k) != NEW && part.keyFirst[k] > part.pendingUntil && slot(mine) >= 0 &&
                state[mine * STATE_LONGS + BUCKET] >= part.keyFirst[k])
            {
                throw new IllegalStateException("a part's key met a bucket summed before it: " + part.keyFirst[k]);
            }
        }
        for (int i = 0; i < part.logged; i += LOG_LONGS)
        {
            final long[] l = part.log;
            add(keyOf[(int)l[i]], l[i + 1], l[i + 2], (int)(l[i + 3] >>> 16), l[i + 4], 0, 0, (int)l[i + 3] & 0xFFFF);
        }
        for (int k = 0; k < part.keyCount; k++)
        {
            if (part.slot(k) >= 0)
            {
                final int mine = keyOf[k];
                final int at = mine * STATE_LONGS;
                final int partAt = k * STATE_LONGS;
                state[at + BUCKET] = part.state[partAt + BUCKET];
                state[at + LAST] = part.state[partAt + LAST];
                state[at + SLOT_FLAGS] = (long)slot((int)state[at + GROUP], part.state[partAt + BUCKET]) << 32 |
                    part.state[partAt + SLOT_FLAGS] & 0xFFFFFFFFL;
            }
        }
        for (int s = 0; s < part.slotCount; s++)
        {
            final int slot = slot(groupId(part.groupKeys.get(part.slotGroup[s])), part.slotBucket[s]);
            slotFlows[slot] += part.slotFlows[s];
            slotPackets[slot] += part.slotPackets[s];
            slotBytes[slot] += part.slotBytes[s];
        }
        maxBucket = Math.max(maxBucket, part.maxBucket);
    }

    /** Starts a flow of key {@code k} in {@code slot}, which becomes the key's. */
    private void startFlow(final int k, final int slot, final long lastNs, final int tcpFlags)
    {
        final int at = k * STATE_LONGS;
        state[at + LAST] = lastNs;
        state[at + SLOT_FLAGS] = (long)slot << 32 | tcpFlags & 0xFFFFFFFFL;
        slotFlows[slot]++;
    }

    /** Key {@code k}'s slot: NEW, below it a pending one ({@link #moveTo}). */
    private int slot(final int k)
    {
        return (int)(state[k * STATE_LONGS + SLOT_FLAGS] >> 32);
    }

    private void setSlot(final int k, final int slot)
    {
        final int at = k * STATE_LONGS + SLOT_FLAGS;
        state[at] = (long)slot << 32 | state[at] & 0xFFFFFFFFL;
    }

    /** The (group, bucket) sums that saw a flow: {bucket, group} and {flows, packets, bytes} for each, by callback. */
    interface Visitor
    {
        void group(long bucketNs, List<String> key, long flows, long packets, long bytes);
    }

    void forEach(final Visitor visitor, final Cancellation cancellation)
    {
        for (int s = 0; s < slotCount; s++)
        {
            cancellation.step();
            visitor.group(slotBucket[s], groupKeys.get(slotGroup[s]), slotFlows[s], slotPackets[s], slotBytes[s]);
        }
    }

    private int appendKey(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow,
        final long packed, final int namesId)
    {
        if (keyCount == keyFirst.length)
        {
            final int n = keyCount * 2;
            keys = Arrays.copyOf(keys, n * KEY_LONGS);
            state = Arrays.copyOf(state, n * STATE_LONGS);
            keyFirst = Arrays.copyOf(keyFirst, n);
        }
        final int k = keyCount++;
        final int at = k * KEY_LONGS;
        keys[at] = srcHigh;
        keys[at + 1] = srcLow;
        keys[at + 2] = dstHigh;
        keys[at + 3] = dstLow;
        keys[at + 4] = packed;
        keys[at + 5] = namesId;
        state[k * STATE_LONGS + SLOT_FLAGS] = (long)NEW << 32;
        state[k * STATE_LONGS + GROUP] = group(srcHigh, srcLow, dstHigh, dstLow, packed, namesId);
        return k;
    }

    /** The group of a key, as text once per key (a row made for it alone). */
    private int group(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long p,
        final int namesId)
    {
        final String[] n = names.names(namesId);
        final FlowRow row = new FlowRow(n[0], n[1], (int)(p >>> 48) & 0xFF, (int)(p >>> 40) & 0xFF,
            (int)(p >>> 32) & 0xFF, (int)(p >>> 16) & 0xFFFF, (int)p & 0xFFFF, srcHigh, srcLow, dstHigh, dstLow, 0, 0, 0,
            0, 0, 0, Owner.NONE, "", "");
        final List<String> key = new ArrayList<>(groupBy.size());
        for (final GroupKey g : groupBy)
        {
            key.add(g.valueOf(row));
        }
        return groupId(key);
    }

    /** The number of a group, by its key's values. */
    private int groupId(final List<String> key)
    {
        return groupIds.computeIfAbsent(key, x ->
        {
            groupKeys.add(x);
            final int group = groupKeys.size() - 1;
            if (group == groupSlot.length)
            {
                groupBucket = Arrays.copyOf(groupBucket, group * 2);
                groupSlot = Arrays.copyOf(groupSlot, group * 2);
            }
            groupSlot[group] = -1;
            return group;
        });
    }

    /** The slot of (group, bucket), made on first sight. */
    private int slot(final int group, final long bucketNs)
    {
        final int last = groupSlot[group];
        if (last >= 0 && groupBucket[group] == bucketNs)
        {
            return last;
        }
        final int slot = find(group, bucketNs);
        groupBucket[group] = bucketNs;
        groupSlot[group] = slot;
        return slot;
    }

    private int find(final int group, final long bucketNs)
    {
        final long h = FlowKeyHash.mix(FlowKeyHash.mix(group, bucketNs), 0);
        final int tag = (int)(h ^ h >>> 32) | Integer.MIN_VALUE;
        final int mask = slotIndex.length - 1;
        int s = tag & mask;
        int entry;
        while ((entry = slotIndex[s]) != 0)
        {
            if (slotGroup[entry - 1] == group && slotBucket[entry - 1] == bucketNs)
            {
                return entry - 1;
            }
            s = s + 1 & mask;
        }
        if (slotCount == slotGroup.length)
        {
            final int n = slotCount * 2;
            slotGroup = Arrays.copyOf(slotGroup, n);
            slotBucket = Arrays.copyOf(slotBucket, n);
            slotFlows = Arrays.copyOf(slotFlows, n);
            slotPackets = Arrays.copyOf(slotPackets, n);
            slotBytes = Arrays.copyOf(slotBytes, n);
        }
        final int slot = slotCount++;
        slotGroup[slot] = group;
        slotBucket[slot] = bucketNs;
        slotIndex[s] = slot + 1;
        if (slotCount * 2 > slotIndex.length)
        {
            slotIndex = rehash(slotIndex, slotCount, this::slotHash);
        }
        return slot;
    }

    private int keyHash(final int k)
    {
        final int at = k * KEY_LONGS;
        return hash(keys[at], keys[at + 1], keys[at + 2], keys[at + 3], keys[at + 4], (int)keys[at + 5]);
    }

    private int slotHash(final int slot)
    {
        final long h = FlowKeyHash.mix(FlowKeyHash.mix(slotGroup[slot], slotBucket[slot]), 0);
        return (int)(h ^ h >>> 32);
    }

    /** An index twice as large with entries 1..count placed by their hash (at most half full). */
    private static int[] rehash(final int[] old, final int count, final java.util.function.IntUnaryOperator hash)
    {
        final int[] index = new int[old.length * 2];
        final int mask = index.length - 1;
        for (int n = 0; n < count; n++)
        {
            int s = hash.applyAsInt(n) & mask;
            while (index[s] != 0)
            {
                s = s + 1 & mask;
            }
            index[s] = n + 1;
        }
        return index;
    }

    private static int hash(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow,
        final long packed, final int namesId)
    {
        return FlowKeyHash.fold(FlowKeyHash.of(srcHigh, srcLow, dstHigh, dstLow, packed, namesId));
    }
}
