package dev.flowrec.query.cli;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Cancellation;
import dev.flowrec.query.QueryCancelledException;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "query", mixinStandardHelpOptions = true,
    description = {"Answers a question about the flows of a journal: a flow listing by default; grouped, top-N, a time "
        + "series, or the flows active at an instant.",
        "Filters (--where) are in the nfdump/tcpdump style, e.g. 'proto tcp and dst port 443 and not src net 10.0.0.0/8'.",
        "Units: a table prints bytes in KiB/MiB/GiB (powers of 1024) and packets exactly; the filter's bytes > 1M is "
            + "1 MiB; durations (--interval) need a unit: 500ms, 1s, 15m, 2h, 7d."})
public final class QueryCommand implements Callable<Integer>
{
    /** How often --follow looks for what was journaled: a delta is printed within this of reaching the journal. */
    private static final long FOLLOW_PERIOD_MS = 250;
    /** 128 + SIGINT, as a shell reports a command ended by Ctrl-C. */
    public static final int EXIT_CANCELLED = 130;

    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory to read (default: ./${DEFAULT-VALUE}, as record writes).")
    Path journal;

    @Mixin
    QueryOptions options;

    @Option(names = "--format", defaultValue = "table",
        description = "table, csv, json or chart (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--chart", description = "Draw a time series (--interval) or grouped answer as a terminal chart: "
        + "a line of Unicode blocks per group over time, or a bar per group, on one scale in the tables' units "
        + "(the same as --format chart).")
    boolean chart;

    @Option(names = "--stats", description = "Print events scanned, time taken and the window to stderr.")
    boolean stats;

    @Option(names = "--follow", description = "Keep printing as the recording grows: every 250 ms, what the journal gained "
        + "(each delta once); the header once (Ctrl-C to stop).")
    boolean follow;

    private final Set<String> warned = new HashSet<>();

    public Integer call() throws InterruptedException
    {
        final long nowNs = Clock.nowNs();
        final Query query = options.toQuery(spec.commandLine(), nowNs);
        if (chart)
        {
            format = Format.chart;
        }
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
                if (follow)
                {
                    follow(query, out, ctrlC);
                    return 0;
                }
                final Answer answer = QueryOptions.answering(spec.commandLine(), () -> QueryEngine.run(journal, query, ctrlC));
                report(answer, query.window());
                AnswerWriter.write(format, answer, out, new Cancellation(ctrlC), query.by().name(), query.intervalNs());
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

    /**
     * Prints the answer so far, then, every {@link #FOLLOW_PERIOD_MS}, the answer over what the journal gained
     * meanwhile: the reader stays at the journal's end, so a delta is printed once, within a period of being journaled,
     * however late it comes; the table's header (and CSV's) is printed once.
     */
    private void follow(final Query query, final PrintWriter out, final CtrlC ctrlC) throws InterruptedException
    {
        try (QueryEngine.Followed followed = QueryEngine.follow(journal, query))
        {
            int[] widths = null;
            boolean first = true;
            while (true)
            {
                final Answer answer = QueryOptions.answering(spec.commandLine(), () -> followed.next(ctrlC));
                report(answer, query.window());
                if (format == Format.table)
                {
                    widths = first || !answer.rows().isEmpty() ? AnswerWriter.followedTable(answer, out, widths,
                        new Cancellation(ctrlC)) : widths;
                }
                else if (first)
                {
                    AnswerWriter.write(format, answer, out, new Cancellation(ctrlC), query.by().name(), query.intervalNs());
                }
                else if (format == Format.csv)
                {
                    AnswerWriter.csvRows(answer, out, new Cancellation(ctrlC));
                }
                else if (!answer.rows().isEmpty())
                {
                    // JSON: the rows, then their coverage; a chart: each window's
                    AnswerWriter.write(format, answer, out, new Cancellation(ctrlC), query.by().name(), query.intervalNs());
                }
                first = false;
                if (out.checkError())
                {
                    return; // whoever read it has gone (query --follow | head): nothing more to print to
                }
                new Cancellation(ctrlC).check();
                Thread.sleep(FOLLOW_PERIOD_MS);
            }
        }
    }

    private void report(final Answer answer, final Window window)
    {
        final PrintWriter err = spec.commandLine().getErr();
        // --follow asks again each second: a name is warned about once
        QueryOptions.warn(spec.commandLine(), answer.warnings().stream().filter(warned::add).toList());
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
            err.println("flowrec query: rollups: " + answer.scan().rollups().describe());
        }
        err.flush();
    }
}
