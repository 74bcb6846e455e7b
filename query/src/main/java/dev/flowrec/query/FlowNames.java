package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;

/**
 * The names of one delta's addresses, looked up in a {@link PeerNames} only when asked (a fold that names only a new
 * flow, or a filter without a name term, pays nothing for the other deltas) and kept for the rest of the call.
 * Reused, never allocated per delta; valid only during the fold's call, as the delta is.
 */
public final class FlowNames
{
    /** No names: every lookup is "". */
    public static final FlowNames NONE = new FlowNames();

    private PeerNames table;
    private FlowDeltaDecoder delta;
    private String srcName;
    private String dstName;

    /** Names the delta's addresses from {@code table} (null: none) at its first packet, on its interface. */
    public FlowNames wrap(final PeerNames table, final FlowDeltaDecoder delta)
    {
        this.table = table;
        this.delta = delta;
        this.srcName = null;
        this.dstName = null;
        return this;
    }

    /** The source address's name, "" for none. */
    public String srcName()
    {
        if (srcName == null)
        {
            srcName = table == null ? "" : table.nameOf(FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta),
                delta.ifindex(), delta.firstNs());
        }
        return srcName;
    }

    /** The destination address's name, "" for none. */
    public String dstName()
    {
        if (dstName == null)
        {
            dstName = table == null ? "" : table.nameOf(FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta),
                delta.ifindex(), delta.firstNs());
        }
        return dstName;
    }
}
