package dev.flowrec.bpf;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * Flyweight over {@code struct fr_dns_event} (flowrec.h): a DNS response (QR set, UDP or TCP from port 53) with
 * the first {@link #PAYLOAD_CAPACITY} bytes of its L4 payload, the only payload the kernel hands over. Its length
 * differs from a delta's and an owner record's, which is how the ring's reader tells them apart. The key is laid out
 * as a delta's: src is the answering server, dst the client. Over TCP the payload starts with the 2-byte length
 * prefix of RFC 1035 4.2.2 ({@link #messageOffset()} steps over it). KernelMirrorTest compares every constant with
 * what the compiler says.
 *
 * <pre>
 *   0          44       46            48        56             64
 *   +----------+--------+-------------+---------+--------------+--------------------------+
 *   | key (44) | length | wire_length | time_ns | netns_cookie | payload (2048)           |
 *   +----------+--------+-------------+---------+--------------+--------------------------+
 * </pre>
 */
public final class DnsEventDecoder extends FlowKeyDecoder
{
    public static final int PAYLOAD_CAPACITY = 2048;
    public static final int LENGTH = 64 + PAYLOAD_CAPACITY;

    public static final int LENGTH_OFFSET = 44;
    public static final int WIRE_LENGTH_OFFSET = 46;
    public static final int TIME_NS_OFFSET = 48;
    public static final int NETNS_COOKIE_OFFSET = 56;
    public static final int PAYLOAD_OFFSET = 64;
    public static final int PAYLOAD_LENGTH = PAYLOAD_CAPACITY;

    private static final int TCP = 6;
    private static final int TCP_PREFIX = 2;

    public DnsEventDecoder wrap(final DirectBuffer buffer, final int offset)
    {
        wrapKey(buffer, offset);
        return this;
    }

    /** Payload bytes copied, at most {@link #PAYLOAD_CAPACITY}. */
    public int length()
    {
        return Math.min(buffer.getShort(offset + LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF, PAYLOAD_CAPACITY);
    }

    /** The packet's L4 payload bytes: more than {@link #length()} when the capture cut the response short. */
    public int wireLength()
    {
        return buffer.getShort(offset + WIRE_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /** Boot-time ns of the packet. */
    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    public long netnsCookie()
    {
        return buffer.getLong(offset + NETNS_COOKIE_OFFSET, BYTE_ORDER);
    }

    /** Where the DNS message starts in {@link #buffer()}: the payload, after the length prefix over TCP. */
    public int messageOffset()
    {
        return offset + PAYLOAD_OFFSET + (proto() == TCP ? TCP_PREFIX : 0);
    }

    /** The DNS message's bytes copied (0 when a TCP payload is shorter than its prefix). */
    public int messageLength()
    {
        return Math.max(0, length() - (proto() == TCP ? TCP_PREFIX : 0));
    }

    /**
     * The DNS message's whole length: over TCP the prefix's, else the UDP payload's; more than {@link #messageLength()}
     * when the capture or the segment holds only its start.
     */
    public int messageWireLength()
    {
        if (proto() == TCP)
        {
            return length() < TCP_PREFIX ? 0 : buffer.getShort(offset + PAYLOAD_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        return wireLength();
    }

    public String toString()
    {
        if (buffer == null)
        {
            return "DnsEventDecoder{unwrapped}";
        }
        return "DnsEvent{if=" + ifindex() + " dir=" + direction() + " fam=" + family() + " proto=" + proto() +
            " sport=" + sport() + " dport=" + dport() + " length=" + length() + " wire=" + wireLength() +
            " time=" + timeNs() + "}";
    }
}
