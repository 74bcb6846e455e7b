package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowTimeouts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-flow sums of a replay in flat primitive arrays. Every delta of a full scan probes this table: a HashMap
 * of key and row objects costs a chain of dependent loads per probe (table, node, key, row: JFR put three quarters
 * of a listing there), while here a probe reads one entry of an open-addressing index (linear probing, at most
 * half full) and one run of longs holding the key and its sums side by side. A flow costs no object until the
 * answer is built; flows are stored densely, in order of first sight, so the index alone is rehashed as it grows.
 * <pre>
 *   index entry: | key hash, top bit set (32) | flow number (32) |      0 = empty
 *   flow n, at n * STRIDE longs:
 *   | srcHigh | srcLow | dstHigh | dstLow | direction/family/proto/ports | bucketNs | names id |
 *   | firstNs | lastNs | packets | bytes  | tcpFlags |
 * </pre>
 * The names id stands for the (interface, container) pair, interned by {@link #namesId}. A flow's owner (the process
 * of its local socket) is kept beside it, by flow number: the latest delta's that named one; and the names of its
 * addresses, its first delta's. A key's index entry points
 * at its current flow: a delta that {@link FlowTimeouts#startsNewFlow starts a new flow} (after the inactive timeout,
 * or a SYN after FIN/RST) appends one and repoints the entry, so the earlier flows of a key stay, unindexed.
 */
final class FlowSumsTable
{
    private static final int STRIDE = 12;
    private static final int FIRST = 7;
    private static final int LAST = 8;
    private static final int PACKETS = 9;
    private static final int BYTES = 10;
    private static final int FLAGS = 11;
    private static final int MIN_INDEX = 1024;

    private final long inactiveNs;
    private final List<String[]> names = new ArrayList<>();
    private final Map<List<String>, Integer> namesIds = new HashMap<>();
    private long[] index = new long[MIN_INDEX];
    private long[] flows = new long[MIN_INDEX / 2 * STRIDE];
    private Owner[] owners = new Owner[MIN_INDEX / 2];
    private String[] srcNames = new String[MIN_INDEX / 2];
    private String[] dstNames = new String[MIN_INDEX / 2];
    private int size;

    /** @param inactiveNs a key quiet for longer than this starts a new flow */
    FlowSumsTable(final long inactiveNs)
    {
        this.inactiveNs = inactiveNs;
    }

    /** The id of an (interface, container) pair: the same for equal names, allocated on first sight. */
    int namesId(final String iface, final String container)
    {
        return namesIds.computeIfAbsent(List.of(iface, container), k ->
        {
            names.add(new String[] {iface, container});
            return names.size() - 1;
        });
    }

    /** The (interface, container) of a {@link #namesId}. */
    String[] names(final int namesId)
    {
        return names.get(namesId);
    }

    /**
     * Adds one delta to its flow's sums; packed holds direction, family, proto and ports ({@link #pack}). Returns the
     * flow's number ({@link #srcName}).
     */
    int add(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final long bucketNs, final int namesId, final long firstNs, final long lastNs, final long packets,
        final long bytes, final int tcpFlags, final Owner owner, final FlowNames peers)
    {
        return fold(srcHigh, srcLow, dstHigh, dstLow, packed, bucketNs, namesId, firstNs, tcpFlags, firstNs, lastNs,
            packets, bytes, tcpFlags, owner, peers);
    }

    /**
     * Adds a rollup's segment (a run of one key's deltas that no state could cut, {@link RollupWriter}): its first
     * delta decides, as a delta would, whether it starts a new flow, and the rest add to whichever flow that is.
     */
    void addSegment(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final long bucketNs, final int namesId, final long decidingFirstNs, final int decidingFlags, final long firstNs,
        final long lastNs, final long packets, final long bytes, final int tcpFlags, final Owner owner)
    {
        fold(srcHigh, srcLow, dstHigh, dstLow, packed, bucketNs, namesId, decidingFirstNs, decidingFlags, firstNs, lastNs,
            packets, bytes, tcpFlags, owner, FlowNames.NONE);
    }

    /** Adds deltas summed to their flow; the first of them decides whether it starts a new one. Returns the flow. */
    private int fold(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final long bucketNs, final int namesId, final long decidingFirstNs, final int decidingFlags, final long firstNs,
        final long lastNs, final long packets, final long bytes, final int tcpFlags, final Owner owner,
        final FlowNames peers)
    {
        final int tag = hash(srcHigh, srcLow, dstHigh, dstLow, packed, bucketNs, namesId) | Integer.MIN_VALUE;
        final int mask = index.length - 1;
        int s = tag & mask;
        long entry;
        while ((entry = index[s]) != 0)
        {
            final int at = (int)entry * STRIDE;
            if ((int)(entry >>> 32) == tag && flows[at] == srcHigh && flows[at + 1] == srcLow &&
                flows[at + 2] == dstHigh && flows[at + 3] == dstLow && flows[at + 4] == packed &&
                flows[at + 5] == bucketNs && flows[at + 6] == namesId)
            {
                if (FlowTimeouts.startsNewFlow(flows[at + LAST], (int)flows[at + FLAGS], decidingFirstNs, decidingFlags,
                    inactiveNs))
                {
                    final int flow = append(srcHigh, srcLow, dstHigh, dstLow, packed, bucketNs, namesId,
                        firstNs, lastNs, packets, bytes, tcpFlags, owner, peers);
                    index[s] = (long)tag << 32 | flow;
                    return flow;
                }
                if (owner.known())
                {
                    owners[(int)entry] = owner;
                }
                flows[at + FIRST] = Math.min(flows[at + FIRST], firstNs);
                flows[at + LAST] = Math.max(flows[at + LAST], lastNs);
                flows[at + PACKETS] += packets;
                flows[at + BYTES] += bytes;
                flows[at + FLAGS] |= tcpFlags;
                return (int)entry;
            }
            s = s + 1 & mask;
        }
        final int flow = append(srcHigh, srcLow, dstHigh, dstLow, packed, bucketNs, namesId, firstNs,
            lastNs, packets, bytes, tcpFlags, owner, peers);
        index[s] = (long)tag << 32 | flow;
        if (size * 2 > index.length)
        {
            grow();
        }
        return flow;
    }

