package dev.flowrec.export;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import java.nio.charset.StandardCharsets;

/** Writes an address as text into a column's bytes: IPv4 an octet at a time from a table (no allocation), IPv6 via {@link Addresses}. */
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

    /** The most bytes {@link #format} writes (an IPv6 address with an embedded IPv4 is 45 characters). */
    static final int MAX_LENGTH = 64;

    private final byte[] address = new byte[16];

    /**
     * Writes the delta's source or destination address as text into {@code out} from {@code at}, which has room for
     * {@link #MAX_LENGTH} bytes (an IPv4 octet writes three bytes whatever its digits: the next one's covers the extra).
     * @return the length of the text
     */
    int format(final int family, final boolean source, final FlowDeltaDecoder delta, final byte[] out, final int at)
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
            System.arraycopy(v6, 0, out, at, v6.length);
            return v6.length;
        }
        int n = at;
        for (int i = 12; i < 16; i++)
        {
            final int digits = OCTETS[address[i] & 0xFF];
            out[n] = (byte)digits;
            out[n + 1] = (byte)(digits >>> 8);
            out[n + 2] = (byte)(digits >>> 16);
            n += digits >>> 24;
            out[n++] = '.';
        }
        return n - 1 - at;
    }
}
