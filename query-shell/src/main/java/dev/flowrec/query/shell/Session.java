package dev.flowrec.query.shell;

import dev.flowrec.journal.schema.FlowTimeouts;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Cancellation;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryCancelledException;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.cli.AnswerWriter;
import dev.flowrec.query.cli.Format;
import dev.flowrec.query.cli.ExportCommand;
import dev.flowrec.query.cli.InfoCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs shell lines against a journal: parses each into an {@link Action} and carries it out, answers through the
 * one query engine and {@link AnswerWriter}. The same for the terminal and for a pipe; only where errors go and
 * how they look differ ({@link Errors}). A running query polls {@link #cancel()}'s flag, which another thread
 * (a SIGINT handler) may set.
 */
final class Session
{
    /** How a line went. */
    enum Outcome
    {
        DONE, FAILED, CANCELLED, QUIT
    }

    /** Where a failed line is reported. */
    interface Errors
    {
        void report(String line, String message, String pointer);

        void warn(String message);
    }

    private final Path journal;
    private final PrintWriter out;
    private final Errors errors;
    private Format format = Format.table;
    private long inactiveNs = FlowTimeouts.DEFAULT_INACTIVE_NS;
    private volatile boolean cancelled;

    Session(final Path journal, final PrintWriter out, final Errors errors)
    {
        this.journal = journal;
        this.out = out;
        this.errors = errors;
    }

    /** Asks a running query to stop: it returns to the prompt within one read batch. */
    void cancel()
    {
        cancelled = true;
    }

    Outcome execute(final String line)
    {
        cancelled = false;
        final Action action;
        try
        {
            action = ShellParser.parse(line, nowNs());
        }
        catch (final ShellSyntaxException ex)
        {
            errors.report(line, ex.getMessage(), ex.pointer(line));
            return Outcome.FAILED;
        }
        try
        {
            return carryOut(action);
        }
        catch (final RuntimeException ex)
        {
            // a journal that cannot be read, a window the engine refuses: one line, and the shell lives on
            errors.report(line, ex.getMessage() != null ? ex.getMessage() : ex.toString(), "");
            return Outcome.FAILED;
        }
        finally
        {
            out.flush();
        }
    }

    private Outcome carryOut(final Action action)
    {
        switch (action)
        {
            case Action.Ask ask ->
            {
                final Query query = ask.ownTimeout() ? ask.query() : ask.query().withInactiveNs(inactiveNs);
                try
                {
                    final Answer answer = QueryEngine.run(ask.journal() != null ? ask.journal() : journal, query, () -> cancelled);
                    answer.warnings().forEach(errors::warn);
                    if (!answer.coverage().complete())
                    {
                        errors.warn("answer " + answer.coverage().describe());
                    }
                    AnswerWriter.write(ask.format() != null ? ask.format() : format, answer, out,
                        new Cancellation(() -> cancelled), query.by().name(), query.intervalNs());
                }
                catch (final QueryCancelledException ex)
                {
                    out.println("cancelled");
                    return Outcome.CANCELLED;
                }
            }
            case Action.SetInactiveTimeout set ->
            {
                if (set.ns() == 0)
                {
                    out.println("inactive-timeout " + (inactiveNs % 1_000_000_000L == 0 ? inactiveNs / 1_000_000_000L + "s"
                        : inactiveNs / 1_000_000L + "ms"));
                }
                else
                {
                    inactiveNs = set.ns();
                }
            }
            case Action.SetFormat set ->
            {
                if (set.format() == null)
                {
                    out.println("format " + format);
                }
                else
                {
                    format = set.format();
                }
            }
            case Action.Info ignored -> info();
            case Action.Export export ->
            {
                return export(export.args());
            }
            case Action.Help help -> HelpText.lines(help.topic()).forEach(out::println);
            case Action.Quit ignored ->
            {
                return Outcome.QUIT;
            }
            case Action.Nothing ignored ->
            {
                // a blank line or a comment
            }
        }
        return Outcome.DONE;
    }

    /** {@code flowrec info}'s own answer, through its command (not cancellable: JournalSummary takes no flag). */
    private void info()
    {
        final CommandLine cli = new CommandLine(new InfoCommand()).setOut(out);
        cli.setExecutionExceptionHandler((ex, command, parsed) ->
        {
            throw ex;
        });
        cli.execute("--journal", journal.toString());
    }

    /** The export command itself, on this journal unless told otherwise: one exporter for the CLI and the shell. */
    private Outcome export(final List<String> args)
    {
        final List<String> all = new ArrayList<>(args);
        if (!all.contains("--journal"))
        {
            all.addAll(List.of("--journal", journal.toString()));
        }
        final CommandLine cli = new CommandLine(new ExportCommand()).setOut(out)
            .setErr(new PrintWriter(System.err, true));
        cli.setExecutionExceptionHandler((ex, command, parsed) ->
        {
            errors.report("export", "export: " + ex.getMessage(), "");
            return 1;
        });
        cli.setParameterExceptionHandler((ex, ignored) ->
        {
            errors.report("export", "export: " + ex.getMessage(), "");
            return 2;
        });
        return cli.execute(all.toArray(String[]::new)) == 0 ? Outcome.DONE : Outcome.FAILED;
    }

    private static long nowNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
