package dev.flowrec.query;

/**
 * A rollup's segment seen as a {@link FlowView} by a filter on each delta: every delta of a segment has the same key,
 * names and owner, so the filter's verdict on it is its verdict on each of them. Counters are not a per-delta filter's
 * concern ({@link dev.flowrec.query.filter.FlowFilter#usesAggregates}). Reused, never allocated per segment.
 */
final class SegmentView implements FlowView
{
    private long srcHigh;
    private long srcLow;
    private long dstHigh;
    private long dstLow;
    private long packed;
    private String iface;
    private String container;
    private Owner owner = Owner.NONE;

    SegmentView wrap(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow, final long packed,
        final String iface, final String container, final Owner owner)
    {
        this.srcHigh = srcHigh;
        this.srcLow = srcLow;
        this.dstHigh = dstHigh;
        this.dstLow = dstLow;
        this.packed = packed;
        this.iface = iface;
        this.container = container;
        this.owner = owner;
        return this;
    }

    public String iface()
    {
        return iface;
    }

    public String container()
    {
        return container;
    }

    public int direction()
    {
        return (int)(packed >>> 48) & 0xFF;
    }

    public int family()
    {
        return (int)(packed >>> 40) & 0xFF;
    }

    public int proto()
    {
        return (int)(packed >>> 32) & 0xFF;
    }

    public int srcPort()
    {
        return (int)(packed >>> 16) & 0xFFFF;
    }

    public int dstPort()
    {
        return (int)packed & 0xFFFF;
    }

    public long srcAddrHigh()
    {
        return srcHigh;
    }

    public long srcAddrLow()
    {
        return srcLow;
    }

    public long dstAddrHigh()
    {
        return dstHigh;
    }

    public long dstAddrLow()
    {
        return dstLow;
    }

    public long packets()
    {
        return 0;
    }

    public long bytes()
    {
        return 0;
    }

    public int tcpFlags()
    {
        return 0;
    }

    public int pid()
    {
        return owner.pid();
    }

    public String comm()
    {
        return owner.comm();
    }
}
