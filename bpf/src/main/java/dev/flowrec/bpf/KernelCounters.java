package dev.flowrec.bpf;

/**
 * Indices of the kernel's per-CPU counters map, mirroring {@code enum fr_counter} in flowrec.h: each constant is
 * named as its member without the {@code FR_C_} prefix (KernelMirrorTest compiles the header and compares them).
 */
public final class KernelCounters
{
    /** IP packets counted, as wire packets. */
    public static final int PACKETS_SEEN = 0;
    /** Their layer-3 bytes. */
    public static final int BYTES_SEEN = 1;
    /** Ring buffer full: deltas that could not be kept. */
    public static final int RB_LOST_EVENTS = 2;
    public static final int RB_LOST_PACKETS = 3;
    public static final int RB_LOST_BYTES = 4;
    /** Ring buffer full: a delta left in the flow map for a later flush (nothing lost). */
    public static final int RB_DEFERRED = 5;
    /** Flow map full: packets emitted alone instead. */
    public static final int MAP_FULL = 6;
    /** Frames that are not IPv4/IPv6. */
    public static final int NON_IP = 7;
    /** IP frames whose headers are truncated or bogus. */
    public static final int MALFORMED = 8;
    /** VLAN tags or IPv6 extension headers nested deeper than the parser follows: not counted as flows. */
    public static final int TOO_DEEP = 9;
    /** Flow entries created with the owner of their local socket: an owner record went ahead of their first delta. */
    public static final int OWNER_FOUND = 10;
    /** Flow entries created with no owner record (no local socket, one whose owner was never seen, a full ring). */
    public static final int OWNER_NONE = 11;
    /** DNS responses not handed to user space: the ring buffer was full (journaled in DnsCounters, not LossReport). */
    public static final int DNS_LOST = 12;
    /**
     * DNS responses that answer no query the host was seen asking (forged, or asked before the recorder ran): never
     * handed to user space. Shown in /metrics only (DnsCounters keeps its layout).
     */
    public static final int DNS_UNSOLICITED = 13;
    public static final int COUNT = 14;

    private static final String[] NAMES = {
        "packets_seen", "bytes_seen", "rb_lost_events", "rb_lost_packets", "rb_lost_bytes", "rb_deferred",
        "map_full", "non_ip", "malformed", "too_deep", "owner_found", "owner_none", "dns_lost", "dns_unsolicited" };

    private KernelCounters()
    {
    }

    /** The lower_snake name of a counter index. */
    public static String name(final int index)
    {
        if (index < 0 || index >= COUNT)
        {
            throw new IllegalArgumentException("no kernel counter " + index);
        }
        return NAMES[index];
    }
}
