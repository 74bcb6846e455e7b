package dev.flowrec.recorder.live;

import dev.flowrec.journal.text.JsonText;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A minimal JSON writer for the live view's small documents: commas are placed by the writer, strings
 * are escaped per RFC 8259 ({@link JsonText}), non-finite numbers become null. Not a parser, not general:
 * one document per instance.
 */
final class Json
{
    private final StringBuilder out = new StringBuilder(4096);
    private boolean needComma;

    Json beginObject()
    {
        return begin('{');
    }

    Json endObject()
    {
        return end('}');
    }

    Json beginArray()
    {
        return begin('[');
    }

    Json endArray()
    {
        return end(']');
    }

    /** Writes a member name; the next value, object or array is its value. */
    Json key(final String name)
    {
        separate();
        JsonText.quote(out, name);
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
            JsonText.quote(out, value);
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

    /** A value already written as JSON (another writer's object). */
    Json raw(final String json)
    {
        separate();
        out.append(json);
        needComma = true;
        return this;
    }

    Json value(final boolean value)
    {
        return raw(value ? "true" : "false");
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

    private Json begin(final char bracket)
    {
        separate();
        out.append(bracket);
        needComma = false;
        return this;
    }

    private Json end(final char bracket)
    {
        out.append(bracket);
        needComma = true;
        return this;
    }

    private void separate()
    {
        if (needComma)
        {
            out.append(',');
        }
    }
}
