package dev.flowrec.query.cli;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Cancellation;
import dev.flowrec.query.QueryCancelledException;
import dev.flowrec.query.Diff;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.Window;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {"Compares two time windows: flows (or groups) new in B, gone since A, and the most changed.",
        "Columns: change, the keys, bytes_a, bytes_b, bytes_change, packets_a, packets_b, packets_change; a table prints "
            + "bytes and their change in KiB/MiB (powers of 1024)."})
public final class DiffCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory to read (default: ./${DEFAULT-VALUE}, as record writes).")
    Path journal;

    @Option(names = "--a", paramLabel = "SINCE..UNTIL", required = true, description = "Window A, e.g. -2h..-1h.")
    String a;

    @Option(names = "--b", paramLabel = "SINCE..UNTIL", required = true, description = "Window B, e.g. -1h..now.")
    String b;

    @Option(names = "--where", paramLabel = "EXPR", description = "Filter, as for query.")
    String where;

    @Option(names = "--group-by", paramLabel = "KEYS", description = "Compare groups instead of flows.")
    String groupBy;

    @Option(names = "--top", paramLabel = "N", description = "At most N rows of each kind (new, gone, changed); N >= 1.")
    Integer top;

    @Option(names = "--inactive-timeout", paramLabel = "D",
        description = "A 5-tuple quiet for longer than this starts a new flow, as a TCP SYN after FIN/RST does (default 15s).")
    String inactiveTimeout;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    Format format;

    public Integer call()
    {
        final long now = Clock.nowNs();
        final List<GroupKey> keys = QueryOptions.groupKeys(spec.commandLine(), groupBy);
        final Query qa = query(window(a, "--a", now), keys);
        final Query qb = query(window(b, "--b", now), keys);
        final int topN = QueryOptions.top(spec.commandLine(), top);
        try (CtrlC ctrlC = CtrlC.install())
        {
            try
            {
                final Answer answer = QueryOptions.answering(spec.commandLine(), () -> Diff.run(journal, qa, qb, topN, ctrlC));
                QueryOptions.warn(spec.commandLine(), answer.warnings());
                if (!answer.coverage().complete())
                {
                    spec.commandLine().getErr().println("flowrec diff: warning: answer " + answer.coverage().describe());
                }
                AnswerWriter.write(format, answer, spec.commandLine().getOut(), new Cancellation(ctrlC));
                return 0;
            }
            catch (final QueryCancelledException ex)
            {
                spec.commandLine().getErr().println("flowrec diff: cancelled");
                spec.commandLine().getErr().flush();
                return QueryCommand.EXIT_CANCELLED;
            }
        }
    }

    private Query query(final Window window, final List<GroupKey> keys)
    {
        return new Query(window, QueryOptions.filter(spec.commandLine(), where), keys, 0, Query.By.bytes, 0, Query.NO_INSTANT,
            QueryOptions.inactiveNs(spec.commandLine(), inactiveTimeout));
    }

    private Window window(final String text, final String option, final long now)
    {
        final int dots = text.indexOf("..");
        if (dots < 0)
        {
            throw new ParameterException(spec.commandLine(), option + ": expected SINCE..UNTIL, e.g. -2h..-1h");
        }
        return new Window(QueryOptions.time(spec.commandLine(), option, text.substring(0, dots), now),
            QueryOptions.time(spec.commandLine(), option, text.substring(dots + 2), now));
    }
}
