package dev.flowrec.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** A failure is one line on stderr naming what failed on what; FLOWREC_DEBUG=1 adds the stack trace. */
final class OneLineErrors implements IExecutionExceptionHandler
{
    public int handleExecutionException(final Exception ex, final CommandLine cmd, final ParseResult parsed)
    {
        final String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
        cmd.getErr().println("flowrec " + cmd.getCommandName() + ": " + oneLine(message));
        if (System.getenv("FLOWREC_DEBUG") != null)
        {
            ex.printStackTrace(cmd.getErr());
        }
        return 1;
    }

    /** Control characters (a newline in a path or a filter, say) shown escaped, so that an error stays one line. */
    static String oneLine(final String message)
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
