package dev.flowrec.journal.text;

/** Text forms of the 16-byte addresses of the journal: dotted IPv4 for v4-mapped, RFC 5952 IPv6 otherwise. */
public final class Addresses
{
    private Addresses()
    {
    }

    public static String format(final byte[] addr, final int family)
    {
        return family == 4 ? formatV4(addr) : formatV6(addr);
    }

    /** An address held as the flow deltas hold it: the big-endian first and last 8 of its 16 bytes. */
    public static String format(final long high, final long low, final int family)
    {
        return format(bytes(high, low), family);
    }

    /** The 16 bytes, network order, of an address held as two big-endian halves. */
    public static byte[] bytes(final long high, final long low)
    {
        final byte[] addr = new byte[16];
        for (int i = 0; i < 8; i++)
        {
            addr[i] = (byte)(high >>> (56 - 8 * i));
            addr[8 + i] = (byte)(low >>> (56 - 8 * i));
        }
        return addr;
    }

    private static String formatV4(final byte[] a)
    {
        return (a[12] & 0xFF) + "." + (a[13] & 0xFF) + "." + (a[14] & 0xFF) + "." + (a[15] & 0xFF);
    }

    /** RFC 5952: lower-case hex, no leading zeros, the longest run (first if tied) of two or more zero groups as "::". */
    private static String formatV6(final byte[] a)
    {
        final int[] groups = new int[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; )
        {
            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        final StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':')
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
