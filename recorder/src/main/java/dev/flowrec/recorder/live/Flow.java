package dev.flowrec.recorder.live;

import dev.flowrec.query.Owner;

/** A tracked flow: its recent per-second counts and its place in the table's least-recently-updated list. */
final class Flow
{
    /** The 10 s window plus the second being filled. */
    static final int BUCKETS = 11;

    final FlowId id;
    /** The id's hash, for the table's index. */
    int hash;
    Iface iface;
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

    Flow(final FlowId id, final int hash, final Iface iface)
    {
        this.id = id;
        this.hash = hash;
        this.iface = iface;
    }

    /** Makes this object, already out of the table, the fresh state of another flow: the table recycles, not allocates. */
    Flow reuse(final FlowId newId, final int newHash, final Iface newIface)
    {
        newId.copyInto(id);
        hash = newHash;
        iface = newIface;
        rate.clear();
        lastNs = 0;
        tcpFlags = 0;
        owner = Owner.NONE;
        rankBytes = 0;
        rankPackets = 0;
        return this;
    }
}
