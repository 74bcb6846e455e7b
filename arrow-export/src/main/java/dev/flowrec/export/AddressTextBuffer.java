package dev.flowrec.export;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import java.nio.charset.StandardCharsets;

/** Writes an address as text into a reusable byte array: IPv4 an octet at a time from a table (no allocation), IPv6 via {@link Addresses}. */
final class AddressTextBuffer
{
    /** An octet's decimal digits, first digit in the low byte, and their count in the top byte. */
    private static final int[] OCTETS = new int[256];

    static
    {
        for (int octet = 0; octet < 256; octet++)
        {
            final byte[] digits = Integer.toString(octet).getBytes(StandardCharsets.US_ASCII);
            int packed = digits.length << 24;
            for (int d = 0; d < digits.length; d++)
            {
                packed |= (digits[d] & 0xFF) << 8 * d;
            }
            OCTETS[octet] = packed;
        }
    }

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
            final int digits = OCTETS[address[i] & 0xFF];
            text[n] = (byte)digits; // three bytes whatever the digits: the next octet's write covers the extra ones
            text[n + 1] = (byte)(digits >>> 8);
            text[n + 2] = (byte)(digits >>> 16);
            n += digits >>> 24;
            text[n++] = '.';
        }
        return n - 1;
    }
}
