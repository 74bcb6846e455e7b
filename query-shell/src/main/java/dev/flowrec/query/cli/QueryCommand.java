package dev.flowrec.query.cli;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Cancellation;
import dev.flowrec.query.QueryCancelledException;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "query", mixinStandardHelpOptions = true,
    description = {"Answers a question about the flows of a journal: a flow listing by default; grouped, top-N, a time "
        + "series, or the flows active at an instant.",
        "Filters (--where) are in the nfdump/tcpdump style, e.g. 'proto tcp and dst port 443 and not src net 10.0.0.0/8'."})
public final class QueryCommand implements Callable<Integer>
{
    /** 128 + SIGINT, as a shell reports a command ended by Ctrl-C. */
    public static final int EXIT_CANCELLED = 130;
    private static final long FOLLOW_PERIOD_MS = 1000;
    private static final long FOLLOW_POLL_MS = 100;
    /** --follow asks for what is at least this old, so that deltas journaled late still land in their window. */
    private static final long FOLLOW_LAG_NS = TimeUnit.SECONDS.toNanos(3);

    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory to read (default: ./${DEFAULT-VALUE}, as record writes).")
    Path journal;

    @Mixin
    QueryOptions options;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--stats", description = "Print events scanned, time taken and the window to stderr.")
    boolean stats;

    @Option(names = "--follow", description = "Keep printing new flows as the recording grows (Ctrl-C to stop).")
    boolean follow;

    public Integer call() throws InterruptedException
    {
        final long nowNs = Clock.nowNs();
        final Query query = options.toQuery(spec.commandLine(), nowNs);
        if (follow && (query.window().hasEnd() || query.atNs() != Query.NO_INSTANT))
        {
            throw new ParameterException(spec.commandLine(), "--follow keeps printing what is new: it does not go with " +
                (query.window().hasEnd() ? "--until" : "--at"));
        }
        final PrintWriter out = spec.commandLine().getOut();
        // The message goes out before CtrlC closes: its close lets the JVM end.
        try (CtrlC ctrlC = CtrlC.install())
        {
            try
            {
                final Answer answer = QueryEngine.run(journal, query, ctrlC);
                report(answer, query.window());
                AnswerWriter.write(format, answer, out, new Cancellation(ctrlC));
                if (follow)
                {
                    follow(query, query.window().hasEnd() ? query.window().untilNs() : nowNs, out, ctrlC);
                }
                return 0;
            }
            catch (final QueryCancelledException ex)
            {
                spec.commandLine().getErr().println("flowrec query: cancelled");
                spec.commandLine().getErr().flush();
                return EXIT_CANCELLED;
            }
        }
    }

    /** Prints each new window's rows as the journal grows; consecutive windows never count a delta twice. */
    private void follow(final Query first, final long fromNs, final PrintWriter out, final CtrlC ctrlC)
        throws InterruptedException
    {
        long since = fromNs;
        while (!Thread.currentThread().isInterrupted())
        {
            for (long slept = 0; slept < FOLLOW_PERIOD_MS; slept += FOLLOW_POLL_MS)
            {
                new Cancellation(ctrlC).check();
                Thread.sleep(FOLLOW_POLL_MS);
            }
            final long until = Clock.nowNs() - FOLLOW_LAG_NS;
            if (until <= since)
            {
                continue;
            }
            final Window window = new Window(since, until);
            final Answer answer = QueryEngine.run(journal, first.withWindow(window), ctrlC);
            report(answer, window);
            if (format == Format.csv)
            {
                AnswerWriter.csvRows(answer, out, new Cancellation(ctrlC));
            }
            else if (!answer.rows().isEmpty())
            {
                AnswerWriter.write(format, answer, out, new Cancellation(ctrlC));
            }
            since = until;
        }
    }

    private void report(final Answer answer, final Window window)
    {
        final PrintWriter err = spec.commandLine().getErr();
        if (!answer.coverage().complete())
        {
            err.println("flowrec query: warning: answer " + answer.coverage().describe());
        }
        if (stats)
        {
            err.printf("flowrec query: scanned %d events (%d seek reads), folded %d deltas in %.1f ms; window %s .. %s%n",
                answer.scan().eventsRead(), answer.scan().seekProbes(), answer.scan().deltasFolded(),
                answer.scan().elapsedNs() / 1e6,
                window.hasStart() ? AnswerWriter.isoTime(window.sinceNs()) : "start",
                window.hasEnd() ? AnswerWriter.isoTime(window.untilNs()) : "end");
        }
        err.flush();
    }
}
