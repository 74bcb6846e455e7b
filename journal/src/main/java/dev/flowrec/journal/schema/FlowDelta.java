package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Template 1: one flow's counts since its previous delta. The sum of a flow's deltas is what the hook
 * saw. Fixed length, no strings; encoding and decoding allocate nothing.
 * <p>
 * A flow is one-way (NetFlow/IPFIX). Addresses are 16 bytes in network order, IPv4 v4-mapped
 * ({@code ::ffff:a.b.c.d}). Ports are numbers (not network order); for ICMP/ICMPv6 srcPort is 0 and
 * dstPort is {@code type << 8 | code}. Times are UTC epoch nanoseconds. Offsets below are from the
 * start of the event, header included; all little-endian.
 * <pre>
 *   0       2       4       6       8
 *   +-------+-------+-------+-------+
 *   |schema |version|templ. |blockLen|  header: 0x4652, 1, 1, 80
 *   +-------+-------+-------+-------+-------------------------------+
 *   8  firstNs u64                  | 16 lastNs u64                 |
 *   +-------------------------------+-------------------------------+
 *  24  packets u64                  | 32 bytes u64 (layer-3 bytes)  |
 *   +-------------------------------+-------------------------------+
 *  40  srcAddr [16]                                                 |
 *   +---------------------------------------------------------------+
 *  56  dstAddr [16]                                                 |
 *   +---------------+-------+-------+---+---+---+---+---+-----------+
 *  72  ifindex i32  |srcPort|dstPort|pro|fam|dir|flg|rsn| pad (3)   |  88 = ENCODED_LENGTH
 *   +---------------+-------+-------+---+---+---+---+---+-----------+
 *   72              76      78      80  81  82  83  84  85          88
 * </pre>
 * proto: IP protocol number; fam: 4 or 6; dir: {@link #DIRECTION_IN} or {@link #DIRECTION_OUT};
 * flg: OR of TCP flags; rsn: why the delta was emitted ({@code REASON_*}); pad: zero.
 */
public final class FlowDelta extends EventFlyweight
{
    public static final int TEMPLATE_ID = 1;
    public static final int BLOCK_LENGTH = 80;
    public static final int ENCODED_LENGTH = MessageHeader.ENCODED_LENGTH + BLOCK_LENGTH;
    public static final int ADDRESS_LENGTH = 16;

    public static final int FIRST_NS_OFFSET = 8;
    public static final int LAST_NS_OFFSET = 16;
    public static final int PACKETS_OFFSET = 24;
    public static final int BYTES_OFFSET = 32;
    public static final int SRC_ADDR_OFFSET = 40;
    public static final int DST_ADDR_OFFSET = 56;
    public static final int IFINDEX_OFFSET = 72;
    public static final int SRC_PORT_OFFSET = 76;
    public static final int DST_PORT_OFFSET = 78;
    public static final int PROTO_OFFSET = 80;
    public static final int FAMILY_OFFSET = 81;
    public static final int DIRECTION_OFFSET = 82;
    public static final int TCP_FLAGS_OFFSET = 83;
    public static final int REASON_OFFSET = 84;
    public static final int PAD_OFFSET = 85;
    public static final int PAD_LENGTH = 3;

    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;
    /** TC ingress: into the interface's host (or container). */
    public static final int DIRECTION_IN = 0;
    /** TC egress. */
    public static final int DIRECTION_OUT = 1;

    /** Why a delta was emitted; the same numbers as the kernel's {@code enum fr_reason}. */
    public static final int REASON_FIRST = 1;
    public static final int REASON_INTERVAL = 2;
    public static final int REASON_FIN_RST = 3;
    public static final int REASON_IDLE = 4;
    public static final int REASON_FINAL = 5;
    public static final int REASON_PACKET = 6;
    public static final int REASON_MAP_FULL = 7;
    public static final int REASON_RACE = 8;
    public static final int REASON_OVERFLOW = 9;

    private static final long V4_MAPPED_HIGH = 0L;
    private static final long V4_MAPPED_LOW_PREFIX = 0x0000_FFFF_0000_0000L;

    public FlowDelta()
    {
        super(TEMPLATE_ID, BLOCK_LENGTH, 0);
    }

    /** Wraps an existing event for reading (and, if the buffer is mutable, in-place updates). */
    public FlowDelta wrap(final DirectBuffer buffer, final int offset)
    {
        wrapForDecode(buffer, offset);
        return this;
    }

    /** Writes the header, zeroes the block (padding included) and wraps it for encoding. */
    public FlowDelta wrapAndApplyHeader(final MutableDirectBuffer buffer, final int offset)
    {
        wrapForEncode(buffer, offset);
        return this;
    }

    public long firstNs()
    {
        return buffer.getLong(offset + FIRST_NS_OFFSET, BYTE_ORDER);
    }

    public FlowDelta firstNs(final long value)
    {
        mutableBuffer.putLong(offset + FIRST_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long lastNs()
    {
        return buffer.getLong(offset + LAST_NS_OFFSET, BYTE_ORDER);
    }

    public FlowDelta lastNs(final long value)
    {
        mutableBuffer.putLong(offset + LAST_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    /** @return wire packets in this delta (unsigned). */
    public long packets()
    {
        return buffer.getLong(offset + PACKETS_OFFSET, BYTE_ORDER);
    }

    public FlowDelta packets(final long value)
    {
        mutableBuffer.putLong(offset + PACKETS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    /** @return layer-3 bytes in this delta (unsigned). */
    public long bytes()
    {
        return buffer.getLong(offset + BYTES_OFFSET, BYTE_ORDER);
    }

    public FlowDelta bytes(final long value)
    {
        mutableBuffer.putLong(offset + BYTES_OFFSET, value, BYTE_ORDER);
        return this;
    }

    // ---- addresses: network order; high/low are the first and last 8 bytes read big-endian.

    public FlowDelta putSrcAddr(final DirectBuffer src, final int srcOffset)
    {
        mutableBuffer.putBytes(offset + SRC_ADDR_OFFSET, src, srcOffset, ADDRESS_LENGTH);
        return this;
    }

    public FlowDelta putSrcAddr(final byte[] src, final int srcOffset)
    {
        mutableBuffer.putBytes(offset + SRC_ADDR_OFFSET, src, srcOffset, ADDRESS_LENGTH);
        return this;
    }

    public FlowDelta srcAddr(final long high, final long low)
    {
        return putAddr(SRC_ADDR_OFFSET, high, low);
    }

    /** Writes {@code ::ffff:a.b.c.d}; {@code ipv4} is the address as an int in network order (a is the top byte). */
    public FlowDelta srcAddrV4(final int ipv4)
    {
        return putAddr(SRC_ADDR_OFFSET, V4_MAPPED_HIGH, V4_MAPPED_LOW_PREFIX | (ipv4 & 0xFFFF_FFFFL));
    }

    public void getSrcAddr(final MutableDirectBuffer dst, final int dstOffset)
    {
        buffer.getBytes(offset + SRC_ADDR_OFFSET, dst, dstOffset, ADDRESS_LENGTH);
    }

    public void getSrcAddr(final byte[] dst, final int dstOffset)
    {
        buffer.getBytes(offset + SRC_ADDR_OFFSET, dst, dstOffset, ADDRESS_LENGTH);
    }

    public long srcAddrHigh()
    {
        return buffer.getLong(offset + SRC_ADDR_OFFSET, BIG_ENDIAN);
    }

    public long srcAddrLow()
    {
        return buffer.getLong(offset + SRC_ADDR_OFFSET + 8, BIG_ENDIAN);
    }

    public FlowDelta putDstAddr(final DirectBuffer src, final int srcOffset)
    {
        mutableBuffer.putBytes(offset + DST_ADDR_OFFSET, src, srcOffset, ADDRESS_LENGTH);
        return this;
    }

    public FlowDelta putDstAddr(final byte[] src, final int srcOffset)
    {
        mutableBuffer.putBytes(offset + DST_ADDR_OFFSET, src, srcOffset, ADDRESS_LENGTH);
        return this;
    }

    public FlowDelta dstAddr(final long high, final long low)
    {
        return putAddr(DST_ADDR_OFFSET, high, low);
    }

    /** Writes {@code ::ffff:a.b.c.d}; {@code ipv4} is the address as an int in network order (a is the top byte). */
    public FlowDelta dstAddrV4(final int ipv4)
    {
        return putAddr(DST_ADDR_OFFSET, V4_MAPPED_HIGH, V4_MAPPED_LOW_PREFIX | (ipv4 & 0xFFFF_FFFFL));
    }

    public void getDstAddr(final MutableDirectBuffer dst, final int dstOffset)
    {
        buffer.getBytes(offset + DST_ADDR_OFFSET, dst, dstOffset, ADDRESS_LENGTH);
    }

    public void getDstAddr(final byte[] dst, final int dstOffset)
    {
        buffer.getBytes(offset + DST_ADDR_OFFSET, dst, dstOffset, ADDRESS_LENGTH);
    }

    public long dstAddrHigh()
    {
        return buffer.getLong(offset + DST_ADDR_OFFSET, BIG_ENDIAN);
    }

    public long dstAddrLow()
    {
        return buffer.getLong(offset + DST_ADDR_OFFSET + 8, BIG_ENDIAN);
    }

    private FlowDelta putAddr(final int fieldOffset, final long high, final long low)
    {
        mutableBuffer.putLong(offset + fieldOffset, high, BIG_ENDIAN);
        mutableBuffer.putLong(offset + fieldOffset + 8, low, BIG_ENDIAN);
        return this;
    }

    // ---- key scalars

    public int ifindex()
    {
        return buffer.getInt(offset + IFINDEX_OFFSET, BYTE_ORDER);
    }

    public FlowDelta ifindex(final int value)
    {
        mutableBuffer.putInt(offset + IFINDEX_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public int srcPort()
    {
        return buffer.getShort(offset + SRC_PORT_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public FlowDelta srcPort(final int value)
    {
        mutableBuffer.putShort(offset + SRC_PORT_OFFSET, (short)value, BYTE_ORDER);
        return this;
    }

    public int dstPort()
    {
        return buffer.getShort(offset + DST_PORT_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public FlowDelta dstPort(final int value)
    {
        mutableBuffer.putShort(offset + DST_PORT_OFFSET, (short)value, BYTE_ORDER);
        return this;
    }

    public int proto()
    {
        return buffer.getByte(offset + PROTO_OFFSET) & 0xFF;
    }

    public FlowDelta proto(final int value)
    {
        mutableBuffer.putByte(offset + PROTO_OFFSET, (byte)value);
        return this;
    }

    public int family()
    {
        return buffer.getByte(offset + FAMILY_OFFSET) & 0xFF;
    }

    public FlowDelta family(final int value)
    {
        mutableBuffer.putByte(offset + FAMILY_OFFSET, (byte)value);
        return this;
    }

    public int direction()
    {
        return buffer.getByte(offset + DIRECTION_OFFSET) & 0xFF;
    }

    public FlowDelta direction(final int value)
    {
        mutableBuffer.putByte(offset + DIRECTION_OFFSET, (byte)value);
        return this;
    }

    public int tcpFlags()
    {
        return buffer.getByte(offset + TCP_FLAGS_OFFSET) & 0xFF;
    }

    public FlowDelta tcpFlags(final int value)
    {
        mutableBuffer.putByte(offset + TCP_FLAGS_OFFSET, (byte)value);
        return this;
    }

    public int reason()
    {
        return buffer.getByte(offset + REASON_OFFSET) & 0xFF;
    }

    public FlowDelta reason(final int value)
    {
        mutableBuffer.putByte(offset + REASON_OFFSET, (byte)value);
        return this;
    }
}
