package dev.flowrec.query;

/** One flow of a listing: its key and its deltas summed. */
public final class FlowRow
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
}
