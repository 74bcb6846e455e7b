package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Template 6: a recorder run ended cleanly (a run that crashed has none). Offsets from the event start;
 * little-endian.
 * <pre>
 *   0               8               16              24
 *   +---------------+---------------+---------------+
 *   | header        | timeNs u64    | events u64    |   header: 0x4652, 1, 6, 16
 *   +---------------+---------------+---------------+
 *  24  {u16 len, reason}  (UTF-8)
 * </pre>
 * events: events the recorder appended in this run, this RecorderStopped included (as the recorder writes it).
 */
public final class RecorderStopped extends EventFlyweight
{
    public static final int TEMPLATE_ID = 6;
    public static final int BLOCK_LENGTH = 16;

    public static final int TIME_NS_OFFSET = 8;
    public static final int EVENTS_OFFSET = 16;

    private static final int REASON = 0;

    public RecorderStopped()
    {
        super(TEMPLATE_ID, BLOCK_LENGTH, 1);
    }

    /** @return the length of an event with this reason, to size {@code JournalWriter.claim}. */
    public static int encodedLength(final CharSequence reason)
    {
        return encodedLength(BLOCK_LENGTH, reason);
    }

    public RecorderStopped wrap(final DirectBuffer buffer, final int offset)
    {
        wrapForDecode(buffer, offset);
        return this;
    }

    /** Writes the header, zeroes the block and wraps it for encoding; then set fields and the reason. */
    public RecorderStopped wrapAndApplyHeader(final MutableDirectBuffer buffer, final int offset)
    {
        wrapForEncode(buffer, offset);
        return this;
    }

    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    public RecorderStopped timeNs(final long value)
    {
        mutableBuffer.putLong(offset + TIME_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long events()
    {
        return buffer.getLong(offset + EVENTS_OFFSET, BYTE_ORDER);
    }

    public RecorderStopped events(final long value)
    {
        mutableBuffer.putLong(offset + EVENTS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public String reason()
    {
        return string(REASON);
    }

    public RecorderStopped reason(final CharSequence value)
    {
        putString(REASON, value);
        return this;
    }
}
