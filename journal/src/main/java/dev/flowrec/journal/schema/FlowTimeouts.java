package dev.flowrec.journal.schema;

import java.util.concurrent.TimeUnit;

/**
 * Where one flow of a 5-tuple ends and the next begins, as NetFlow exporters cut them: after the tuple was quiet for
 * longer than the inactive timeout, and at a TCP SYN once the flow saw a FIN or RST. Every reader of deltas (the
 * query engine's fold and the live view) cuts by this one rule, at delta granularity: a delta is never split.
 */
public final class FlowTimeouts
{
    /** NetFlow's usual inactive timeout (softflowd's and nfcapd's default is 15 s too). */
    public static final long DEFAULT_INACTIVE_NS = TimeUnit.SECONDS.toNanos(15);

    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;

    private FlowTimeouts()
    {
    }

    /**
     * @param lastNs     the flow's last packet so far
     * @param flowFlags  the OR of the flow's TCP flags so far
     * @param firstNs    the next delta's first packet
     * @param flags      the next delta's TCP flags
     * @param inactiveNs the inactive timeout
     * @return whether the next delta begins a new flow instead of adding to this one
     */
    public static boolean startsNewFlow(final long lastNs, final int flowFlags, final long firstNs, final int flags,
        final long inactiveNs)
    {
        return firstNs - lastNs > inactiveNs || (flags & TCP_SYN) != 0 && (flowFlags & (TCP_FIN | TCP_RST)) != 0;
    }
}
