package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * What all event flyweights share: the wrapped buffer and offset, the header, and the var-length
 * string section.
 * <p>
 * Strings follow the fixed block, each as {@code {u16 length, UTF-8 bytes}}, in declared order; the
 * block length is taken from the event's header when decoding (so a block that a later version extends
 * still finds its strings). An encoder writes them strictly in declared order, each once. A string
 * longer than {@value #MAX_STRING_BYTES} UTF-8 bytes is cut at a character boundary.
 * <p>
 * Not thread-safe; a flyweight is reused for many events and allocates nothing except in the
 * {@code String} getters of the rare text events.
 */
public abstract sealed class EventFlyweight
    permits FlowDelta, RecorderStarted, InterfaceAttached, InterfaceDetached, LossReport, RecorderStopped,
    ContainerSeen
{
    public static final ByteOrder BYTE_ORDER = MessageHeader.BYTE_ORDER;
    public static final int MAX_STRING_BYTES = 0xFFFF;
    static final int STRING_LENGTH_SIZE = 2;

    private final int templateId;
    private final int fixedBlockLength;
    private final int stringCount;

    DirectBuffer buffer;
    MutableDirectBuffer mutableBuffer;
    int offset;
    private int actingBlockLength;
    private int stringsWritten;
    private int limit;

    EventFlyweight(final int templateId, final int fixedBlockLength, final int stringCount)
    {
        this.templateId = templateId;
        this.fixedBlockLength = fixedBlockLength;
        this.stringCount = stringCount;
    }

    final void wrapForDecode(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer instanceof MutableDirectBuffer m ? m : null;
        this.offset = offset;
        this.actingBlockLength = buffer.getShort(offset + MessageHeader.BLOCK_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
        this.stringsWritten = stringCount;
        this.limit = -1;
    }

    final void wrapForEncode(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        this.actingBlockLength = fixedBlockLength;
        this.stringsWritten = 0;
        this.limit = offset + MessageHeader.ENCODED_LENGTH + fixedBlockLength;
        MessageHeader.apply(buffer, offset, templateId, fixedBlockLength);
        buffer.setMemory(offset + MessageHeader.ENCODED_LENGTH, fixedBlockLength, (byte)0);
    }

    /** @return the buffer this flyweight is wrapped over. */
    public final DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return where the event (its header) starts in {@link #buffer()}. */
    public final int offset()
    {
        return offset;
    }

    /** @return the template id of this flyweight's class. */
    public final int templateId()
    {
        return templateId;
    }

    /** @return the block length in the wrapped event's header (decoding) or this version's (encoding). */
    public final int actingBlockLength()
    {
        return actingBlockLength;
    }

    /** @return the version in the wrapped event's header. */
    public final int version()
    {
        return buffer.getShort(offset + MessageHeader.VERSION_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * @return the whole event's length: header, block and strings. After encoding, all strings must have
     * been written first.
     */
    public final int encodedLength()
    {
        if (stringsWritten != stringCount)
        {
            throw new IllegalStateException(
                Templates.name(templateId) + ": " + stringsWritten + " of " + stringCount + " strings written");
        }
        return stringPosition(stringCount) - offset;
    }

    final String string(final int index)
    {
        final int position = stringPosition(index);
        final int length = buffer.getShort(position, BYTE_ORDER) & 0xFFFF;
        return length == 0 ? "" : buffer.getStringWithoutLengthUtf8(position + STRING_LENGTH_SIZE, length);
    }

    final int stringLength(final int index)
    {
        return buffer.getShort(stringPosition(index), BYTE_ORDER) & 0xFFFF;
    }

    final void putString(final int index, final CharSequence value)
    {
        if (index != stringsWritten)
        {
            throw new IllegalStateException(Templates.name(templateId) + ": string " + index +
                " written out of order, expected string " + stringsWritten + " next");
        }
        final int length = Utf8.encode(mutableBuffer, limit + STRING_LENGTH_SIZE, value, MAX_STRING_BYTES);
        mutableBuffer.putShort(limit, (short)length, BYTE_ORDER);
        limit += STRING_LENGTH_SIZE + length;
        stringsWritten++;
    }

    private int stringPosition(final int index)
    {
        int position = offset + MessageHeader.ENCODED_LENGTH + actingBlockLength;
        for (int i = 0; i < index; i++)
        {
            position += STRING_LENGTH_SIZE + (buffer.getShort(position, BYTE_ORDER) & 0xFFFF);
        }
        return position;
    }

    /** @return the encoded length of a fixed block plus the given strings, for sizing a claim. */
    static int encodedLength(final int blockLength, final CharSequence... strings)
    {
        int length = MessageHeader.ENCODED_LENGTH + blockLength;
        for (final CharSequence s : strings)
        {
            length += STRING_LENGTH_SIZE + Utf8.encodedLength(s, MAX_STRING_BYTES);
        }
        return length;
    }
}
