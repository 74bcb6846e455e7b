package dev.flowrec.query.shell;

import dev.flowrec.journal.text.OneLine;
import java.io.IOException;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

/**
 * The shell on a terminal: a JLine reader with history, completion and highlighting. Ctrl-C at the prompt clears
 * the line; Ctrl-C while a query runs cancels it (the terminal's SIGINT handler sets the session's flag, which the
 * replay polls between batches); Ctrl-D on an empty line or {@code quit} leaves.
 */
final class Repl
{
    static final String PROMPT = "flowrec> ";

    private Repl()
    {
    }

    static int run(final Path journal, final JournalNames names, final Path history) throws IOException
    {
        try (Terminal terminal = TerminalBuilder.builder().name("flowrec").system(true).build())
        {
            final Session session = new Session(journal, terminal.writer(), errors(terminal));
            final LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("flowrec")
                .completer(new ShellCompleter(names))
                .highlighter(new ShellHighlighter())
                .variable(LineReader.HISTORY_FILE, history)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is the filter's not, never history
                .build();
            // Outside readLine (which installs its own), SIGINT means: stop the running query.
            terminal.handle(Terminal.Signal.INT, signal -> session.cancel());
            while (true)
            {
                final String line;
                try
                {
                    line = reader.readLine(PROMPT);
                }
                catch (final UserInterruptException ex)
                {
                    continue; // Ctrl-C at the prompt: the line is dropped, the shell stays
                }
                catch (final EndOfFileException ex)
                {
                    break;
                }
                if (session.execute(line) == Session.Outcome.QUIT)
                {
                    break;
                }
            }
            reader.getHistory().save();
        }
        return 0;
    }

    private static Session.Errors errors(final Terminal terminal)
    {
        return new Session.Errors()
        {
            public void report(final String line, final String message, final String pointer)
            {
                terminal.writer().println(new AttributedString(OneLine.of(message), AttributedStyle.DEFAULT.foreground(AttributedStyle.RED))
                    .toAnsi(terminal));
                if (!pointer.isEmpty())
                {
                    terminal.writer().println(pointer);
                }
                terminal.flush();
            }

            public void warn(final String message)
            {
                terminal.writer().println(new AttributedString("warning: " + OneLine.of(message),
                    AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW)).toAnsi(terminal));
                terminal.flush();
            }
        };
    }
}
