package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The one value of the pinned meta map (struct fr_meta in flowrec.h): what the pinned maps are and which recorder
 * owns them now. Written by the recorder, never by the programs.
 * <pre>
 *   0        8          16          24    32              40               48
 *   +--------+----------+-----------+-----+---------------+----------------+------------------------+
 *   | layout | maxFlows | ringBytes | pid | ringSinceNs   | ownerSinceNs   | base[COUNT] u64 each   |
 *   +--------+----------+-----------+-----+---------------+----------------+------------------------+
 * </pre>
 *
 * @param layout       {@link #LAYOUT_VERSION} of the run that created the maps
 * @param pid          the recorder that owns them now
 * @param ringSinceNs  wall clock when the ring was created, taken before that run journaled its start
 * @param ownerSinceNs wall clock when the owner took the maps over, taken before it journaled its start
 * @param base         the kernel counters at the owner's baseline: its loss reports say counters - base
 */
public record PinnedMeta(long layout, long maxFlows, long ringBytes, long pid, long ringSinceNs, long ownerSinceNs,
    long[] base)
{
    /** FR_LAYOUT_VERSION of flowrec.h: bump both together (KernelMirrorTest checks they agree). */
    public static final int LAYOUT_VERSION = 4;
    public static final int LENGTH = 48 + 8 * KernelCounters.COUNT;

    static PinnedMeta read(final MemorySegment value)
    {
        final long[] base = new long[KernelCounters.COUNT];
        for (int i = 0; i < base.length; i++)
        {
            base[i] = value.get(JAVA_LONG, 48 + 8L * i);
        }
        return new PinnedMeta(value.get(JAVA_LONG, 0), value.get(JAVA_LONG, 8), value.get(JAVA_LONG, 16),
            value.get(JAVA_LONG, 24), value.get(JAVA_LONG, 32), value.get(JAVA_LONG, 40), base);
    }

    void write(final MemorySegment value)
    {
        value.set(JAVA_LONG, 0, layout);
        value.set(JAVA_LONG, 8, maxFlows);
        value.set(JAVA_LONG, 16, ringBytes);
        value.set(JAVA_LONG, 24, pid);
        value.set(JAVA_LONG, 32, ringSinceNs);
        value.set(JAVA_LONG, 40, ownerSinceNs);
        for (int i = 0; i < KernelCounters.COUNT; i++)
        {
            value.set(JAVA_LONG, 48 + 8L * i, base[i]);
        }
    }

    /** The same maps, taken over by another owner with its own baseline. */
    public PinnedMeta ownedBy(final long pid, final long ownerSinceNs, final long[] base)
    {
        return new PinnedMeta(layout, maxFlows, ringBytes, pid, ringSinceNs, ownerSinceNs, base.clone());
    }
}
