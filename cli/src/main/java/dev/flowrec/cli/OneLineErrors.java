package dev.flowrec.cli;

import dev.flowrec.journal.text.OneLine;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** A failure is one line on stderr naming what failed on what; FLOWREC_DEBUG=1 adds the stack trace. */
final class OneLineErrors implements IExecutionExceptionHandler
{
    public int handleExecutionException(final Exception ex, final CommandLine cmd, final ParseResult parsed)
    {
        final String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
        cmd.getErr().println("flowrec " + cmd.getCommandName() + ": " + OneLine.of(message));
        if (System.getenv("FLOWREC_DEBUG") != null)
        {
            ex.printStackTrace(cmd.getErr());
        }
        return 1;
    }
}
