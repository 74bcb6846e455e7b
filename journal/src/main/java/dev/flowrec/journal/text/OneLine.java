package dev.flowrec.journal.text;

/**
 * Text made safe for a terminal, on one line: every character a terminal would interpret or that would break or
 * hide the line (C0 and C1 controls, ESC and BEL among them, DEL, line and paragraph separators, Unicode format
 * characters such as bidirectional overrides and zero-width joiners, unassigned and private-use code points, lone
 * surrogates) is shown escaped. The one function for every human-facing output: errors and warnings on stderr,
 * table and CSV text fields, info, the shell's messages. An interface or container name is data an attacker may
 * choose; printed raw, an ESC sequence in it could rewrite the user's terminal.
 */
public final class OneLine
{
    private OneLine()
    {
    }

    /** @return the text with what is not {@link #isPlain} escaped ({@code \n}, {@code \t}, {@code \u001b}); the text itself when all of it is plain. */
    public static String of(final String text)
    {
        if (text == null)
        {
            return "null";
        }
        int i = 0;
        while (i < text.length() && isPlain(text.codePointAt(i)))
        {
            i += Character.charCount(text.codePointAt(i));
        }
        if (i == text.length())
        {
            return text;
        }
        final StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        while (i < text.length())
        {
            final int c = text.codePointAt(i);
            i += Character.charCount(c);
            switch (c)
            {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (isPlain(c))
                    {
                        sb.appendCodePoint(c);
                    }
                    else
                    {
                        sb.append(c > 0xFFFF ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
                    }
                }
            }
        }
        return sb.toString();
    }

    /** @return whether a terminal shows the code point as itself, on the line, without acting on it. */
    public static boolean isPlain(final int c)
    {
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE))
        {
            return false;
        }
        final int type = Character.getType(c);
        return type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR && type != Character.FORMAT &&
            type != Character.UNASSIGNED && type != Character.PRIVATE_USE;
    }
}
