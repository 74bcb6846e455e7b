package dev.flowrec.journal.schema;

import dev.flowrec.journal.JournalException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MessageHeaderTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    @Test
    void shouldAcceptCurrentVersion()
    {
        MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), buffer, 0);
        assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(buffer, 0, Templates.FLOW_DELTA_LENGTH));
        final MessageHeaderDecoder decoded = new MessageHeaderDecoder().wrap(buffer, 0);
        assertEquals(0x4652, decoded.schemaId());
        assertEquals(4, decoded.version());
        assertEquals(FlowDeltaDecoder.TEMPLATE_ID, decoded.templateId());
        assertEquals(FlowDeltaDecoder.BLOCK_LENGTH, decoded.blockLength());
    }

    @Test
    void shouldRefuseNewerVersionWithClearMessage()
    {
        MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), buffer, 0);
        final int newer = MessageHeader.SCHEMA_VERSION + 1;
        header.wrap(buffer, 0).version(newer);
        assertEquals(MessageHeader.NEWER_VERSION, MessageHeader.check(buffer, 0, Templates.FLOW_DELTA_LENGTH));
        final JournalException ex = assertThrows(JournalException.class,
            () -> MessageHeader.requireSupported(buffer, 0, Templates.FLOW_DELTA_LENGTH));
        assertEquals("journal event of schema version " + newer + ", this flowrec reads up to " +
            MessageHeader.SCHEMA_VERSION, ex.getMessage());
    }

    @Test
    void shouldRefuseForeignSchema()
    {
        MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), buffer, 0);
        header.wrap(buffer, 0).schemaId(0x1234);
        final int verdict = MessageHeader.check(buffer, 0, Templates.FLOW_DELTA_LENGTH);
        assertEquals(MessageHeader.FOREIGN_SCHEMA, verdict);
        assertEquals("not a flowrec journal event: schema id 0x1234, expected 0x4652",
            MessageHeader.describe(verdict, buffer, 0, Templates.FLOW_DELTA_LENGTH));
    }

    @Test
    void shouldRefuseTruncatedAndShortBlockAndVersionZero()
    {
        MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), buffer, 0);
        assertEquals(MessageHeader.TRUNCATED, MessageHeader.check(buffer, 0, 5));
        assertEquals(MessageHeader.TRUNCATED, MessageHeader.check(buffer, 0, Templates.FLOW_DELTA_LENGTH - 1));
        assertEquals("truncated journal event: 87 bytes, its header says a block of 80 bytes",
            MessageHeader.describe(MessageHeader.TRUNCATED, buffer, 0, 87));

        header.wrap(buffer, 0).blockLength(40);
        assertEquals(MessageHeader.SHORT_BLOCK, MessageHeader.check(buffer, 0, Templates.FLOW_DELTA_LENGTH));

        header.blockLength(FlowDeltaDecoder.BLOCK_LENGTH).version(0);
        assertEquals(MessageHeader.INVALID_VERSION, MessageHeader.check(buffer, 0, Templates.FLOW_DELTA_LENGTH));
    }

    @Test
    void shouldFindStringsAfterALongerBlockOfTheSameVersion()
    {
        // A block longer than this code knows (an older reader of additive fields): strings follow it.
        MessageHeader.wrapAndApplyHeader(new RecorderStoppedEncoder(), buffer, 0).events(5).reason("ok");
        final UnsafeBuffer longer = new UnsafeBuffer(new byte[128]);
        longer.putBytes(0, buffer, 0, 24);
        longer.putShort(24, (short)7, MessageHeader.BYTE_ORDER); // an extra field
        longer.putBytes(32, buffer, 24, 4);
        header.wrap(longer, 0).blockLength(24);
        assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(longer, 0, 36));
        final RecorderStoppedDecoder stopped = MessageHeader.wrap(new RecorderStoppedDecoder(), longer, 0);
        assertEquals(5, stopped.events());
        assertEquals("ok", stopped.reason());
        assertEquals(36, MessageHeader.encodedLength(stopped));
    }
}
