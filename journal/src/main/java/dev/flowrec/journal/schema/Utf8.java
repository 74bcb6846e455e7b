package dev.flowrec.journal.schema;

import org.agrona.MutableDirectBuffer;

/**
 * UTF-8 encoding into a buffer without allocation, cut at a character boundary when longer than a
 * limit. An unpaired surrogate is written as '?', as {@link String#getBytes} does.
 */
final class Utf8
{
    private Utf8()
    {
    }

    static int encodedLength(final CharSequence value, final int maxBytes)
    {
        return encode(null, 0, value, maxBytes);
    }

    /** Encodes {@code value} at {@code index} (or only measures it when buffer is null); returns bytes. */
    static int encode(final MutableDirectBuffer buffer, final int index, final CharSequence value, final int maxBytes)
    {
        if (value == null)
        {
            return 0;
        }
        int n = 0;
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            int codePoint = c;
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                codePoint = Character.toCodePoint(c, value.charAt(i + 1));
            }
            else if (Character.isSurrogate(c))
            {
                codePoint = '?';
            }
            final int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (n + size > maxBytes)
            {
                break;
            }
            if (buffer != null)
            {
                put(buffer, index + n, codePoint, size);
            }
            n += size;
            if (codePoint > 0xFFFF)
            {
                i++;
            }
        }
        return n;
    }

    private static void put(final MutableDirectBuffer buffer, final int index, final int cp, final int size)
    {
        switch (size)
        {
            case 1 -> buffer.putByte(index, (byte)cp);
            case 2 ->
            {
                buffer.putByte(index, (byte)(0xC0 | cp >> 6));
                buffer.putByte(index + 1, (byte)(0x80 | cp & 0x3F));
            }
            case 3 ->
            {
                buffer.putByte(index, (byte)(0xE0 | cp >> 12));
                buffer.putByte(index + 1, (byte)(0x80 | cp >> 6 & 0x3F));
                buffer.putByte(index + 2, (byte)(0x80 | cp & 0x3F));
            }
            default ->
            {
                buffer.putByte(index, (byte)(0xF0 | cp >> 18));
                buffer.putByte(index + 1, (byte)(0x80 | cp >> 12 & 0x3F));
                buffer.putByte(index + 2, (byte)(0x80 | cp >> 6 & 0x3F));
                buffer.putByte(index + 3, (byte)(0x80 | cp & 0x3F));
            }
        }
    }
}
