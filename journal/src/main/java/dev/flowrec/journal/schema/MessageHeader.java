package dev.flowrec.journal.schema;

import dev.flowrec.journal.JournalException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.agrona.sbe.MessageEncoderFlyweight;
import org.agrona.sbe.MessageFlyweight;

import java.nio.ByteOrder;

/**
 * The 8-byte header that starts every journal event, little-endian, and the wrapping of the generated codecs
 * ({@code flowrec-schema.xml}; {@link MessageHeaderEncoder}, {@link MessageHeaderDecoder}) after it.
 * <pre>
 *   0               2               4               6               8
 *   +---------------+---------------+---------------+---------------+
 *   | schemaId u16  | version u16   | templateId u16| blockLength   |
 *   | 0x4652        | 1..4          | 1..9          | u16           |
 *   +---------------+---------------+---------------+---------------+
 *   then blockLength bytes of fixed fields, then (some templates) var-length
 *   UTF-8 strings, each {u16 length, bytes}, in declared order.
 * </pre>
 * {@link #check} decides whether a reader can decode an event: a foreign schema id, a newer version
 * or a truncated event is refused with a reason, never an exception in the read loop.
 */
public final class MessageHeader
{
    public static final ByteOrder BYTE_ORDER = MessageHeaderDecoder.BYTE_ORDER;
    public static final int ENCODED_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    /** "RF" read as little-endian bytes 0x52 0x46: flowrec. */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    /**
     * The newest version this code reads and the one it writes ({@link Templates#version}): 4, whose events are
     * followed by a CRC32C trailer in their journal document. Journals written before carry the version each
     * template was introduced in (templates 1-7 version 1, {@link FlowDeltaBatch} 2 or, with its ring position, 3,
     * PinnedState 3) and no trailer; they still read. A reader older than a version skips (and counts) its events.
     */
    public static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;

    public static final int SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset();
    public static final int VERSION_OFFSET = MessageHeaderDecoder.versionEncodingOffset();
    public static final int TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset();
    public static final int BLOCK_LENGTH_OFFSET = MessageHeaderDecoder.blockLengthEncodingOffset();

    /** {@link #check} verdicts. */
    public static final int SUPPORTED = 0;
    public static final int FOREIGN_SCHEMA = 1;
    public static final int NEWER_VERSION = 2;
    public static final int INVALID_VERSION = 3;
    public static final int TRUNCATED = 4;
    public static final int SHORT_BLOCK = 5;

    private MessageHeader()
    {
    }

    /**
     * Writes the header of the encoder's template at {@code offset} (with the version the template was
     * introduced in, not the schema's), zeroes its block, padding included, and wraps the encoder after the
     * header: set the fields, then the strings in declared order.
     */
    public static <E extends MessageEncoderFlyweight> E wrapAndApplyHeader(
        final E encoder, final MutableDirectBuffer buffer, final int offset)
    {
        final int blockLength = encoder.sbeBlockLength();
        apply(buffer, offset, encoder.sbeTemplateId(), blockLength);
        buffer.setMemory(offset + ENCODED_LENGTH, blockLength, (byte)0);
        encoder.wrap(buffer, offset + ENCODED_LENGTH);
        return encoder;
    }

    /**
     * Wraps a decoder over the event at {@code offset} (its header), with the block length and version the
     * header gives: strings follow a block that a later version extends. The event must have passed
     * {@link #check}, as every event a {@code JournalReader} delivers has.
     */
    public static <D extends MessageDecoderFlyweight> D wrap(
        final D decoder, final DirectBuffer buffer, final int offset)
    {
        decoder.wrap(buffer, offset + ENCODED_LENGTH, blockLength(buffer, offset),
            buffer.getShort(offset + VERSION_OFFSET, BYTE_ORDER) & 0xFFFF);
        return decoder;
    }

    /**
     * @return the event's whole length, header included, as far as the codec went: all of it once every
     * string was written (or read).
     */
    public static int encodedLength(final MessageFlyweight codec)
    {
        return codec.limit() - codec.offset() + ENCODED_LENGTH;
    }

