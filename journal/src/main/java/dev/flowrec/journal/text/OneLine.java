package dev.flowrec.journal.text;

/**
 * A message on one line: control characters (a newline in a path or a filter, say) shown escaped, so that every
 * error of the command line, the recorder's warnings included, stays one line on stderr.
 */
public final class OneLine
{
    private OneLine()
    {
    }

    public static String of(final String message)
    {
        final StringBuilder sb = new StringBuilder(message.length());
        message.codePoints().forEach(c ->
        {
            switch (c)
            {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c));
            }
        });
        return sb.toString();
    }
}
