package dev.flowrec.query;

/** One flow of a listing: its key and its deltas summed. */
public final class FlowRow implements FlowView
{
    private final FlowKey key;
    long firstNs = Long.MAX_VALUE;
    long lastNs = Long.MIN_VALUE;
    long packets;
    long bytes;
    int tcpFlags;

    FlowRow(final FlowKey key)
    {
        this.key = key;
    }

    void add(final long firstNs, final long lastNs, final long packets, final long bytes, final int tcpFlags)
    {
        this.firstNs = Math.min(this.firstNs, firstNs);
        this.lastNs = Math.max(this.lastNs, lastNs);
        this.packets += packets;
        this.bytes += bytes;
        this.tcpFlags |= tcpFlags;
    }

    public FlowKey key()
    {
        return key;
    }

    public long firstNs()
    {
        return firstNs;
    }

    public long lastNs()
    {
        return lastNs;
    }

    public long packets()
    {
        return packets;
    }

    public long bytes()
    {
        return bytes;
    }

    public int tcpFlags()
    {
        return tcpFlags;
    }

    public String iface()
    {
        return key.iface;
    }

    public String container()
    {
        return key.container;
    }

    public int direction()
    {
        return key.direction;
    }

    public int family()
    {
        return key.family;
    }

    public int proto()
    {
        return key.proto;
    }

    public int srcPort()
    {
        return key.srcPort;
    }

    public int dstPort()
    {
        return key.dstPort;
    }

    public long srcAddrHigh()
    {
        return key.srcHigh;
    }

    public long srcAddrLow()
    {
        return key.srcLow;
    }

    public long dstAddrHigh()
    {
        return key.dstHigh;
    }

    public long dstAddrLow()
    {
        return key.dstLow;
    }
}
