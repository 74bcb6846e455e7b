package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * The owners of a recorder run's flows: flow key (ifindex, direction, family, proto, addresses, ports) to the
 * {@link Owner}s its SocketOwner events named, each from the first packet of its kernel flow entry (the event's
 * time). A key keeps its latest two entries' owners: the recorder journals a drain pass's owners ahead of the pass's
 * deltas, so the final delta of an entry swept away can follow the owner of the entry that replaced it; a delta is
 * named by the owner of the entry it began in (the latest whose first packet is not after the delta's; the only
 * one, when the key had one entry). An entry created without an owner journals none: its first delta (reason
 * FIRST, at the entry's first packet) says so, and from then on the key has no owner, not the previous entry's.
 * <p>
 * A lookup per delta allocates nothing: keys are kept in a flat array with linear probing, as in
 * {@link FlowSumsTable}; owners (and their command names, interned) are made once per event.
 * <pre>
 *   flow n, at n * STRIDE longs: | srcHigh | srcLow | dstHigh | dstLow | direction/family/proto/ports | ifindex |
 * </pre>
 * Single-threaded.
 */
public final class SocketOwners
{
    private static final int STRIDE = 6;
    private static final int MIN_INDEX = 64;

    private final SocketOwnerDecoder event = new SocketOwnerDecoder();
    private final Map<String, String> comms = new HashMap<>();
    private final Map<Owner, Owner> owners = new HashMap<>();
    private long[] index = new long[MIN_INDEX];
    private long[] keys = new long[MIN_INDEX / 2 * STRIDE];
    /** The latest entry's owner and the time of its first packet; the entry's before it and its time. */
    private Owner[] values = new Owner[MIN_INDEX / 2];
    private long[] sinceNs = new long[MIN_INDEX / 2];
    private Owner[] previous = new Owner[MIN_INDEX / 2];
    private long[] previousSinceNs = new long[MIN_INDEX / 2];
    private int size;

    /** Keeps the owner of a SocketOwner event at {@code offset} (its header) in {@code buffer}; returns it. */
    public Owner onSocketOwner(final DirectBuffer buffer, final int offset)
    {
        final SocketOwnerDecoder e = MessageHeader.wrap(event, buffer, offset);
        final long packed = FlowSumsTable.pack(e.direction(), e.family(), e.proto(), e.srcPort(), e.dstPort());
        final int pid = e.pid();
        final String comm = comms.computeIfAbsent(e.comm(), c -> c);
        final Owner owner = owners.computeIfAbsent(new Owner(pid, comm), o -> o);
        final int src = e.offset() + SocketOwnerDecoder.srcAddrEncodingOffset();
        final int dst = e.offset() + SocketOwnerDecoder.dstAddrEncodingOffset();
        put(address(e, src), address(e, src + 8), address(e, dst), address(e, dst + 8), packed, e.ifindex(), owner,
            e.timeNs());
        return owner;
    }

    /**
     * @return the owner of the delta's flow as the run's events named it, {@link Owner#NONE} when none did; a delta that
     * begins an entry created without an owner (reason FIRST, no owner event at its first packet) ends the key's owner.
     * Call it for every delta of the run in journal order, also for those an answer does not fold.
     */
    public Owner of(final FlowDeltaDecoder delta)
    {
        if (size == 0)
        {
            return Owner.NONE;
        }
        final long srcHigh = FlowDeltas.srcAddrHigh(delta);
        final long srcLow = FlowDeltas.srcAddrLow(delta);
        final long dstHigh = FlowDeltas.dstAddrHigh(delta);
        final long dstLow = FlowDeltas.dstAddrLow(delta);
        final long packed = FlowSumsTable.pack(delta.direction(), delta.family(), delta.proto(), delta.srcPort(),
            delta.dstPort());
        final int at = find(srcHigh, srcLow, dstHigh, dstLow, packed, delta.ifindex());
        if (at < 0)
        {
            return Owner.NONE;
        }
        final long firstNs = delta.firstNs();
        if (delta.reason() == FlowDeltas.REASON_FIRST && firstNs > sinceNs[at])
        {
            named(at, Owner.NONE, firstNs); // a new entry, and no owner event came with it
        }
        // A delta older than the key's latest entry began in the one before it, if the key had one; else in an entry
        // whose owner came late (a reader that seeks, a test's jittered times): the latest owner still names it.
        return firstNs >= sinceNs[at] || previousSinceNs[at] == Long.MIN_VALUE ? values[at] : previous[at];
    }

    /** Names the key's entry that began at {@code sinceNs}: the latest, or the one before it. */
    private void named(final int at, final Owner owner, final long since)
    {
        if (since >= sinceNs[at])
        {
            previous[at] = values[at];
            previousSinceNs[at] = sinceNs[at];
            values[at] = owner;
            sinceNs[at] = since;
        }
        else if (since >= previousSinceNs[at])
        {
            previous[at] = owner;
            previousSinceNs[at] = since;
        }
    }

    /** How many flow keys have an owner. */
    public int size()
    {
        return size;
    }

    /** Forgets every owner: a new recorder run names its flows afresh. */
    public void clear()
    {
        if (size > 0)
        {
            Arrays.fill(index, 0);
            Arrays.fill(values, 0, size, null);
            Arrays.fill(previous, 0, size, null);
            size = 0;
        }
    }

    /** Eight bytes of an address, read big-endian as {@link FlowDeltas} reads a delta's. */
    private static long address(final SocketOwnerDecoder e, final int at)
    {
        return e.buffer().getLong(at, ByteOrder.BIG_ENDIAN);
    }

    private int find(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final int ifindex)
    {
        final int tag = hash(srcHigh, srcLow, dstHigh, dstLow, packed, ifindex) | Integer.MIN_VALUE;
        final int mask = index.length - 1;
        int s = tag & mask;
        long entry;
        while ((entry = index[s]) != 0)
        {
            final int n = (int)entry;
            if ((int)(entry >>> 32) == tag && matches(n * STRIDE, srcHigh, srcLow, dstHigh, dstLow, packed, ifindex))
            {
                return n;
            }
            s = s + 1 & mask;
        }
        return -1;
    }

    private void put(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final int ifindex, final Owner owner, final long since)
    {
        final int found = find(srcHigh, srcLow, dstHigh, dstLow, packed, ifindex);
        if (found >= 0)
        {
            named(found, owner, since);
            return;
        }
        if ((size + 1) * STRIDE > keys.length)
        {
            keys = Arrays.copyOf(keys, keys.length * 2);
            values = Arrays.copyOf(values, values.length * 2);
            sinceNs = Arrays.copyOf(sinceNs, sinceNs.length * 2);
            previous = Arrays.copyOf(previous, previous.length * 2);
            previousSinceNs = Arrays.copyOf(previousSinceNs, previousSinceNs.length * 2);
        }
        final int at = size * STRIDE;
        keys[at] = srcHigh;
        keys[at + 1] = srcLow;
        keys[at + 2] = dstHigh;
        keys[at + 3] = dstLow;
        keys[at + 4] = packed;
        keys[at + 5] = ifindex;
        values[size] = owner;
        sinceNs[size] = since;
        previous[size] = Owner.NONE;
        previousSinceNs[size] = Long.MIN_VALUE;
        final int tag = hash(srcHigh, srcLow, dstHigh, dstLow, packed, ifindex) | Integer.MIN_VALUE;
        insert((long)tag << 32 | size);
        size++;
        if (size * 2 > index.length)
        {
            grow();
        }
    }

    private boolean matches(final int at, final long srcHigh, final long srcLow, final long dstHigh, final long dstLow,
        final long packed, final int ifindex)
    {
        return keys[at] == srcHigh && keys[at + 1] == srcLow && keys[at + 2] == dstHigh && keys[at + 3] == dstLow &&
            keys[at + 4] == packed && keys[at + 5] == ifindex;
    }

    private void insert(final long entry)
    {
        final int mask = index.length - 1;
        int s = (int)(entry >>> 32) & mask;
        while (index[s] != 0)
        {
            s = s + 1 & mask;
        }
        index[s] = entry;
    }

    private void grow()
    {
        final long[] old = index;
        index = new long[old.length * 2];
        for (final long entry : old)
        {
            if (entry != 0)
            {
                insert(entry);
            }
        }
    }

    private static int hash(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow,
        final long packed, final int ifindex)
    {
        return FlowKeyHash.fold(FlowKeyHash.of(srcHigh, srcLow, dstHigh, dstLow, packed, ifindex));
    }
}
