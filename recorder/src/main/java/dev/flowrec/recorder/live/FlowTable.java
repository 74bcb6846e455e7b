package dev.flowrec.recorder.live;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowTimeouts;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import dev.flowrec.query.Owner;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * The flows the live view tracks, at most {@code capacity} of them, with a list from least to most
 * recently updated so that expiry and eviction look only at the oldest end. A known flow is found with
 * a reused probe key in a {@link FlowIndex} and moved in the list by relinking: no allocation. A new flow takes the state of the least
 * recently updated flow when the table is full (that flow is evicted, counted in {@link #evicted}), else a spare
 * one that expired, else a new one: a burst of a million new flows through a full table allocates nothing, where
 * new objects per flow churned ~0.5 GB of garbage and grew the recorder's heap to its cap (scripts/bench/memory). A tuple's
 * delta that starts a new flow by the readers' rule ({@link FlowTimeouts}) starts its counts afresh. A flow's owner
 * ({@link #owned}) comes in the SocketOwner event journaled just before its kernel entry's first delta: it waits
 * in a small map until that delta makes the flow.
 * Single-threaded.
 */
final class FlowTable
{
    static final int MAX_SPARE = 1024;

    private final FlowIndex flows;
    private final FlowId probe = new FlowId();
    /** Owners of flows whose first delta is still to come (at most {@code capacity}; emptied when it would be more). */
    private final Object2ObjectHashMap<FlowId, Owner> pendingOwners = new Object2ObjectHashMap<>();
    private final int capacity;
    /** Expired flows kept for reuse, linked by {@link Flow#newer}; at most {@link #MAX_SPARE}: a quiet view shrinks. */
    private Flow spare;
    private int spareCount;
    private Flow oldest;
    private Flow newest;
    private long evicted;
    private long expired;

    FlowTable(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.flows = new FlowIndex(Math.min(capacity, 1024));
    }

    /** @return the flow of this delta, created if new, now the most recently updated. */
    Flow touch(final FlowDeltaDecoder delta, final Iface iface)
    {
        final int hash = probe.set(delta).hashCode();
        Flow flow = flows.get(probe, hash);
        if (flow == null)
        {
            flow = fresh(iface, hash);
            flows.put(flow);
            if (!pendingOwners.isEmpty())
            {
                final Owner owner = pendingOwners.remove(flow.id);
                flow.owner = owner == null ? Owner.NONE : owner;
            }
        }
        else
        {
            unlink(flow);
            if (FlowTimeouts.startsNewFlow(flow.lastNs, flow.tcpFlags, delta.firstNs(), delta.tcpFlags(),
                FlowTimeouts.DEFAULT_INACTIVE_NS))
            {
                flow.rate.clear(); // the tuple's next flow, as the readers cut it: the last one's counts are not its
                flow.tcpFlags = 0;
                flow.srcName = null; // nor its names: named again as of this delta
                flow.dstName = null;
            }
        }
        linkNewest(flow);
        flow.lastNs = delta.lastNs();
        flow.tcpFlags |= delta.tcpFlags();
        return flow;
    }

    /** The owner a SocketOwner event names for its flow, from now on (the flow's, or its first delta's to come). */
    void owned(final SocketOwnerDecoder event, final Owner owner)
    {
        final Flow flow = flows.get(probe.set(event), probe.hashCode());
        if (flow != null)
        {
            flow.owner = owner;
            return;
        }
        if (pendingOwners.size() >= capacity)
        {
            pendingOwners.clear(); // owners of entries whose deltas never came: the view forgets, the journal keeps them
        }
        pendingOwners.put(probe.copy(), owner);
    }

    /** A new recorder run: its flows' owners are named afresh. */
    void clearOwners()
    {
        pendingOwners.clear();
        for (Flow flow = oldest; flow != null; flow = flow.newer)
        {
            flow.owner = Owner.NONE;
        }
    }

    /** Forgets the flows updated last before {@code beforeNs}, oldest first. */
    void expire(final long beforeNs)
    {
        while (oldest != null && oldest.lastNs < beforeNs)
        {
            final Flow flow = oldest;
            remove(flow);
            expired++;
            if (spareCount < MAX_SPARE)
            {
                flow.iface = null; // a spare holds no forgotten interface
                flow.newer = spare;
                spare = flow;
                spareCount++;
            }
        }
    }

    /** Forgets every flow of an interface that is itself forgotten (rare: walks the whole table). */
    void removeAll(final Iface iface)
    {
        for (Flow flow = oldest; flow != null; )
        {
            final Flow next = flow.newer;
            if (flow.iface == iface)
            {
                remove(flow);
            }
            flow = next;
        }
    }

    /** @return the least recently updated flow; follow {@link Flow#newer} for the rest. */
    Flow oldest()
    {
        return oldest;
    }

    int size()
    {
        return flows.size();
    }

    /** @return flows pushed out while the table was full: the live view's only lossy case. */
    long evicted()
    {
        return evicted;
    }

    /** @return flows forgotten after going quiet. */
    long expired()
    {
        return expired;
    }

    private Flow fresh(final Iface iface, final int hash)
    {
        if (flows.size() >= capacity)
        {
            final Flow flow = oldest;
            remove(flow);
            evicted++;
            return flow.reuse(probe, hash, iface);
        }
        if (spare != null)
        {
            final Flow flow = spare;
            spare = flow.newer;
            flow.newer = null;
            spareCount--;
            return flow.reuse(probe, hash, iface);
        }
        return new Flow(probe.copy(), hash, iface);
    }

    private void remove(final Flow flow)
    {
        flows.remove(flow);
        unlink(flow);
    }

    private void unlink(final Flow flow)
    {
        if (flow.older == null)
        {
            oldest = flow.newer;
        }
        else
        {
            flow.older.newer = flow.newer;
        }
        if (flow.newer == null)
        {
            newest = flow.older;
        }
        else
        {
            flow.newer.older = flow.older;
        }
        flow.older = null;
        flow.newer = null;
    }

    private void linkNewest(final Flow flow)
    {
        flow.older = newest;
        if (newest == null)
        {
            oldest = flow;
        }
        else
        {
            newest.newer = flow;
        }
        newest = flow;
    }
}