    /** Writes a header of this schema at {@code offset}, with the version of the template. */
    public static void apply(
        final MutableDirectBuffer buffer, final int offset, final int templateId, final int blockLength)
    {
        buffer.putShort(offset + SCHEMA_ID_OFFSET, (short)SCHEMA_ID, BYTE_ORDER);
        buffer.putShort(offset + VERSION_OFFSET, (short)Templates.version(templateId), BYTE_ORDER);
        buffer.putShort(offset + TEMPLATE_ID_OFFSET, (short)templateId, BYTE_ORDER);
        buffer.putShort(offset + BLOCK_LENGTH_OFFSET, (short)blockLength, BYTE_ORDER);
    }

    public static int templateId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TEMPLATE_ID_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + BLOCK_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * Decides whether this reader can decode the event in {@code [offset, offset + length)}, without
     * allocating.
     *
     * @return {@link #SUPPORTED}, or the reason it cannot: {@link #FOREIGN_SCHEMA}, {@link #NEWER_VERSION},
     * {@link #INVALID_VERSION} (0), {@link #TRUNCATED} (shorter than header plus block), or
     * {@link #SHORT_BLOCK} (a known template whose block is shorter than this version's).
     * @see #describe(int, DirectBuffer, int, int)
     */
    public static int check(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ENCODED_LENGTH)
        {
            return length >= VERSION_OFFSET && schemaIdAt(buffer, offset) != SCHEMA_ID ? FOREIGN_SCHEMA : TRUNCATED;
        }
        if (schemaIdAt(buffer, offset) != SCHEMA_ID)
        {
            return FOREIGN_SCHEMA;
        }
        final int version = buffer.getShort(offset + VERSION_OFFSET, BYTE_ORDER) & 0xFFFF;
        if (version > SCHEMA_VERSION)
        {
            return NEWER_VERSION;
        }
        if (version == 0)
        {
            return INVALID_VERSION;
        }
        final int blockLength = blockLength(buffer, offset);
        if (ENCODED_LENGTH + blockLength > length)
        {
            return TRUNCATED;
        }
        if (blockLength < Templates.minBlockLength(templateId(buffer, offset), version))
        {
            return SHORT_BLOCK;
        }
        return SUPPORTED;
    }

    /** A sentence saying why {@link #check} refused an event (allocates: for the rare refused event). */
    public static String describe(final int verdict, final DirectBuffer buffer, final int offset, final int length)
    {
        return switch (verdict)
        {
            case SUPPORTED -> "supported journal event of schema version " + SCHEMA_VERSION;
            case FOREIGN_SCHEMA -> String.format(
                "not a flowrec journal event: schema id 0x%04x, expected 0x%04x",
                length >= VERSION_OFFSET ? schemaIdAt(buffer, offset) : -1, SCHEMA_ID);
            case NEWER_VERSION -> "journal event of schema version " +
                (buffer.getShort(offset + VERSION_OFFSET, BYTE_ORDER) & 0xFFFF) +
                ", this flowrec reads up to " + SCHEMA_VERSION;
            case INVALID_VERSION -> "journal event of invalid schema version 0";
            case TRUNCATED -> length < ENCODED_LENGTH ?
                "truncated journal event: " + length + " bytes, shorter than its " + ENCODED_LENGTH + "-byte header" :
                "truncated journal event: " + length + " bytes, its header says a block of " +
                blockLength(buffer, offset) + " bytes";
            case SHORT_BLOCK -> "corrupt journal event: template " + Templates.name(templateId(buffer, offset)) +
                " with a block of " + blockLength(buffer, offset) +
                " bytes, expected at least " + Templates.minBlockLength(templateId(buffer, offset),
                buffer.getShort(offset + VERSION_OFFSET, BYTE_ORDER) & 0xFFFF);
            default -> "unknown verdict " + verdict;
        };
    }

    /** @throws JournalException with the {@link #describe} sentence unless the event is {@link #SUPPORTED}. */
    public static void requireSupported(final DirectBuffer buffer, final int offset, final int length)
    {
        final int verdict = check(buffer, offset, length);
        if (verdict != SUPPORTED)
        {
            throw new JournalException(describe(verdict, buffer, offset, length));
        }
    }

    private static int schemaIdAt(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, BYTE_ORDER) & 0xFFFF;
    }
}
