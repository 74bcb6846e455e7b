package dev.flowrec.query.shell;

import dev.flowrec.journal.text.OneLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The shell on a pipe: one command a line, no prompt, no colour; answers on stdout, and for a bad line one error
 * line on stderr (a filter's fault with a caret under it) before going on with the next.
 */
final class PipeLoop
{
    private PipeLoop()
    {
    }

    /** @return 0 when every line succeeded, 1 when one failed */
    static int run(final Path journal, final BufferedReader in, final PrintWriter out,
        final PrintWriter err) throws IOException
    {
        final int[] lineNumber = {0};
        final Session session = new Session(journal, out, new Session.Errors()
        {
            public void report(final String line, final String message, final String pointer)
            {
                err.println("flowrec shell: line " + lineNumber[0] + ": " + OneLine.of(message));
                if (!pointer.isEmpty())
                {
                    err.println(pointer);
                }
                err.flush();
            }

            public void warn(final String message)
            {
                err.println("flowrec shell: line " + lineNumber[0] + ": warning: " + OneLine.of(message));
                err.flush();
            }
        });
        boolean failed = false;
        String line;
        while ((line = in.readLine()) != null)
        {
            lineNumber[0]++;
            final Session.Outcome outcome = session.execute(line);
            failed |= outcome == Session.Outcome.FAILED;
            if (outcome == Session.Outcome.QUIT)
            {
                break;
            }
        }
        out.flush();
        return failed ? 1 : 0;
    }
}
