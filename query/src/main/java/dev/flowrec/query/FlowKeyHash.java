package dev.flowrec.query;

/**
 * The hash the engine's open-addressing tables file a flow key under (group sums, per-flow sums, socket owners): one
 * function, so a change to it is measured once.
 */
final class FlowKeyHash
{
    private FlowKeyHash()
    {
    }

    /** The unfolded hash of a flow key and the one more value its table keys on (names id, ifindex). */
    static long of(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final long seed)
    {
        long h = seed;
        h = mix(h, packed);
        h = mix(h, srcHigh);
        h = mix(h, srcLow);
        h = mix(h, dstHigh);
        h = mix(h, dstLow);
        return h;
    }

    /** The hash folded to an index's width. */
    static int fold(final long h)
    {
        return (int)(h ^ h >>> 32);
    }

    static long mix(final long h, final long v)
    {
        final long x = (h ^ v) * 0x9E3779B97F4A7C15L; // golden-ratio multiply spreads every input bit upwards
        return x ^ x >>> 29;
    }
}
