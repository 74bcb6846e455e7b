package dev.flowrec.recorder;

import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.Reasons;
import dev.flowrec.journal.text.Sizes;
import java.util.Locale;

/**
 * What one run handed the journal, for the line the recorder says when it stops: flows (in flow mode, the kernel's
 * first sight of a flow: a flow that went quiet and returns is a new one, as NetFlow counts), events (packet mode),
 * packets and bytes of every delta, and the loss of its last loss report. Recorder thread only; no allocation
 * per delta.
 */
final class RunTotals
{
    private long flows;
    private long deltas;
    private long packets;
    private long bytes;
    private long ringLostEvents;
    private long ringLostPackets;
    private long ringLostBytes;
    private long journalLostEvents;

    void onDelta(final long packets, final long bytes, final int reason)
    {
        this.packets += packets;
        this.bytes += bytes;
        deltas++;
        if (reason == Reasons.FIRST)
        {
            flows++;
        }
    }

    /** @param counters the kernel's cumulative counters as journaled in the run's loss report */
    void onLoss(final long[] counters, final long journalLostEvents)
    {
        this.ringLostEvents = counters[KernelCounters.RB_LOST_EVENTS];
        this.ringLostPackets = counters[KernelCounters.RB_LOST_PACKETS];
        this.ringLostBytes = counters[KernelCounters.RB_LOST_BYTES];
        this.journalLostEvents = journalLostEvents;
    }

    /**
     * One line: "stopped after 12.3 s: 4 flows, 40000 packets, 3360000 bytes (3.2 MiB) recorded; loss: none" (packet
     * mode: "40000 packet events" for the flows).
     */
    String line(final long elapsedNs, final boolean packetMode)
    {
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "stopped after %.1f s: %s, %d packets, "
            + "%d bytes (%s) recorded; loss: ", elapsedNs / 1e9, packetMode ? deltas + " packet events" : flows + " flows",
            packets, bytes, Sizes.human(bytes)));
        if (ringLostEvents == 0 && journalLostEvents == 0)
        {
            return sb.append("none").toString();
        }
        if (ringLostEvents > 0)
        {
            sb.append("lost ").append(ringLostEvents).append(" deltas (").append(ringLostPackets).append(" packets, ")
                .append(ringLostBytes).append(" bytes) in the full ring buffer");
        }
        if (journalLostEvents > 0)
        {
            sb.append(ringLostEvents > 0 ? ", " : "").append(journalLostEvents).append(" events not written (disk short of space)");
        }
        return sb.toString();
    }
}
