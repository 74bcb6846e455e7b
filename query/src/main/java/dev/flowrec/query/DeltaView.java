package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;

/** One journaled delta seen as a {@link FlowView}, for filtering before folding; reused, never allocated per delta. */
public final class DeltaView implements FlowView
{
    private FlowDeltaDecoder delta;
    private String iface;
    private String container;
    private Owner owner = Owner.NONE;
    private FlowNames names = FlowNames.NONE;

    public DeltaView wrap(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner)
    {
        return wrap(delta, iface, container, owner, FlowNames.NONE);
    }

    public DeltaView wrap(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner,
        final FlowNames names)
    {
        this.delta = delta;
        this.iface = iface;
        this.container = container;
        this.owner = owner;
        this.names = names;
        return this;
    }

    public String srcName()
    {
        return names.srcName();
    }

    public String dstName()
    {
        return names.dstName();
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
        return FlowDeltas.srcAddrHigh(delta);
    }

    public long srcAddrLow()
    {
        return FlowDeltas.srcAddrLow(delta);
    }

    public long dstAddrHigh()
    {
        return FlowDeltas.dstAddrHigh(delta);
    }

    public long dstAddrLow()
    {
        return FlowDeltas.dstAddrLow(delta);
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

    public int pid()
    {
        return owner.pid();
    }

    public String comm()
    {
        return owner.comm();
    }
}