    /** Flows stored, a key's earlier flows too. */
    int size()
    {
        return size;
    }

    /** The source address's name the flow was given by its first delta. */
    String srcName(final int flow)
    {
        return srcNames[flow];
    }

    /** The destination address's name the flow was given by its first delta. */
    String dstName(final int flow)
    {
        return dstNames[flow];
    }

    /** Stores a new flow after the others; returns its number. */
    private int append(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final long bucketNs, final int namesId, final long firstNs, final long lastNs, final long packets,
        final long bytes, final int tcpFlags, final Owner owner, final FlowNames peers)
    {
        if ((size + 1) * STRIDE > flows.length)
        {
            flows = Arrays.copyOf(flows, Math.max(flows.length / STRIDE * 3 / 2, size + 1) * STRIDE);
            owners = Arrays.copyOf(owners, flows.length / STRIDE);
            srcNames = Arrays.copyOf(srcNames, flows.length / STRIDE);
            dstNames = Arrays.copyOf(dstNames, flows.length / STRIDE);
        }
        owners[size] = owner;
        srcNames[size] = peers.srcName(); // looked up here, once per flow, not per delta
        dstNames[size] = peers.dstName();
        final int at = size * STRIDE;
        flows[at] = srcHigh;
        flows[at + 1] = srcLow;
        flows[at + 2] = dstHigh;
        flows[at + 3] = dstLow;
        flows[at + 4] = packed;
        flows[at + 5] = bucketNs;
        flows[at + 6] = namesId;
        flows[at + FIRST] = firstNs;
        flows[at + LAST] = lastNs;
        flows[at + PACKETS] = packets;
        flows[at + BYTES] = bytes;
        flows[at + FLAGS] = tcpFlags;
        return size++;
    }

    static long pack(final int direction, final int family, final int proto, final int srcPort, final int dstPort)
    {
        return (long)direction << 48 | (long)family << 40 | (long)proto << 32 | (long)srcPort << 16 | dstPort;
    }

    /** Every flow summed, as rows (one object each, once), in order of first sight. */
    List<FlowRow> rows(final Cancellation cancellation)
    {
        final List<FlowRow> rows = new ArrayList<>(size);
        for (int n = 0; n < size; n++)
        {
            cancellation.step();
            rows.add(row(n));
        }
        return rows;
    }

    /** The current (latest) flow of each key, as rows: a key's earlier flows ended before it began. */
    List<FlowRow> currentRows(final Cancellation cancellation)
    {
        final List<FlowRow> rows = new ArrayList<>();
        for (final long entry : index)
        {
            cancellation.step();
            if (entry != 0)
            {
                rows.add(row((int)entry));
            }
        }
        return rows;
    }

    private FlowRow row(final int flow)
    {
        final int at = flow * STRIDE;
        final String[] n = names.get((int)flows[at + 6]);
        final long p = flows[at + 4];
        return new FlowRow(n[0], n[1], (int)(p >>> 48) & 0xFF, (int)(p >>> 40) & 0xFF, (int)(p >>> 32) & 0xFF,
            (int)(p >>> 16) & 0xFFFF, (int)p & 0xFFFF, flows[at], flows[at + 1], flows[at + 2], flows[at + 3],
            flows[at + 5], flows[at + FIRST], flows[at + LAST], flows[at + PACKETS], flows[at + BYTES],
            (int)flows[at + FLAGS], owners[flow], srcNames[flow], dstNames[flow]);
    }

    /** Doubles the index, keeping it at most half full so that probe runs stay short; the flows stay put. */
    private void grow()
    {
        final long[] old = index;
        index = new long[old.length * 2];
        final int mask = index.length - 1;
        for (final long entry : old)
        {
            if (entry != 0)
            {
                int s = (int)(entry >>> 32) & mask;
                while (index[s] != 0)
                {
                    s = s + 1 & mask;
                }
                index[s] = entry;
            }
        }
    }

    private static int hash(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow,
        final long packed, final long bucketNs, final int namesId)
    {
        return FlowKeyHash.fold(FlowKeyHash.mix(FlowKeyHash.of(srcHigh, srcLow, dstHigh, dstLow, packed, namesId),
            bucketNs));
    }
}
