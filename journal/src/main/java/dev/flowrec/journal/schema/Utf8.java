package dev.flowrec.journal.schema;

/**
 * The UTF-8 length of a string as {@link String#getBytes} encodes it (an unpaired surrogate as '?'), and the
 * cut of a string longer than a var string holds ({@link Templates#MAX_STRING_BYTES}), at a character
 * boundary: the generated encoders refuse a longer one. Allocates nothing but the cut string.
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
        return value.subSequence(0, (int)fit(value, Templates.MAX_STRING_BYTES)).toString();
    }

    /** @return the UTF-8 bytes of {@code value} (null as ""), cut to at most {@code maxBytes}. */
    static int encodedLength(final CharSequence value, final int maxBytes)
    {
        return value == null ? 0 : (int)(fit(value, maxBytes) >>> 32);
    }

    /** @return the bytes (high 32 bits) and the chars (low 32 bits) of the longest prefix within maxBytes. */
    private static long fit(final CharSequence value, final int maxBytes)
    {
        final int length = value.length();
        int bytes = 0;
        int i = 0;
        while (i < length)
        {
            final char c = value.charAt(i);
            final boolean pair =
                Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1));
            final int size = pair ? 4 : Character.isSurrogate(c) || c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if (bytes + size > maxBytes)
            {
                break;
            }
            bytes += size;
            i += pair ? 2 : 1;
        }
        return (long)bytes << 32 | i;
    }
}
