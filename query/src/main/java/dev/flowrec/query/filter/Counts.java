package dev.flowrec.query.filter;

import java.math.BigDecimal;

/**
 * Byte and packet counts as the filter language spells them: a whole number with an optional k, M, G or T
 * suffix (any case); a fraction is allowed with a suffix when the result is whole (1.5M). For bytes the suffixes
 * are powers of 1024 (KiB, MiB, ...), as every size flowrec parses or prints; for packets, powers of 1000.
 */
final class Counts
{
    private static final String SUFFIXES = "kmgt";
    private static final String CANONICAL_SUFFIXES = "kMGT";
    private static final long[] DECIMAL = {1_000L, 1_000_000L, 1_000_000_000L, 1_000_000_000_000L};
    private static final long[] BINARY = {1L << 10, 1L << 20, 1L << 30, 1L << 40};
    private static final int MAX_DIGITS = 40;

    private Counts()
    {
    }

    static boolean looksLikeCount(final String s)
    {
        int i = 0;
        final int n = s.length();
        final int intStart = i;
        while (i < n && isDigit(s.charAt(i)))
        {
            i++;
        }
        if (i == intStart)
        {
            return false;
        }
        if (i < n && s.charAt(i) == '.')
        {
            final int fracStart = ++i;
            while (i < n && isDigit(s.charAt(i)))
            {
                i++;
            }
            if (i == fracStart)
            {
                return false;
            }
        }
        if (i < n && SUFFIXES.indexOf(lower(s.charAt(i))) >= 0)
        {
            i++;
        }
        return i == n;
    }

    /**
     * @param binary whether the suffixes are powers of 1024 (bytes) rather than 1000 (packets)
     * @return the count, or -1 if not a count or not whole, or -2 if out of range
     */
    static long parse(final String s, final boolean binary)
    {
        if (!looksLikeCount(s) || s.length() > MAX_DIGITS)
        {
            return looksLikeCount(s) ? -2 : -1;
        }
        final int unit = SUFFIXES.indexOf(lower(s.charAt(s.length() - 1)));
        final String digits = unit >= 0 ? s.substring(0, s.length() - 1) : s;
        BigDecimal value = new BigDecimal(digits);
        if (unit >= 0)
        {
            value = value.multiply(BigDecimal.valueOf((binary ? BINARY : DECIMAL)[unit]));
        }
        value = value.stripTrailingZeros();
        if (value.scale() > 0)
        {
            return -1;
        }
        if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0)
        {
            return -2;
        }
        return value.longValueExact();
    }

    /** The shortest exact spelling: 1500000 packets is 1500k, 2000000000 is 2G; 1048576 bytes is 1M. */
    static String format(final long value, final boolean binary)
    {
        final long[] multipliers = binary ? BINARY : DECIMAL;
        if (value != 0)
        {
            for (int unit = multipliers.length - 1; unit >= 0; unit--)
            {
                if (value % multipliers[unit] == 0)
                {
                    return (value / multipliers[unit]) + String.valueOf(CANONICAL_SUFFIXES.charAt(unit));
                }
            }
        }
        return Long.toString(value);
    }

    static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    /** Whether text[from, to) is one or more ASCII digits. */
    static boolean isDigits(final String text, final int from, final int to)
    {
        if (to <= from)
        {
            return false;
        }
        for (int i = from; i < to; i++)
        {
            if (!isDigit(text.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    /** ASCII-only lower case, so that no other script's letters fold onto the keywords. */
    static char lower(final char c)
    {
        return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
    }

    /** A plain unsigned decimal of at most 9 digits, or -1. */
    static int parseSmall(final String s, final int from, final int to)
    {
        if (to <= from || to - from > 9)
        {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++)
        {
            if (!isDigit(s.charAt(i)))
            {
                return -1;
            }
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }
}
