package dev.flowrec.query.cli;

import dev.flowrec.journal.text.Durations;
import dev.flowrec.query.top.Top;
import dev.flowrec.query.top.TopSource;
import dev.flowrec.syscall.Libc;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "top", mixinStandardHelpOptions = true,
    description = {"A live view of a running recorder (its --http address) or of a journal followed live: the busiest "
        + "interfaces and containers by rate and the top flows of the last 10 s, refreshed every --interval.",
        "On a terminal it is full-screen: b/p sort by bytes/packets, g groups by flow, src, dst, container, comm in turn, "
            + "/ edits the filter (the readers' language; Enter applies, Esc cancels), space pauses, q or Ctrl-C quits. "
            + "Otherwise (a pipe, a file) it prints the same view plainly every --interval."})
public final class TopCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--http", paramLabel = "ADDR:PORT",
        description = "The recorder's live view (default: 127.0.0.1:8080, as record serves it).")
    String http;

    @Option(names = "--journal", paramLabel = "DIR",
        description = "Follow this journal instead of asking a recorder: each refresh reads its last 10 s.")
    Path journal;

    @Option(names = "--where", paramLabel = "EXPR", defaultValue = "", description = "Filter, e.g. 'proto tcp and port 443'.")
    String where;

    @Option(names = "--group-by", paramLabel = "KEY", defaultValue = "flow",
        description = "flow, src, dst, container or comm (default: ${DEFAULT-VALUE}).")
    String groupBy;

    @Option(names = "--by", paramLabel = "METRIC", defaultValue = "bytes", description = "bytes or packets (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--interval", paramLabel = "D", defaultValue = "1s", description = "Refresh period (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "Printed views before exiting when not on a terminal (default: 0, until killed).")
    long count;

    public Integer call() throws Exception
    {
        if (http != null && journal != null)
        {
            throw new ParameterException(spec.commandLine(), "--http and --journal are two sources: give one");
        }
        if (!Top.groups().contains(groupBy))
        {
            throw new ParameterException(spec.commandLine(), "--group-by " + groupBy + ": expected one of " + Top.groups());
        }
        if (!by.equals("bytes") && !by.equals("packets"))
        {
            throw new ParameterException(spec.commandLine(), "--by " + by + ": expected bytes or packets");
        }
        if (count < 0)
        {
            throw new ParameterException(spec.commandLine(), "--count must be 0 or more");
        }
        final long intervalNs;
        try
        {
            intervalNs = Durations.parseNs(interval);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), "--interval: " + ex.getMessage());
        }
        if (intervalNs < 100_000_000L)
        {
            throw new ParameterException(spec.commandLine(), "--interval " + interval + ": at least 100ms");
        }
        QueryOptions.filter(spec.commandLine(), where); // a bad filter is a usage error, with its caret, before anything
        try (TopSource source = journal != null ? Top.journal(journal, Clock::nowNs) :
            Top.http(http != null ? http : "127.0.0.1:8080"))
        {
            if (Libc.isatty(0) && Libc.isatty(1))
            {
                Top.interactive(source, by, groupBy, where, intervalNs);
                return 0;
            }
            return Top.plain(source, by, groupBy, where, intervalNs, count, spec.commandLine().getOut(),
                spec.commandLine().getErr());
        }
    }
}
