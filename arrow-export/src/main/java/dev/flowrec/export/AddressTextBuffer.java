package dev.flowrec.export;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes an address as text into a column's bytes: IPv4 an octet at a time from a table, one int store each (no allocation), IPv6 via {@link Addresses}. */
final class AddressTextBuffer
{
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** An octet's decimal digits and a '.' after them, first digit in the low byte: stored as one int. */
    private static final int[] OCTET_TEXT = new int[256];
    /** The number of bytes of {@link #OCTET_TEXT} that count: the digits and the '.'. */
    private static final byte[] OCTET_LENGTH = new byte[256];

    static
    {
        for (int octet = 0; octet < 256; octet++)
        {
            final byte[] text = (octet + ".").getBytes(StandardCharsets.US_ASCII);
            int packed = 0;
            for (int i = 0; i < text.length; i++)
            {
                packed |= (text[i] & 0xFF) << 8 * i;
            }
            OCTET_TEXT[octet] = packed;
            OCTET_LENGTH[octet] = (byte)text.length;
        }
    }

    /** The most bytes {@link #format} writes (an IPv6 address with an embedded IPv4 is 45 characters). */
    static final int MAX_LENGTH = 64;

    private final byte[] address = new byte[16];

    /**
     * Writes the delta's source or destination address as text into {@code out} from {@code at}, which has room for
     * {@link #MAX_LENGTH} bytes (an IPv4 octet is stored as four bytes whatever its digits: the next one's overwrite
     * the extra, and the last octet's '.' and extra fall past the returned length).
     * @return the length of the text
     */
    int format(final int family, final boolean source, final FlowDeltaDecoder delta, final byte[] out, final int at)
    {
        if (family != 4)
        {
            if (source)
            {
                delta.getSrcAddr(address, 0, FlowDeltas.ADDRESS_LENGTH);
            }
            else
            {
                delta.getDstAddr(address, 0, FlowDeltas.ADDRESS_LENGTH);
            }
            final byte[] v6 = Addresses.format(address, family).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(v6, 0, out, at, v6.length);
            return v6.length;
        }
        // the v4-mapped address's last four bytes, in network order: a is the top byte
        final int v4 = (int)(source ? FlowDeltas.srcAddrLow(delta) : FlowDeltas.dstAddrLow(delta));
        int n = at;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            final int octet = v4 >>> shift & 0xFF;
            INTS.set(out, n, OCTET_TEXT[octet]);
            n += OCTET_LENGTH[octet];
        }
        return n - 1 - at;
    }
}
