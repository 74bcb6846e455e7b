package dev.flowrec.journal.schema;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * What the generated FlowDelta codecs cannot say: the values of its small fields, and its addresses as an
 * IPv4 int or as two longs. Addresses are 16 bytes in network order, IPv4 v4-mapped ({@code ::ffff:a.b.c.d});
 * high and low are their first and last 8 bytes read big-endian (the schema's byte order is little-endian).
 */
public final class FlowDeltas
{
    public static final int ADDRESS_LENGTH = 16;

    public static final short FAMILY_IPV4 = 4;
    public static final short FAMILY_IPV6 = 6;
    /** TC ingress: into the interface's host (or container). */
    public static final short DIRECTION_IN = 0;
    /** TC egress. */
    public static final short DIRECTION_OUT = 1;

    /** Why a delta was emitted; the same numbers as the kernel's {@code enum fr_reason}. */
    public static final short REASON_FIRST = 1;
    public static final short REASON_INTERVAL = 2;
    public static final short REASON_FIN_RST = 3;
    public static final short REASON_IDLE = 4;
    public static final short REASON_FINAL = 5;
    public static final short REASON_PACKET = 6;
    public static final short REASON_MAP_FULL = 7;
    public static final short REASON_RACE = 8;
    public static final short REASON_OVERFLOW = 9;

    private static final long V4_MAPPED_LOW_PREFIX = 0x0000_FFFF_0000_0000L;

    private FlowDeltas()
    {
    }

    /**
     * Writes both addresses as {@code ::ffff:a.b.c.d}; each IPv4 address is an int in network order (a is the top
     * byte).
     */
    public static FlowDeltaEncoder addressesV4(final FlowDeltaEncoder delta, final int srcIpv4, final int dstIpv4)
    {
        return addresses(delta, 0, V4_MAPPED_LOW_PREFIX | (srcIpv4 & 0xFFFF_FFFFL),
            0, V4_MAPPED_LOW_PREFIX | (dstIpv4 & 0xFFFF_FFFFL));
    }

    /** Writes both addresses, each as its first and last 8 bytes read big-endian. */
    public static FlowDeltaEncoder addresses(
        final FlowDeltaEncoder delta, final long srcHigh, final long srcLow, final long dstHigh, final long dstLow)
    {
        final MutableDirectBuffer buffer = delta.buffer();
        final int src = delta.offset() + FlowDeltaEncoder.srcAddrEncodingOffset();
        final int dst = delta.offset() + FlowDeltaEncoder.dstAddrEncodingOffset();
        buffer.putLong(src, srcHigh, BIG_ENDIAN);
        buffer.putLong(src + 8, srcLow, BIG_ENDIAN);
        buffer.putLong(dst, dstHigh, BIG_ENDIAN);
        buffer.putLong(dst + 8, dstLow, BIG_ENDIAN);
        return delta;
    }

    public static long srcAddrHigh(final FlowDeltaDecoder delta)
    {
        return delta.buffer().getLong(delta.offset() + FlowDeltaDecoder.srcAddrEncodingOffset(), BIG_ENDIAN);
    }

    public static long srcAddrLow(final FlowDeltaDecoder delta)
    {
        return delta.buffer().getLong(delta.offset() + FlowDeltaDecoder.srcAddrEncodingOffset() + 8, BIG_ENDIAN);
    }

    public static long dstAddrHigh(final FlowDeltaDecoder delta)
    {
        return delta.buffer().getLong(delta.offset() + FlowDeltaDecoder.dstAddrEncodingOffset(), BIG_ENDIAN);
    }

    public static long dstAddrLow(final FlowDeltaDecoder delta)
    {
        return delta.buffer().getLong(delta.offset() + FlowDeltaDecoder.dstAddrEncodingOffset() + 8, BIG_ENDIAN);
    }
}
