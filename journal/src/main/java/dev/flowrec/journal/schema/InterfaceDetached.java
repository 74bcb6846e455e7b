package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Template 4: recording of an interface ended.
 * Offsets from the event start; little-endian.
 * <pre>
 *   0               8               16              24              28              32
 *   +---------------+---------------+---------------+---------------+---------------+
 *   | header        | timeNs u64    | netnsIno i64  | ifindex i32   | pad (4)       |
 *   +---------------+---------------+---------------+---------------+---------------+
 *  32  {u16 len, ifname} {u16 len, reason}  (UTF-8)
 * </pre>
 * header: 0x4652, 1, 4, 24. netnsIno: inode of the interface's network namespace, 0 = the recorder's own;
 * reason: why: "stopped", "vanished", ....
 */
public final class InterfaceDetached extends EventFlyweight
{
    public static final int TEMPLATE_ID = 4;
    public static final int BLOCK_LENGTH = 24;

    public static final int TIME_NS_OFFSET = 8;
    public static final int NETNS_INO_OFFSET = 16;
    public static final int IFINDEX_OFFSET = 24;
    public static final int PAD_OFFSET = 28;
    public static final int PAD_LENGTH = 4;

    private static final int IFNAME = 0;
    private static final int REASON = 1;

    public InterfaceDetached()
    {
        super(TEMPLATE_ID, BLOCK_LENGTH, 2);
    }

    /** @return the length of an event with these strings, to size {@code JournalWriter.claim}. */
    public static int encodedLength(final CharSequence ifname, final CharSequence reason)
    {
        return encodedLength(BLOCK_LENGTH, ifname, reason);
    }

    public InterfaceDetached wrap(final DirectBuffer buffer, final int offset)
    {
        wrapForDecode(buffer, offset);
        return this;
    }

    /** Writes the header, zeroes the block and wraps it for encoding; then set fields and strings in order. */
    public InterfaceDetached wrapAndApplyHeader(final MutableDirectBuffer buffer, final int offset)
    {
        wrapForEncode(buffer, offset);
        return this;
    }

    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    public InterfaceDetached timeNs(final long value)
    {
        mutableBuffer.putLong(offset + TIME_NS_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public long netnsIno()
    {
        return buffer.getLong(offset + NETNS_INO_OFFSET, BYTE_ORDER);
    }

    public InterfaceDetached netnsIno(final long value)
    {
        mutableBuffer.putLong(offset + NETNS_INO_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public int ifindex()
    {
        return buffer.getInt(offset + IFINDEX_OFFSET, BYTE_ORDER);
    }

    public InterfaceDetached ifindex(final int value)
    {
        mutableBuffer.putInt(offset + IFINDEX_OFFSET, value, BYTE_ORDER);
        return this;
    }

    public String ifname()
    {
        return string(IFNAME);
    }

    /** First string: write after the fixed fields. */
    public InterfaceDetached ifname(final CharSequence value)
    {
        putString(IFNAME, value);
        return this;
    }

    public String reason()
    {
        return string(REASON);
    }

    /** Second string: write after {@link #ifname(CharSequence)}. */
    public InterfaceDetached reason(final CharSequence value)
    {
        putString(REASON, value);
        return this;
    }
}
