package dev.flowrec.bpf;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * The flow key every ring record of the kernel begins with ({@code struct fr_flow_key}, flowrec.h): addresses,
 * ifindex, ports, protocol, family and direction, at the same offsets in a delta ({@link FlowEventDecoder}), a
 * socket owner ({@link OwnerEventDecoder}) and a DNS response ({@link DnsEventDecoder}), each of which extends it with
 * the rest of its record. All fields little-endian; addresses are 16 bytes, IPv4 stored v4-mapped
 * ({@code ::ffff:a.b.c.d}); ports in host order, ICMP type/code as dport {@code type << 8 | code}. The accessors are
 * final and the decoders final classes, so a call through a decoder's own type is as direct as before they shared
 * them. KernelMirrorTest compares the offsets with what the compiler says (through each decoder).
 *
 * <pre>
 *   0                16               32      36      38      40  41  42  43  44
 *   +----------------+----------------+-------+-------+-------+---+---+---+---+
 *   | src addr (16)  | dst addr (16)  |ifindex| sport | dport |pro|fam|dir|pad|
 *   +----------------+----------------+-------+-------+-------+---+---+---+---+
 * </pre>
 */
public abstract class FlowKeyDecoder
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    public static final int SRC_OFFSET = 0;
    public static final int SRC_LENGTH = 16;
    public static final int DST_OFFSET = 16;
    public static final int DST_LENGTH = 16;
    public static final int IFINDEX_OFFSET = 32;
    public static final int SPORT_OFFSET = 36;
    public static final int DPORT_OFFSET = 38;
    public static final int PROTO_OFFSET = 40;
    public static final int FAMILY_OFFSET = 41;
    public static final int DIRECTION_OFFSET = 42;

    DirectBuffer buffer;
    int offset;

    FlowKeyDecoder()
    {
    }

    final void wrapKey(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
    }

    public final DirectBuffer buffer()
    {
        return buffer;
    }

    public final int offset()
    {
        return offset;
    }

    public final int ifindex()
    {
        return buffer.getInt(offset + IFINDEX_OFFSET, BYTE_ORDER);
    }

    public final int sport()
    {
        return buffer.getShort(offset + SPORT_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public final int dport()
    {
        return buffer.getShort(offset + DPORT_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /** IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, ...). */
    public final int proto()
    {
        return buffer.getByte(offset + PROTO_OFFSET) & 0xFF;
    }

    /** 4 or 6. */
    public final int family()
    {
        return buffer.getByte(offset + FAMILY_OFFSET) & 0xFF;
    }

    /** {@link FlowEventDecoder#DIRECTION_IN} or {@link FlowEventDecoder#DIRECTION_OUT}. */
    public final int direction()
    {
        return buffer.getByte(offset + DIRECTION_OFFSET) & 0xFF;
    }
}
