package dev.flowrec.recorder.live;

/**
 * Bytes and packets per second of event time, in a ring of per-second buckets. A bucket is tagged with
 * the absolute second it holds, so the ring needs no head to advance: a write to a newer second
 * recycles the bucket, a write older than what the bucket now holds is too old for any window and only
 * counts in the totals kept elsewhere. Reads sum the buckets whose tag lies in the window.
 * <pre>
 *   long[] slots, 3 per bucket:  | second | bytes | packets | second | bytes | packets | ...
 *                                  bucket (second mod buckets)
 * </pre>
 * Single writer; allocates nothing after construction.
 */
final class RateRing
{
    private static final int SLOT = 3;

    private final long[] slots;
    private final int buckets;

    /**
     * @param buckets more than the longest window read (the current second is in the ring); not rounded up to a
     *                power of two: a flow's ring is most of the live view's memory (100k flows), a modulo is cheap.
     */
    RateRing(final int buckets)
    {
        if (buckets < 2)
        {
            throw new IllegalArgumentException("buckets must be at least 2: " + buckets);
        }
        this.slots = new long[buckets * SLOT];
        this.buckets = buckets;
        clear();
    }

    /** Forgets every second. */
    void clear()
    {
        for (int i = 0; i < slots.length; i += SLOT)
        {
            slots[i] = Long.MIN_VALUE; // no second yet
        }
    }

    void add(final long second, final long bytes, final long packets)
    {
        final int i = (int)Math.floorMod(second, (long)buckets) * SLOT;
        final long tag = slots[i];
        if (tag != second)
        {
            if (second < tag)
            {
                return;
            }
            slots[i] = second;
            slots[i + 1] = 0;
            slots[i + 2] = 0;
        }
        slots[i + 1] += bytes;
        slots[i + 2] += packets;
    }

    /** @return bytes in the complete seconds {@code [nowSecond - seconds, nowSecond - 1]}. */
    long bytes(final long nowSecond, final int seconds)
    {
        return sum(nowSecond, seconds, 1);
    }

    /** @return packets in the complete seconds {@code [nowSecond - seconds, nowSecond - 1]}. */
    long packets(final long nowSecond, final int seconds)
    {
        return sum(nowSecond, seconds, 2);
    }

    private long sum(final long nowSecond, final int seconds, final int field)
    {
        final long from = nowSecond - seconds;
        long sum = 0;
        for (int i = 0; i < slots.length; i += SLOT)
        {
            final long tag = slots[i];
            if (tag >= from && tag < nowSecond)
            {
                sum += slots[i + field];
            }
        }
        return sum;
    }
}
