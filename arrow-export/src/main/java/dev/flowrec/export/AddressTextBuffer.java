package dev.flowrec.export;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import java.nio.charset.StandardCharsets;

/** Writes an address as text into a reusable byte array: IPv4 digit by digit (no allocation), IPv6 via {@link Addresses}. */
final class AddressTextBuffer
{
    private final byte[] address = new byte[16];
    final byte[] text = new byte[64];

    /** @return the length of the text written to {@link #text}. */
    int format(final int family, final boolean source, final dev.flowrec.journal.schema.FlowDeltaDecoder delta)
    {
        if (source)
        {
            delta.getSrcAddr(address, 0, FlowDeltas.ADDRESS_LENGTH);
        }
        else
        {
            delta.getDstAddr(address, 0, FlowDeltas.ADDRESS_LENGTH);
        }
        if (family != 4)
        {
            final byte[] v6 = Addresses.format(address, family).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(v6, 0, text, 0, v6.length);
            return v6.length;
        }
        int n = 0;
        for (int i = 12; i < 16; i++)
        {
            if (i > 12)
            {
                text[n++] = '.';
            }
            final int octet = address[i] & 0xFF;
            if (octet >= 100)
            {
                text[n++] = (byte)('0' + octet / 100);
            }
            if (octet >= 10)
            {
                text[n++] = (byte)('0' + octet / 10 % 10);
            }
            text[n++] = (byte)('0' + octet % 10);
        }
        return n;
    }
}
