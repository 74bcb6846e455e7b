package dev.flowrec.query.cli;

import dev.flowrec.journal.schema.FlowTimeouts;
import dev.flowrec.journal.text.Durations;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.Times;
import dev.flowrec.query.Window;
import dev.flowrec.journal.text.OneLine;
import dev.flowrec.query.filter.AmbiguousNameException;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FlowFilter;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options that make a {@link Query}: shared by query, export and the shell. */
public final class QueryOptions
{
    @Option(names = "--since", paramLabel = "T", description = "From this time: ISO-8601, epoch seconds, or relative (-15m, -2h).")
    String since;

    @Option(names = "--until", paramLabel = "T", description = "Up to (not including) this time; same forms as --since.")
    String until;

    @Option(names = "--where", paramLabel = "EXPR", description = "Filter, e.g. 'proto tcp and dst port 443', 'bytes > 1M'.")
    String where;

    @Option(names = "--group-by", paramLabel = "KEYS",
        description = "Group flows by keys: src_addr, dst_addr, src_port, dst_port, proto, iface, container, direction, "
            + "conversation, src_net/N, dst_net/N, pid, comm, src_name, dst_name (comma-separated).")
    String groupBy;

    @Option(names = "--top", paramLabel = "N", description = "Keep the N largest rows (per time bucket); N >= 1.")
    Integer top;

    @Option(names = "--by", defaultValue = "bytes", description = "What --top ranks by: bytes, packets or flows.")
    Query.By by;

    @Option(names = "--interval", paramLabel = "D", description = "A time series: one row per bucket of this length (e.g. 1m).")
    String interval;

    @Option(names = "--at", paramLabel = "T", description = "The flows active at this instant.")
    String at;

    @Option(names = "--inactive-timeout", paramLabel = "D",
        description = "A 5-tuple quiet for longer than this starts a new flow, as a TCP SYN after FIN/RST does (default 15s).")
    String inactiveTimeout;

    @Option(names = "--names", paramLabel = "on|off", defaultValue = "on",
        description = "Name flows' addresses from the DNS answers the journal holds (src_name, dst_name; default on). "
            + "off: those columns stay empty and the join per delta is skipped, for speed.")
    String names;

    public Query toQuery(final CommandLine cli, final long nowNs)
    {
        if (!"on".equals(names) && !"off".equals(names))
        {
            throw new ParameterException(cli, "--names " + names + ": expected on or off");
        }
        if (at != null && (since != null || until != null || interval != null))
        {
            throw new ParameterException(cli, "--at asks for one instant: it does not go with " +
                (interval != null ? "--interval" : since != null ? "--since" : "--until"));
        }
        final long sinceNs = since == null ? Long.MIN_VALUE : time(cli, "--since", since, nowNs);
        final long untilNs = until == null ? Long.MAX_VALUE : time(cli, "--until", until, nowNs);
        if (untilNs <= sinceNs)
        {
            throw new ParameterException(cli, "--until must be after --since");
        }
        final long intervalNs = interval == null ? 0 : parsed(cli, "--interval", interval, Durations::parseNs);
        if (interval != null && intervalNs <= 0)
        {
            throw new ParameterException(cli, "--interval must be positive");
        }
        final List<GroupKey> keys = groupKeys(cli, groupBy);
        final long atNs = at == null ? Query.NO_INSTANT : time(cli, "--at", at, nowNs);
        return new Query(new Window(sinceNs, untilNs), filter(cli, where), keys, top(cli, top), by, intervalNs, atNs,
            inactiveNs(cli, inactiveTimeout), "on".equals(names));
    }

    /** @return whether --inactive-timeout was given (the shell's setting applies otherwise). */
    public boolean inactiveTimeoutGiven()
    {
        return inactiveTimeout != null;
    }

    /** One rule for every command's --inactive-timeout: absent means 15 s, else a positive duration with its unit. */
    static long inactiveNs(final CommandLine cli, final String text)
    {
        if (text == null)
        {
            return FlowTimeouts.DEFAULT_INACTIVE_NS;
        }
        final long ns = parsed(cli, "--inactive-timeout", text, Durations::parseNs);
        if (ns <= 0)
        {
            throw new ParameterException(cli, "--inactive-timeout must be positive: " + text);
        }
        return ns;
    }

    /** One rule for every command's --top: absent means every row (0 to the engine), else at least 1. */
    static int top(final CommandLine cli, final Integer top)
    {
        if (top == null)
        {
            return 0;
        }
        if (top < 1)
        {
            throw new ParameterException(cli, "--top must be at least 1: " + top);
        }
        return top;
    }

    static FlowFilter filter(final CommandLine cli, final String text)
    {
        // One line, as every command-line error: the message names the column and the term (the shell, which has
        // the whole line on screen, also points at it).
        return text == null || text.isBlank() ? FilterParser.ALL : parsed(cli, "--where", text, FilterParser::parse);
    }

    static List<GroupKey> groupKeys(final CommandLine cli, final String text)
    {
        return text == null ? List.of() : parsed(cli, "--group-by", text, GroupKey::parseList);
    }

    static long time(final CommandLine cli, final String option, final String text, final long nowNs)
    {
        return parsed(cli, option, text, t -> Times.parseNs(t, nowNs));
    }

    /**
     * Answers a question; a container prefix of {@code --where} that begins several containers' ids is a usage error
     * (exit 2, one line naming them), as a filter that does not parse is.
     */
    static <T> T answering(final CommandLine cli, final Supplier<T> answer)
    {
        try
        {
            return answer.get();
        }
        catch (final AmbiguousNameException ex)
        {
            throw new ParameterException(cli, "--where: " + ex.getMessage(), ex);
        }
    }

    /** One stderr line per warning of an answer, e.g. a name of the filter the window never saw. */
    static void warn(final CommandLine cli, final List<String> warnings)
    {
        for (final String warning : warnings)
        {
            cli.getErr().println("flowrec " + cli.getCommandName() + ": warning: " + OneLine.of(warning));
        }
    }

    /** Reads an option's value with a parser that says what is wrong by an IllegalArgumentException. */
    private static <T> T parsed(final CommandLine cli, final String option, final String text,
        final Function<String, T> parser)
    {
        try
        {
            return parser.apply(text);
        }
        catch (final IllegalArgumentException ex)
        {
            // The cause and the value let the command line show a filter's fault under the filter (Main).
            throw new ParameterException(cli, option + ": " + ex.getMessage(), ex, null, text);
        }
    }
}
