package dev.flowrec.recorder.live;

import dev.flowrec.journal.schema.FlowDeltas;

/** One recorded interface's totals and per-second rates, rx = direction in, tx = direction out as journaled. */
final class Iface
{
    /** 60 s windows plus the second being filled. */
    static final int BUCKETS = 61;

    final int ifindex;
    String name;
    String container;
    boolean detached;
    /** Event time of the latest delta, UTC epoch ns; how long a detached interface has been quiet. */
    long lastNs;
    long rxBytes;
    long rxPackets;
    long txBytes;
    long txPackets;
    final RateRing rx = new RateRing(BUCKETS);
    final RateRing tx = new RateRing(BUCKETS);

    Iface(final int ifindex, final String name, final String container)
    {
        this.ifindex = ifindex;
        this.name = name;
        this.container = container;
    }

    void add(final int direction, final long lastNs, final long second, final long bytes, final long packets)
    {
        this.lastNs = Math.max(this.lastNs, lastNs);
        if (direction == FlowDeltas.DIRECTION_IN)
        {
            rxBytes += bytes;
            rxPackets += packets;
            rx.add(second, bytes, packets);
        }
        else
        {
            txBytes += bytes;
            txPackets += packets;
            tx.add(second, bytes, packets);
        }
    }
}
