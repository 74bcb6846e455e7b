package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Template 2: a recorder run begins. Readers reset their loss-report baseline here. Fields are
 * ordered for alignment, not as listed in the design. Offsets from the event start; little-endian.
 * <pre>
 *   0               8                               16
 *   +---------------+-------------------------------+
 *   | header        | timeNs u64                    |   header: 0x4652, 1, 2, 40
 *   +---------------+-------------------------------+-------------------------------+
 *  16  bootToRealtimeOffsetNs i64                   | 24 flushIntervalNs i64        |
 *   +---------------+---------------+---+-----------+-------------------------------+
 *  32  pid i32      | maxFlows i32  |mod| pad (7)   |  48 = end of block
 *   +---------------+---------------+---+-----------+
 *  48  {u16 len, host} {u16 len, kernel} {u16 len, version} {u16 len, config}  (UTF-8)
 * </pre>
 * host: host name; kernel: {@code uname -r}; version: flowrec version; config: the command line as given.
 * bootToRealtimeOffsetNs: add to a kernel boot-time clock reading to get UTC epoch nanoseconds.
 */
public final class RecorderStarted extends EventFlyweight
{
    public static final int TEMPLATE_ID = 2;
    public static final int BLOCK_LENGTH = 40;

    public static final int TIME_NS_OFFSET = 8;
    public static final int BOOT_TO_REALTIME_OFFSET_NS_OFFSET = 16;
    public static final int FLUSH_INTERVAL_NS_OFFSET = 24;
    public static final int PID_OFFSET = 32;
    public static final int MAX_FLOWS_OFFSET = 36;
    public static final int MODE_OFFSET = 40;
    public static final int PAD_OFFSET = 41;
    public static final int PAD_LENGTH = 7;

    public static final int MODE_FLOW = 0;
    public static final int MODE_PACKET = 1;

    private static final int HOST = 0;
    private static final int KERNEL = 1;
    private static final int VERSION = 2;
    private static final int CONFIG = 3;

    public RecorderStarted()
    {
        super(TEMPLATE_ID, BLOCK_LENGTH, 4);
    }

    /** @return the length of an event with these strings, to size {@code JournalWriter.claim}. */
    public static int encodedLength(
        final CharSequence host, final CharSequence kernel, final CharSequence version, final CharSequence config)
    {
        return encodedLength(BLOCK_LENGTH, host, kernel, version, config);
    }

    public RecorderStarted wrap(final DirectBuffer buffer, final int offset)
    {
        wrapForDecode(buffer, offset);
        return this;
    }

    /** Writes the header, zeroes the block and wraps it for encoding; then set fields and strings in order. */
    public RecorderStarted wrapAndApplyHeader(final MutableDirectBuffer buffer, final int offset)
    {
        wrapForEncode(buffer, offset);
        return this;
    }

    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    public RecorderStarted timeNs(final long value)
    {
        mutableBuffer.putLong(offset + TIME_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long bootToRealtimeOffsetNs()
    {
        return buffer.getLong(offset + BOOT_TO_REALTIME_OFFSET_NS_OFFSET, BYTE_ORDER);
    }

    public RecorderStarted bootToRealtimeOffsetNs(final long value)
    {
        mutableBuffer.putLong(offset + BOOT_TO_REALTIME_OFFSET_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long flushIntervalNs()
    {
        return buffer.getLong(offset + FLUSH_INTERVAL_NS_OFFSET, BYTE_ORDER);
    }

    public RecorderStarted flushIntervalNs(final long value)
    {
        mutableBuffer.putLong(offset + FLUSH_INTERVAL_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public int pid()
    {
        return buffer.getInt(offset + PID_OFFSET, BYTE_ORDER);
    }

    public RecorderStarted pid(final int value)
    {
        mutableBuffer.putInt(offset + PID_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public int maxFlows()
    {
        return buffer.getInt(offset + MAX_FLOWS_OFFSET, BYTE_ORDER);
    }

    public RecorderStarted maxFlows(final int value)
    {
        mutableBuffer.putInt(offset + MAX_FLOWS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    /** @return {@link #MODE_FLOW} or {@link #MODE_PACKET}. */
    public int mode()
    {
        return buffer.getByte(offset + MODE_OFFSET) & 0xFF;
    }

    public RecorderStarted mode(final int value)
    {
        mutableBuffer.putByte(offset + MODE_OFFSET, (byte)value);
        return this;
    }

    public String host()
    {
        return string(HOST);
    }

    /** First string: write after the fixed fields. */
    public RecorderStarted host(final CharSequence value)
    {
        putString(HOST, value);
        return this;
    }

    public String kernel()
    {
        return string(KERNEL);
    }

    public RecorderStarted kernel(final CharSequence value)
    {
        putString(KERNEL, value);
        return this;
    }

    public String flowrecVersion()
    {
        return string(VERSION);
    }

    /** The flowrec version string (named so as not to clash with the schema {@link #version()}). */
    public RecorderStarted flowrecVersion(final CharSequence value)
    {
        putString(VERSION, value);
        return this;
    }

    public String config()
    {
        return string(CONFIG);
    }

    public RecorderStarted config(final CharSequence value)
    {
        putString(CONFIG, value);
        return this;
    }
}
