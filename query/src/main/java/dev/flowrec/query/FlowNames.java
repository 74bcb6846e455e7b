package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;

/**
 * The names of one delta's addresses: its flow's, as {@link Replay} named the flow's first delta in the window (looked
 * up in a {@link PeerNames} at that delta's first packet, on its interface), and kept for the rest of the call.
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

    /** Names the delta as its flow was named: by the flow's first delta, not looked up again. */
    void keep(final String srcName, final String dstName)
    {
        this.srcName = srcName;
        this.dstName = dstName;
    }

    /** The source address's name, "" for none. */
    public String srcName()
    {
        if (srcName == null)
        {
            srcName = table == null ? "" : table.nameOf(FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta),
                delta.ifindex(), delta.firstNs(), FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta));
        }
        return srcName;
    }

    /** The destination address's name, "" for none. */
    public String dstName()
    {
        if (dstName == null)
        {
            dstName = table == null ? "" : table.nameOf(FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta),
                delta.ifindex(), delta.firstNs(), FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta));
        }
        return dstName;
    }
}
