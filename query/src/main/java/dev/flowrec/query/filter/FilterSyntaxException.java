package dev.flowrec.query.filter;

import dev.flowrec.journal.text.Pointed;

/**
 * A filter that does not parse: one line naming the 1-based column of the fault and what was expected,
 * e.g. {@code bad filter at column 12: expected a port number after 'port', got 'http'}.
 */
public final class FilterSyntaxException extends IllegalArgumentException implements Pointed
{
    private static final long serialVersionUID = 1L;
    private static final int POINTER_WINDOW = 100;

    private final int column;
    private final String detail;

    public FilterSyntaxException(final int column, final String detail)
    {
        super("bad filter at column " + column + ": " + detail);
        this.column = column;
        this.detail = detail;
    }

    /** 1-based column (UTF-16 char index + 1) of the fault; the text's length + 1 when the fault is its end. */
    public int column()
    {
        return column;
    }

    /** What was wrong, without the "bad filter at column N: " prefix. */
    public String detail()
    {
        return detail;
    }

    /**
     * Two lines for the shell and the CLI: the text (control characters shown as spaces, a long text cut to
     * a window around the fault, cut ends shown as "...") and a caret under the column.
     */
    public String pointer(final String text)
    {
        final String s = text == null ? "" : text;
        final int at = Math.max(0, Math.min(column - 1, s.length()));
        int from = 0;
        int to = s.length();
        if (to > POINTER_WINDOW)
        {
            from = Math.max(0, Math.min(at - POINTER_WINDOW / 2, s.length() - POINTER_WINDOW));
            to = Math.min(s.length(), from + POINTER_WINDOW);
        }
        final StringBuilder line = new StringBuilder(to - from + 8);
        final String head = from > 0 ? "..." : "";
        line.append(head);
        for (int i = from; i < to; i++)
        {
            final char c = s.charAt(i);
            line.append(Printable.isPlain(c) ? c : ' ');
        }
        if (to < s.length())
        {
            line.append("...");
        }
        line.append('\n').append(" ".repeat(head.length() + at - from)).append('^');
        return line.toString();
    }
}
