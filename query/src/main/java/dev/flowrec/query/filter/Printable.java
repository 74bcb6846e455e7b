package dev.flowrec.query.filter;

import dev.flowrec.journal.text.OneLine;

/** Keeps messages on one line: characters that could break or hide it are shown as \\uXXXX. */
final class Printable
{
    private static final int MAX_QUOTED = 40;

    private Printable()
    {
    }

    static boolean isPlain(final char c)
    {
        return OneLine.isPlain(c);
    }

    /** The text in single quotes, escaped and cut to a readable length. */
    static String quote(final String text)
    {
        final StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8).append('\'');
        for (int i = 0; i < text.length(); i++)
        {
            if (i == MAX_QUOTED)
            {
                sb.append("...");
                break;
            }
            final char c = text.charAt(i);
            if (isPlain(c))
            {
                sb.append(c);
            }
            else
            {
                sb.append(String.format("\\u%04X", (int)c));
            }
        }
        return sb.append('\'').toString();
    }
}
