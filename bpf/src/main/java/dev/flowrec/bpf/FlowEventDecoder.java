package dev.flowrec.bpf;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * Flyweight over {@code struct fr_flow_event} (flowrec.h), one flow delta as the kernel wrote it. All fields
 * little-endian; addresses are 16 bytes, IPv4 stored v4-mapped ({@code ::ffff:a.b.c.d}); ports in host order,
 * ICMP type/code as dport {@code type << 8 | code}. The constants are named after the C ones ({@code key.sport}
 * → {@link #SPORT_OFFSET}, {@code FR_DIR_IN} → {@link #DIRECTION_IN}): KernelMirrorTest compiles flowrec.h and
 * compares every one with what the compiler says.
 *
 * <pre>
 *   0                16               32      36      38      40  41  42  43  44  45  46  48
 *   +----------------+----------------+-------+-------+-------+---+---+---+---+---+---+---+
 *   | src addr (16)  | dst addr (16)  |ifindex| sport | dport |pro|fam|dir|pad|flg|rsn|pad|
 *   +----------------+----------------+-------+-------+-------+---+---+---+---+---+---+---+
 *  48               56               64               72               80
 *   +----------------+----------------+----------------+----------------+
 *   | packets        | bytes (L3)     | first_ns (boot)| last_ns (boot) |
 *   +----------------+----------------+----------------+----------------+
 * </pre>
 */
public final class FlowEventDecoder extends FlowKeyDecoder
{
    public static final int LENGTH = 80;

    public static final int TCP_FLAGS_OFFSET = 44;
    public static final int REASON_OFFSET = 45;
    public static final int PACKETS_OFFSET = 48;
    public static final int BYTES_OFFSET = 56;
    public static final int FIRST_NS_OFFSET = 64;
    public static final int LAST_NS_OFFSET = 72;

    /** direction(): TC ingress, into the interface's host ({@code FR_DIR_IN}). */
    public static final int DIRECTION_IN = 0;
    /** direction(): TC egress ({@code FR_DIR_OUT}). */
    public static final int DIRECTION_OUT = 1;

    public FlowEventDecoder wrap(final DirectBuffer buffer, final int offset)
    {
        wrapKey(buffer, offset);
        return this;
    }

    /** Copies the 16-byte source address into dst16[0..16). */
    public void srcAddr(final byte[] dst16)
    {
        buffer.getBytes(offset + SRC_OFFSET, dst16, 0, SRC_LENGTH);
    }

    /** Copies the 16-byte destination address into dst16[0..16). */
    public void dstAddr(final byte[] dst16)
    {
        buffer.getBytes(offset + DST_OFFSET, dst16, 0, SRC_LENGTH);
    }

    /** The IPv4 source address as a big-endian int (10.0.0.1 = 0x0A000001); meaningful when family() == 4. */
    public int srcIpv4()
    {
        return buffer.getInt(offset + SRC_OFFSET + 12, ByteOrder.BIG_ENDIAN);
    }

    /** The IPv4 destination address as a big-endian int; meaningful when family() == 4. */
    public int dstIpv4()
    {
        return buffer.getInt(offset + DST_OFFSET + 12, ByteOrder.BIG_ENDIAN);
    }

    /** OR of the TCP flags of this delta's packets. */
    public int tcpFlags()
    {
        return buffer.getByte(offset + TCP_FLAGS_OFFSET) & 0xFF;
    }

    /** One of {@link Reasons}. */
    public int reason()
    {
        return buffer.getByte(offset + REASON_OFFSET) & 0xFF;
    }

    /** Wire packets in this delta. */
    public long packets()
    {
        return buffer.getLong(offset + PACKETS_OFFSET, BYTE_ORDER);
    }

    /** Layer-3 bytes on the wire in this delta. */
    public long bytes()
    {
        return buffer.getLong(offset + BYTES_OFFSET, BYTE_ORDER);
    }

    /** First packet of this delta, boot-time ns. */
    public long firstNs()
    {
        return buffer.getLong(offset + FIRST_NS_OFFSET, BYTE_ORDER);
    }

    /** Last packet of this delta, boot-time ns. */
    public long lastNs()
    {
        return buffer.getLong(offset + LAST_NS_OFFSET, BYTE_ORDER);
    }

    /** For diagnostics; allocates. */
    public String toString()
    {
        if (buffer == null)
        {
            return "FlowEventDecoder{unwrapped}";
        }
        return "FlowEvent{if=" + ifindex() + " dir=" + direction() + " fam=" + family() + " proto=" + proto() +
            " " + address(SRC_OFFSET) + ":" + sport() + " > " + address(DST_OFFSET) + ":" + dport() +
            " flags=0x" + Integer.toHexString(tcpFlags()) + " reason=" + Reasons.name(reason()) +
            " packets=" + packets() + " bytes=" + bytes() + " first=" + firstNs() + " last=" + lastNs() + "}";
    }

    private String address(final int fieldOffset)
    {
        final byte[] addr = new byte[SRC_LENGTH];
        buffer.getBytes(offset + fieldOffset, addr);
        if (family() == 4)
        {
            return (addr[12] & 0xFF) + "." + (addr[13] & 0xFF) + "." + (addr[14] & 0xFF) + "." + (addr[15] & 0xFF);
        }
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < SRC_LENGTH; i += 2)
        {
            text.append(i == 0 ? "" : ":").append(Integer.toHexString(((addr[i] & 0xFF) << 8) | (addr[i + 1] & 0xFF)));
        }
        return text.toString();
    }
}
