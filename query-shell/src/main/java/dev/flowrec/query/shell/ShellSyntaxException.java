package dev.flowrec.query.shell;

import dev.flowrec.query.filter.FilterSyntaxException;

/**
 * A shell line that does not parse: one line of message and, when the fault has a place, the 1-based column in
 * the line to point at (0 for none).
 */
final class ShellSyntaxException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final int column;

    ShellSyntaxException(final int column, final String message)
    {
        super(message);
        this.column = column;
    }

    int column()
    {
        return column;
    }

    /** The line with a caret under the column, as a filter error shows it; empty when there is no column. */
    String pointer(final String line)
    {
        return column <= 0 ? "" : new FilterSyntaxException(column, getMessage()).pointer(line);
    }
}
