package dev.flowrec.recorder.live;

/**
 * The flow table's index: open addressing with linear probing over the flows themselves, each keeping its key's
 * hash ({@link Flow#hash}), so that a probe compares ints before it reads a key and never calls equals through an
 * Object (what Object2ObjectHashMap did, a tenth of the drain's live-view fold in JFR profiles). Removal shifts the
 * run after the hole back (no tombstones), so a table that churns does not degrade. Grows, never shrinks; at most
 * 65% full. Single-threaded; allocates only to grow.
 */
final class FlowIndex
{
    private static final float LOAD_FACTOR = 0.65f;

    private Flow[] slots;
    private int mask;
    private int size;
    private int resizeAt;

    /** @param expected flows expected at once: the index starts with room for them */
    FlowIndex(final int expected)
    {
        allocate(Integer.highestOneBit(Math.max(2, (int)(expected / LOAD_FACTOR)) - 1) << 1);
    }

    /** @return the flow keyed {@code key}, whose hash is {@code hash}, or null. */
    Flow get(final FlowId key, final int hash)
    {
        final Flow[] slots = this.slots;
        final int mask = this.mask;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            final Flow flow = slots[i];
            if (flow == null || flow.hash == hash && flow.id.sameAs(key))
            {
                return flow;
            }
        }
    }

    /** Adds a flow that is not in the index, under its id and hash. */
    void put(final Flow flow)
    {
        if (size >= resizeAt)
        {
            final Flow[] old = slots;
            allocate(old.length << 1);
            for (final Flow f : old)
            {
                if (f != null)
                {
                    insert(f);
                }
            }
        }
        insert(flow);
        size++;
    }

    /** Removes a flow that is in the index (by identity). */
    void remove(final Flow flow)
    {
        final Flow[] slots = this.slots;
        final int mask = this.mask;
        int hole = flow.hash & mask;
        while (slots[hole] != flow)
        {
            if (slots[hole] == null)
            {
                throw new IllegalStateException("flow not in the live view's index: " + flow.id.hashCode());
            }
            hole = (hole + 1) & mask;
        }
        for (int i = (hole + 1) & mask; slots[i] != null; i = (i + 1) & mask)
        {
            // move back an entry whose home slot lies cyclically at or before the hole
            if (((i - (slots[i].hash & mask)) & mask) >= ((i - hole) & mask))
            {
                slots[hole] = slots[i];
                hole = i;
            }
        }
        slots[hole] = null;
        size--;
    }

    int size()
    {
        return size;
    }

    private void insert(final Flow flow)
    {
        int i = flow.hash & mask;
        while (slots[i] != null)
        {
            i = (i + 1) & mask;
        }
        slots[i] = flow;
    }

    private void allocate(final int length)
    {
        slots = new Flow[length];
        mask = length - 1;
        resizeAt = (int)(length * LOAD_FACTOR);
    }
}
