package dev.flowrec.query.filter;

/**
 * Parses address literals as the journal stores them: 16 bytes as two big-endian longs, IPv4 v4-mapped
 * (::ffff:a.b.c.d). Strict and DNS-free: dotted quads without leading zeros (as inet_pton), IPv6 in any RFC 4291
 * text form (compressed, upper or lower case, trailing dotted quad), no zone ids.
 */
final class AddressText
{
    static final long V4_MAPPED_LOW = 0x0000_FFFF_0000_0000L;

    private AddressText()
    {
    }

    /**
     * @param out receives high then low half
     * @return 4 for a dotted quad or a v4-mapped IPv6 text, 6 for other IPv6, 0 if the text is no address
     */
    static int parse(final String text, final long[] out)
    {
        if (text.indexOf(':') < 0)
        {
            final long v4 = parseV4(text, 0, text.length());
            if (v4 < 0)
            {
                return 0;
            }
            out[0] = 0;
            out[1] = V4_MAPPED_LOW | v4;
            return 4;
        }
        if (!parseV6(text, out))
        {
            return 0;
        }
        return isV4Mapped(out[0], out[1]) ? 4 : 6;
    }

    static boolean isV4Mapped(final long high, final long low)
    {
        return high == 0 && (low >>> 32) == 0xFFFFL;
    }

    /** @return the 32-bit address, or -1 */
    static long parseV4(final String s, final int from, final int to)
    {
        long value = 0;
        int parts = 0;
        int i = from;
        while (true)
        {
            final int start = i;
            int octet = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3)
            {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
            }
            final int digits = i - start;
            if (digits == 0 || octet > 255 || (digits > 1 && s.charAt(start) == '0'))
            {
                return -1;
            }
            value = (value << 8) | octet;
            parts++;
            if (i == to)
            {
                return parts == 4 ? value : -1;
            }
            if (s.charAt(i) != '.' || parts == 4)
            {
                return -1;
            }
            i++;
        }
    }

    private static boolean parseV6(final String s, final long[] out)
    {
        final int[] groups = new int[8];
        final int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0)
        {
            return false;
        }
        final int count;
        if (gap < 0)
        {
            count = parseGroups(s, 0, s.length(), groups, 0);
            if (count != 8)
            {
                return false;
            }
        }
        else
        {
            final int[] tail = new int[8];
            final int head = gap == 0 ? 0 : parseGroups(s, 0, gap, groups, 0);
            final int tailCount = gap + 2 == s.length() ? 0 : parseGroups(s, gap + 2, s.length(), tail, 0);
            if (head < 0 || tailCount < 0 || head + tailCount > 7)
            {
                return false;
            }
            System.arraycopy(tail, 0, groups, 8 - tailCount, tailCount);
            count = 8;
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++)
        {
            high = (high << 16) | groups[i];
            low = (low << 16) | groups[i + 4];
        }
        out[0] = high;
        out[1] = low;
        return count == 8;
    }

    /** Colon-separated hex groups of s[from, to), the last one possibly a dotted quad (two groups); -1 if malformed. */
    private static int parseGroups(final String s, final int from, final int to, final int[] groups, final int at)
    {
        int n = at;
        int i = from;
        while (true)
        {
            int end = s.indexOf(':', i);
            if (end < 0 || end > to)
            {
                end = to;
            }
            if (end == to && to == s.length() && s.lastIndexOf('.', to - 1) >= i)
            {
                final long v4 = parseV4(s, i, to);
                if (v4 < 0 || n + 2 > 8)
                {
                    return -1;
                }
                groups[n++] = (int)(v4 >>> 16);
                groups[n++] = (int)(v4 & 0xFFFF);
                return n;
            }
            if (end == i || end - i > 4 || n == 8)
            {
                return -1;
            }
            int group = 0;
            for (int j = i; j < end; j++)
            {
                final int digit = Character.digit(s.charAt(j), 16);
                if (digit < 0 || s.charAt(j) > 'f')
                {
                    return -1;
                }
                group = (group << 4) | digit;
            }
            groups[n++] = group;
            if (end == to)
            {
                return n;
            }
            i = end + 1;
            if (i == to)
            {
                return -1;
            }
        }
    }
}
