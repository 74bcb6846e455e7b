package dev.flowrec.ipfix;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes one IPFIX message (RFC 7011 section 3) at a time into a buffer of {@link #MAX_MESSAGE_LENGTH} bytes: a
 * template message ({@link #templates}) or data records of flow deltas ({@link #add}), in network byte order.
 * <pre>
 *   message header (16)   | version = 10 u16 | length u16 | exportTime u32 (s) | sequenceNumber u32 | domain u32 |
 *   set header (4)        | setId u16 (2: templates; 256-259: data) | length u16 |
 *   template record       | templateId u16 | fieldCount u16 | {id u16 | length u16 [| enterprise u32]} ... |
 *   data record           | the template's fields in order; a string is {length u8, UTF-8 bytes}
 * </pre>
 * Consecutive records of one template share a data set; a record of another template opens a new set. Strings are
 * cut to {@link #MAX_STRING_BYTES} at a character boundary. Single-threaded; allocates only when it meets a string
 * for the first time (interface, container and command names repeat).
 */
public final class MessageEncoder
{
    /** Fits one Ethernet frame over IPv6 and most tunnels: an IPFIX message over UDP must not be fragmented. */
    public static final int MAX_MESSAGE_LENGTH = 1400;
    public static final int VERSION = 10;
    public static final int HEADER_LENGTH = 16;
    public static final int SET_HEADER_LENGTH = 4;
    public static final int TEMPLATE_SET_ID = 2;
    static final int MAX_STRING_BYTES = 254;
    private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;
    private static final byte[] EMPTY = new byte[0];

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX_MESSAGE_LENGTH]);
    private final Map<String, byte[]> strings = new HashMap<>();
    private int length = HEADER_LENGTH;
    private int setStart = -1;
    /** The open set's id, -1 when none is open. */
    private int setId = -1;
    private int records;
    private long firstRecordNs;

    /** The message's bytes so far; valid until the next call. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    public int length()
    {
        return length;
    }

    /** Data records in the message. */
    public int records()
    {
        return records;
    }

    public boolean isEmpty()
    {
        return length == HEADER_LENGTH;
    }

    /** When (the caller's clock) the message's first record was added. */
    public long firstRecordNs()
    {
        return firstRecordNs;
    }

    /** Starts a new, empty message. */
    public void reset()
    {
        length = HEADER_LENGTH;
        setStart = -1;
        setId = -1;
        records = 0;
    }

    /** Makes the message a template set of the four record templates (on an empty message). */
    public void templates()
    {
        reset();
        openSet(TEMPLATE_SET_ID);
        for (final RecordTemplate template : RecordTemplate.values())
        {
            buffer.putShort(length, (short)template.id, ORDER);
            buffer.putShort(length + 2, (short)template.fields.length, ORDER);
            length += 4;
            for (final int[] field : template.fields)
            {
                final boolean enterprise = field[2] != 0;
                buffer.putShort(length, (short)(field[0] | (enterprise ? 0x8000 : 0)), ORDER);
                buffer.putShort(length + 2, (short)field[1], ORDER);
                length += 4;
                if (enterprise)
                {
                    buffer.putInt(length, field[2], ORDER);
                    length += 4;
                }
            }
        }
        closeSet();
    }

    /**
     * Adds the delta as a data record.
     *
     * @param nowNs when, by the caller's clock, for {@link #firstRecordNs}
     * @return false, leaving the message as it was, when the record does not fit: send the message first
     */
    public boolean add(final FlowDeltaDecoder delta, final String iface, final String container, final int pid,
        final String comm, final long nowNs)
    {
        final RecordTemplate template = RecordTemplate.of(delta.family() == 6 ? 6 : 4, delta.direction() & 1);
        final byte[] ifname = bytes(iface);
        final byte[] containerBytes = bytes(container);
        final byte[] commBytes = bytes(comm);
        final boolean newSet = setId != template.id;
        final int recordLength = template.fixedLength + 3 + ifname.length + containerBytes.length + 4 + commBytes.length;
        if (length + (newSet ? SET_HEADER_LENGTH : 0) + recordLength > MAX_MESSAGE_LENGTH)
        {
            return false;
        }
        if (newSet)
        {
            closeSet();
            openSet(template.id);
        }
        if (records == 0)
        {
            firstRecordNs = nowNs;
        }
        int at = length;
        final int addressLength = template.family == 4 ? 4 : 16;
        final int skip = FlowDeltas.ADDRESS_LENGTH - addressLength; // IPv4 is journaled v4-mapped
        for (int i = 0; i < addressLength; i++)
        {
            buffer.putByte(at + i, (byte)delta.srcAddr(skip + i));
            buffer.putByte(at + addressLength + i, (byte)delta.dstAddr(skip + i));
        }
        at += 2 * addressLength;
        buffer.putShort(at, (short)delta.srcPort(), ORDER);
        buffer.putShort(at + 2, (short)delta.dstPort(), ORDER);
        final short proto = delta.proto();
        buffer.putByte(at + 4, (byte)proto);
        buffer.putShort(at + 5, (short)delta.tcpFlags(), ORDER);
        final boolean icmp = proto == 1 || proto == 58;
        buffer.putShort(at + 7, (short)(icmp ? delta.dstPort() : 0), ORDER);
        buffer.putLong(at + 9, delta.packets(), ORDER);
        buffer.putLong(at + 17, delta.bytes(), ORDER);
        buffer.putLong(at + 25, Long.divideUnsigned(delta.firstNs(), 1_000_000L), ORDER);
        buffer.putLong(at + 33, Long.divideUnsigned(delta.lastNs(), 1_000_000L), ORDER);
        buffer.putInt(at + 41, delta.ifindex(), ORDER);
        buffer.putByte(at + 45, (byte)template.direction);
        at += 46;
        at = putString(at, ifname);
        at = putString(at, containerBytes);
        buffer.putInt(at, pid, ORDER);
        at = putString(at + 4, commBytes);
        length = at;
        records++;
        return true;
    }

    /**
     * Ends the message: closes its set and writes its header.
     *
     * @param exportTimeS    when the message leaves the exporter, UTC seconds
     * @param sequenceNumber data records sent in the observation domain before this message, modulo 2^32
     * @param domain         the observation domain's id
     * @return the message's length
     */
    public int finish(final long exportTimeS, final long sequenceNumber, final int domain)
    {
        closeSet();
        buffer.putShort(0, (short)VERSION, ORDER);
        buffer.putShort(2, (short)length, ORDER);
        buffer.putInt(4, (int)exportTimeS, ORDER);
        buffer.putInt(8, (int)sequenceNumber, ORDER);
        buffer.putInt(12, domain, ORDER);
        return length;
    }

    private void openSet(final int id)
    {
        setStart = length;
        setId = id;
        length += SET_HEADER_LENGTH;
    }

    /** Writes the open set's header, if a set is open. */
    private void closeSet()
    {
        if (setId >= 0)
        {
            buffer.putShort(setStart, (short)setId, ORDER);
            buffer.putShort(setStart + 2, (short)(length - setStart), ORDER);
            setId = -1;
        }
    }

    private int putString(final int at, final byte[] bytes)
    {
        buffer.putByte(at, (byte)bytes.length);
        buffer.putBytes(at + 1, bytes);
        return at + 1 + bytes.length;
    }

    private byte[] bytes(final String text)
    {
        if (text.isEmpty())
        {
            return EMPTY;
        }
        byte[] bytes = strings.get(text);
        if (bytes == null)
        {
            if (strings.size() > 4096)
            {
                strings.clear(); // names come and go with containers: keep the cache bounded
            }
            bytes = cut(text.getBytes(StandardCharsets.UTF_8));
            strings.put(text, bytes);
        }
        return bytes;
    }

    /** At most {@link #MAX_STRING_BYTES}, not in the middle of a character. */
    static byte[] cut(final byte[] utf8)
    {
        if (utf8.length <= MAX_STRING_BYTES)
        {
            return utf8;
        }
        int end = MAX_STRING_BYTES;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80)
        {
            end--;
        }
        return java.util.Arrays.copyOf(utf8, end);
    }
}
