package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDelta;

/** One journaled delta seen as a {@link FlowView}, for filtering before folding; reused, never allocated per delta. */
public final class DeltaView implements FlowView
{
    private FlowDelta delta;
    private String iface;
    private String container;

    public DeltaView wrap(final FlowDelta delta, final String iface, final String container)
    {
        this.delta = delta;
        this.iface = iface;
        this.container = container;
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
        return delta.direction();
    }

    public int family()
    {
        return delta.family();
    }

    public int proto()
    {
        return delta.proto();
    }

    public int srcPort()
    {
        return delta.srcPort();
    }

    public int dstPort()
    {
        return delta.dstPort();
    }

    public long srcAddrHigh()
    {
        return delta.srcAddrHigh();
    }

    public long srcAddrLow()
    {
        return delta.srcAddrLow();
    }

    public long dstAddrHigh()
    {
        return delta.dstAddrHigh();
    }

    public long dstAddrLow()
    {
        return delta.dstAddrLow();
    }

    public long packets()
    {
        return delta.packets();
    }

    public long bytes()
    {
        return delta.bytes();
    }

    public int tcpFlags()
    {
        return delta.tcpFlags();
    }
}
