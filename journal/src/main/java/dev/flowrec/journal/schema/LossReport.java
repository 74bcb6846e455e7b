package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Template 5: the recorder's loss and volume counters. Every value is CUMULATIVE since the recorder
 * started; a reader differences consecutive reports within one run, and a {@link RecorderStarted}
 * resets its baseline. Fixed length, no strings. Offsets from the event start; little-endian, all u64.
 * <pre>
 *   0        8         16          24         32              40               48             56
 *   +--------+---------+-----------+----------+---------------+----------------+--------------+
 *   | header | timeNs  |packetsSeen| bytesSeen| ringLostEvents| ringLostPackets| ringLostBytes|
 *   +--------+---------+-----------+----------+---------------+----------------+--------------+
 *   56             64        72      80          88                  96        104
 *   +--------------+---------+-------+-----------+-------------------+---------+
 *   | ringDeferred | mapFull | nonIp | malformed | journalLostEvents | tooDeep |   104 = ENCODED_LENGTH
 *   +--------------+---------+-------+-----------+-------------------+---------+
 * </pre>
 * header: 0x4652, 1, 5, 96. The kernel counters are those of the BPF program's counters map, in that
 * order; journalLostEvents counts events the recorder could not append to the journal. tooDeep was added
 * at the end of the block, SBE-style: a report written before it has block length 88, and reads as 0.
 */
public final class LossReport extends EventFlyweight
{
    public static final int TEMPLATE_ID = 5;
    public static final int BLOCK_LENGTH = 96;
    public static final int ENCODED_LENGTH = MessageHeader.ENCODED_LENGTH + BLOCK_LENGTH;

    public static final int TIME_NS_OFFSET = 8;
    public static final int PACKETS_SEEN_OFFSET = 16;
    public static final int BYTES_SEEN_OFFSET = 24;
    public static final int RING_LOST_EVENTS_OFFSET = 32;
    public static final int RING_LOST_PACKETS_OFFSET = 40;
    public static final int RING_LOST_BYTES_OFFSET = 48;
    public static final int RING_DEFERRED_OFFSET = 56;
    public static final int MAP_FULL_OFFSET = 64;
    public static final int NON_IP_OFFSET = 72;
    public static final int MALFORMED_OFFSET = 80;
    public static final int JOURNAL_LOST_EVENTS_OFFSET = 88;
    public static final int TOO_DEEP_OFFSET = 96;
    private static final int BLOCK_LENGTH_BEFORE_TOO_DEEP = 88;

    public LossReport()
    {
        super(TEMPLATE_ID, BLOCK_LENGTH, 0);
    }

    public LossReport wrap(final DirectBuffer buffer, final int offset)
    {
        wrapForDecode(buffer, offset);
        return this;
    }

    /** Writes the header, zeroes the block and wraps it for encoding. */
    public LossReport wrapAndApplyHeader(final MutableDirectBuffer buffer, final int offset)
    {
        wrapForEncode(buffer, offset);
        return this;
    }

    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    public LossReport timeNs(final long value)
    {
        mutableBuffer.putLong(offset + TIME_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long packetsSeen()
    {
        return buffer.getLong(offset + PACKETS_SEEN_OFFSET, BYTE_ORDER);
    }

    public LossReport packetsSeen(final long value)
    {
        mutableBuffer.putLong(offset + PACKETS_SEEN_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long bytesSeen()
    {
        return buffer.getLong(offset + BYTES_SEEN_OFFSET, BYTE_ORDER);
    }

    public LossReport bytesSeen(final long value)
    {
        mutableBuffer.putLong(offset + BYTES_SEEN_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long ringLostEvents()
    {
        return buffer.getLong(offset + RING_LOST_EVENTS_OFFSET, BYTE_ORDER);
    }

    public LossReport ringLostEvents(final long value)
    {
        mutableBuffer.putLong(offset + RING_LOST_EVENTS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long ringLostPackets()
    {
        return buffer.getLong(offset + RING_LOST_PACKETS_OFFSET, BYTE_ORDER);
    }

    public LossReport ringLostPackets(final long value)
    {
        mutableBuffer.putLong(offset + RING_LOST_PACKETS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long ringLostBytes()
    {
        return buffer.getLong(offset + RING_LOST_BYTES_OFFSET, BYTE_ORDER);
    }

    public LossReport ringLostBytes(final long value)
    {
        mutableBuffer.putLong(offset + RING_LOST_BYTES_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long ringDeferred()
    {
        return buffer.getLong(offset + RING_DEFERRED_OFFSET, BYTE_ORDER);
    }

    public LossReport ringDeferred(final long value)
    {
        mutableBuffer.putLong(offset + RING_DEFERRED_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long mapFull()
    {
        return buffer.getLong(offset + MAP_FULL_OFFSET, BYTE_ORDER);
    }

    public LossReport mapFull(final long value)
    {
        mutableBuffer.putLong(offset + MAP_FULL_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long nonIp()
    {
        return buffer.getLong(offset + NON_IP_OFFSET, BYTE_ORDER);
    }

    public LossReport nonIp(final long value)
    {
        mutableBuffer.putLong(offset + NON_IP_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long malformed()
    {
        return buffer.getLong(offset + MALFORMED_OFFSET, BYTE_ORDER);
    }

    public LossReport malformed(final long value)
    {
        mutableBuffer.putLong(offset + MALFORMED_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long journalLostEvents()
    {
        return buffer.getLong(offset + JOURNAL_LOST_EVENTS_OFFSET, BYTE_ORDER);
    }

    public LossReport journalLostEvents(final long value)
    {
        mutableBuffer.putLong(offset + JOURNAL_LOST_EVENTS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    /** Packets whose headers nest deeper than the program parses (VLAN, IPv6 extension chains); 0 in older reports. */
    public long tooDeep()
    {
        return actingBlockLength() > BLOCK_LENGTH_BEFORE_TOO_DEEP ? buffer.getLong(offset + TOO_DEEP_OFFSET, BYTE_ORDER) : 0;
    }

    public LossReport tooDeep(final long value)
    {
        mutableBuffer.putLong(offset + TOO_DEEP_OFFSET, value, BYTE_ORDER);
        return this;
    }
}
