package dev.flowrec.journal.schema;

/**
 * The UTF-8 length of a string as {@link String#getBytes} encodes it (an unpaired surrogate as '?'), and the
 * cut of a string longer than a var string holds ({@link Templates#MAX_STRING_BYTES}), at a character
 * boundary: the generated encoders refuse a longer one.
 */
public final class Utf8
{
    private Utf8()
    {
    }

    /** @return {@code value} (null as "") cut to at most {@link Templates#MAX_STRING_BYTES} UTF-8 bytes. */
    public static String cut(final CharSequence value)
    {
        if (value == null)
        {
            return "";
        }
        final int chars = fittingChars(value, Templates.MAX_STRING_BYTES);
        return value.subSequence(0, chars).toString();
    }

    /** @return the UTF-8 bytes of {@code value} (null as ""), cut to at most {@code maxBytes}. */
    static int encodedLength(final CharSequence value, final int maxBytes)
    {
        if (value == null)
        {
            return 0;
        }
        int n = 0;
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            final int size = size(value, i);
            if (n + size > maxBytes)
            {
                break;
            }
            n += size;
            if (size == 4)
            {
                i++;
            }
        }
        return n;
    }

    private static int fittingChars(final CharSequence value, final int maxBytes)
    {
        int n = 0;
        final int length = value.length();
        int i = 0;
        while (i < length)
        {
            final int size = size(value, i);
            if (n + size > maxBytes)
            {
                break;
            }
            n += size;
            i += size == 4 ? 2 : 1;
        }
        return i;
    }

    /** @return the UTF-8 size of the character at {@code i}: 4 for a surrogate pair, 1 for a lone surrogate ('?'). */
    private static int size(final CharSequence value, final int i)
    {
        final char c = value.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1)))
        {
            return 4;
        }
        if (Character.isSurrogate(c))
        {
            return 1;
        }
        return c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
}
