package dev.flowrec.recorder.live;

import dev.flowrec.query.Owner;

/** A tracked flow: its recent per-second counts and its place in the table's least-recently-updated list. */
final class Flow
{
    /** The 10 s window plus the second being filled, rounded up to a power of two. */
    static final int BUCKETS = 16;

    final FlowId id;
    final Iface iface;
    final RateRing rate = new RateRing(BUCKETS);
    long lastNs;
    /** The OR of the TCP flags of the tuple's current flow: a SYN after FIN/RST begins the next one. */
    int tcpFlags;
    /** The process owning the flow's local socket, as the run's latest SocketOwner event for its key named it. */
    Owner owner = Owner.NONE;
    /** The names of its addresses when the tuple's current flow began (PeerNames); null until its first delta names them. */
    String srcName;
    String dstName;
    Flow older;
    Flow newer;
    /** Bytes and packets of the last 10 s, computed once per publish for ranking. */
    long rankBytes;
    long rankPackets;

    Flow(final FlowId id, final Iface iface)
    {
        this.id = id;
        this.iface = iface;
    }
}
