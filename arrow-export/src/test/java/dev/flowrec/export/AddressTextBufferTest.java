package dev.flowrec.export;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.text.Addresses;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The export's address text equals the query's ({@link Addresses}) for every octet value in every position. */
class AddressTextBufferTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final FlowDeltaEncoder encoder = new FlowDeltaEncoder();
    private final FlowDeltaDecoder decoder = new FlowDeltaDecoder();
    private final AddressTextBuffer text = new AddressTextBuffer();
    /** Text is appended after a prefix, as rows follow each other in a column's bytes. */
    private final byte[] out = new byte[7 + AddressTextBuffer.MAX_LENGTH];

    @Test
    void shouldWriteEveryIpv4OctetAsTheQueryDoes()
    {
        for (int octet = 0; octet < 256; octet++)
        {
            for (int position = 0; position < 4; position++)
            {
                final int src = octet << 8 * position | (position == 3 ? 1 : 0x80);
                final int dst = ~src;
                MessageHeader.wrapAndApplyHeader(encoder, buffer, 0).family(FlowDeltas.FAMILY_IPV4);
                FlowDeltas.addressesV4(encoder, src, dst);
                MessageHeader.wrap(decoder, buffer, 0);
                assertEquals(expected(decoder, true), written(true), "source " + Integer.toHexString(src));
                assertEquals(expected(decoder, false), written(false), "destination " + Integer.toHexString(dst));
            }
        }
    }

    @Test
    void shouldWriteAnIpv6AddressAsTheQueryDoes()
    {
        MessageHeader.wrapAndApplyHeader(encoder, buffer, 0).family(FlowDeltas.FAMILY_IPV6);
        FlowDeltas.addresses(encoder, 0x2001_0db8_0000_0000L, 0x0000_0000_0000_0001L, 0xfd00_0000_0000_0001L, 0x0a0b_0000_0000_00ffL);
        MessageHeader.wrap(decoder, buffer, 0);
        assertEquals("2001:db8::1", written(true));
        assertEquals(expected(decoder, false), written(false));
    }

    private String written(final boolean source)
    {
        final int length = text.format(decoder.family(), source, decoder, out, 7);
        return new String(out, 7, length, StandardCharsets.US_ASCII);
    }

    private static String expected(final FlowDeltaDecoder d, final boolean source)
    {
        return source ? Addresses.format(FlowDeltas.srcAddrHigh(d), FlowDeltas.srcAddrLow(d), d.family()) :
            Addresses.format(FlowDeltas.dstAddrHigh(d), FlowDeltas.dstAddrLow(d), d.family());
    }
}
