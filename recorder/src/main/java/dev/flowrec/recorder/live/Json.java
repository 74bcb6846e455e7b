package dev.flowrec.recorder.live;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A minimal JSON writer for the live view's small documents: commas are placed by the writer, strings
 * are escaped per RFC 8259 (quote, backslash, control characters, lone surrogates), non-finite numbers
 * become null. Not a parser, not general: one document per instance.
 */
final class Json
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(4096);
    private boolean needComma;

    Json beginObject()
    {
        separate();
        out.append('{');
        needComma = false;
        return this;
    }

    Json endObject()
    {
        out.append('}');
        needComma = true;
        return this;
    }

    Json beginArray()
    {
        separate();
        out.append('[');
        needComma = false;
        return this;
    }

    Json endArray()
    {
        out.append(']');
        needComma = true;
        return this;
    }

    /** Writes a member name; the next value, object or array is its value. */
    Json key(final String name)
    {
        separate();
        string(name);
        out.append(':');
        needComma = false;
        return this;
    }

    Json value(final String value)
    {
        separate();
        if (value == null)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        needComma = true;
        return this;
    }

    Json value(final long value)
    {
        separate();
        out.append(value);
        needComma = true;
        return this;
    }

    /** Rates: at most 3 decimals, no exponent, no trailing zeros. */
    Json value(final double value)
    {
        separate();
        if (Double.isFinite(value))
        {
            out.append(BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
        }
        else
        {
            out.append("null");
        }
        needComma = true;
        return this;
    }

    Json field(final String name, final String value)
    {
        return key(name).value(value);
    }

    Json field(final String name, final long value)
    {
        return key(name).value(value);
    }

    Json field(final String name, final double value)
    {
        return key(name).value(value);
    }

    public String toString()
    {
        return out.toString();
    }

    private void separate()
    {
        if (needComma)
        {
            out.append(',');
        }
    }

    private void string(final String s)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20 || isLoneSurrogate(s, i))
                    {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
                            .append(HEX[c & 0xF]);
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A lone surrogate is not encodable as UTF-8; escaped, the text at least survives. */
    private static boolean isLoneSurrogate(final String s, final int i)
    {
        final char c = s.charAt(i);
        if (Character.isHighSurrogate(c))
        {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
    }
}
