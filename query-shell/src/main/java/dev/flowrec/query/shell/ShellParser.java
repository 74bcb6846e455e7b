package dev.flowrec.query.shell;

import static dev.flowrec.query.shell.ClauseValues.by;
import static dev.flowrec.query.shell.ClauseValues.filter;
import static dev.flowrec.query.shell.ClauseValues.interval;
import static dev.flowrec.query.shell.ClauseValues.keys;
import static dev.flowrec.query.shell.ClauseValues.positive;
import static dev.flowrec.query.shell.ClauseValues.single;
import static dev.flowrec.query.shell.ClauseValues.time;

import dev.flowrec.journal.text.Durations;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.Window;
import dev.flowrec.query.cli.Format;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FlowFilter;
import dev.flowrec.query.shell.Layout.Part;
import dev.flowrec.query.shell.Layout.Word;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Reads one shell line into an {@link Action}: the shell's words ({@code top 10 src_addr by bytes where proto tcp})
 * into the same {@link Query} that the command line's options make, or the command line's own form
 * ({@code query --where ... --group-by ...}) through picocli and {@link dev.flowrec.query.cli.QueryOptions}.
 * Every fault is a {@link ShellSyntaxException} naming what is wrong and, where it can, the column. This class
 * knows which words each command takes; {@link ClauseValues} reads what each word means.
 */
final class ShellParser
{
    private ShellParser()
    {
    }

    /** @param nowNs the reference of relative times ({@code since -1h}) */
    static Action parse(final String line, final long nowNs)
    {
        final Layout layout = Layout.of(line);
        if (layout.verb() == null || layout.verb().text().startsWith("#"))
        {
            return new Action.Nothing();
        }
        final Verb verb = layout.command();
        if (verb == null)
        {
            throw new ShellSyntaxException(layout.verb().start() + 1, "unknown command " + quote(layout.verb().text())
                + " (commands: " + String.join(", ", Verb.words()) + "; type help)");
        }
        return switch (verb)
        {
            case FLOWS, TOP, GROUP, SERIES, AT -> ask(layout, verb, nowNs);
            case FORMAT -> format(layout);
            case INACTIVE_TIMEOUT -> inactiveTimeout(layout);
            case INFO -> noArguments(layout, verb, new Action.Info());
            case QUIT -> noArguments(layout, verb, new Action.Quit());
            case HELP -> help(layout);
            case QUERY -> commandLine(line.substring(layout.verb().end()), nowNs);
            case EXPORT -> new Action.Export(Arguments.split(line.substring(layout.verb().end())));
        };
    }

    private static Action ask(final Layout layout, final Verb verb, final long nowNs)
    {
        final Map<Clause, Part> clauses = clauses(layout, verb);
        final List<Word> args = layout.arguments();
        int top = 0;
        List<GroupKey> keys = List.of();
        long intervalNs = 0;
        long atNs = Query.NO_INSTANT;
        switch (verb.shape)
        {
            case NONE ->
            {
                if (!args.isEmpty())
                {
                    throw unexpected(args.getFirst(), verb);
                }
            }
            case TOP ->
            {
                top = positive(required(layout, verb, "N"), "top N");
                keys = keys(args.subList(1, args.size()));
            }
            case GROUP ->
            {
                required(layout, verb, "KEYS");
                keys = keys(args);
            }
            case SERIES ->
            {
                intervalNs = interval(required(layout, verb, "D"));
                keys = keys(args.subList(1, args.size()));
            }
            case INSTANT ->
            {
                required(layout, verb, "T");
                atNs = time(args.getFirst(), layout.line().substring(args.getFirst().start(), args.getLast().end()),
                    "at", nowNs);
            }
            default -> throw new IllegalStateException(verb.toString());
        }
        final Part topPart = clauses.get(Clause.TOP);
        if (topPart != null)
        {
            top = positive(single(topPart), "top N");
        }
        final Part byPart = clauses.get(Clause.BY);
        final Query.By by = byPart == null ? Query.By.bytes : by(single(byPart));
        final long sinceNs = clauses.containsKey(Clause.SINCE) ? time(clauses.get(Clause.SINCE), layout.line(), nowNs) : Long.MIN_VALUE;
        final long untilNs = clauses.containsKey(Clause.UNTIL) ? time(clauses.get(Clause.UNTIL), layout.line(), nowNs) : Long.MAX_VALUE;
        if (untilNs <= sinceNs)
        {
            throw new ShellSyntaxException(clauses.get(Clause.UNTIL).keyword().start() + 1,
                "until must be after since: the time window is empty");
        }
        final FlowFilter where = clauses.containsKey(Clause.WHERE) ? filter(clauses.get(Clause.WHERE), layout.line()) : FilterParser.ALL;
        return new Action.Ask(new Query(new Window(sinceNs, untilNs), where, keys, top, by, intervalNs, atNs), null, null,
            false);
    }

    /** Each clause the command takes, at most once, each with a value. */
    private static Map<Clause, Part> clauses(final Layout layout, final Verb verb)
    {
        final Map<Clause, Part> clauses = new EnumMap<>(Clause.class);
        for (final Part part : layout.parts())
        {
            final Word keyword = part.keyword();
            if (!verb.clauses.contains(part.clause()))
            {
                throw new ShellSyntaxException(keyword.start() + 1, quote(keyword.text()) + " does not go with "
                    + verb.word() + ": " + verb.usage());
            }
            if (clauses.put(part.clause(), part) != null)
            {
                throw new ShellSyntaxException(keyword.start() + 1, quote(keyword.text()) + " given twice");
            }
            if (part.words().isEmpty())
            {
                throw new ShellSyntaxException(keyword.end() + 2, quote(keyword.text()) + " needs a value: "
                    + part.clause().keyword + " " + part.clause().label);
            }
        }
        return clauses;
    }

    /** The command's first argument, which it cannot do without. */
    private static Word required(final Layout layout, final Verb verb, final String label)
    {
        if (layout.arguments().isEmpty())
        {
            final Word after = layout.verb();
            throw new ShellSyntaxException(after.end() + 2, verb.word() + " needs " + label + ": " + verb.usage());
        }
        return layout.arguments().getFirst();
    }

    private static Action format(final Layout layout)
    {
        final Word name = optional(layout, Verb.FORMAT);
        if (name == null)
        {
            return new Action.SetFormat(null);
        }
        try
        {
            return new Action.SetFormat(Format.valueOf(name.lower()));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ShellSyntaxException(name.start() + 1, "format: expected table, csv, json or chart, got " + quote(name.text()));
        }
    }

    private static Action inactiveTimeout(final Layout layout)
    {
        final Word value = optional(layout, Verb.INACTIVE_TIMEOUT);
        if (value == null)
        {
            return new Action.SetInactiveTimeout(0);
        }
        final long ns;
        try
        {
            ns = Durations.parseNs(value.text());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ShellSyntaxException(value.start() + 1, "inactive-timeout: " + ex.getMessage());
        }
        if (ns <= 0)
        {
            throw new ShellSyntaxException(value.start() + 1, "inactive-timeout: must be positive, got " + quote(value.text()));
        }
        return new Action.SetInactiveTimeout(ns);
    }

    private static Action help(final Layout layout)
    {
        final Word topic = optional(layout, Verb.HELP);
        if (topic == null)
        {
            return new Action.Help(null);
        }
        final Verb verb = Verb.of(topic.text());
        if (verb == null && Clause.of(topic.text()) == null)
        {
            throw new ShellSyntaxException(topic.start() + 1, "help: no command " + quote(topic.text()) + " (commands: "
                + String.join(", ", Verb.words()) + "; clauses: "
                + java.util.Arrays.stream(Clause.values()).map(c -> c.keyword).collect(Collectors.joining(", ")) + ")");
        }
        return new Action.Help(verb != null ? verb.word() : topic.lower());
    }

    /** The command's one optional argument; null without one. */
    private static Word optional(final Layout layout, final Verb verb)
    {
        final List<Word> args = layout.arguments();
        if (args.size() > 1)
        {
            throw unexpected(args.get(1), verb);
        }
        return args.isEmpty() ? null : args.getFirst();
    }

    private static Action noArguments(final Layout layout, final Verb verb, final Action action)
    {
        if (!layout.arguments().isEmpty())
        {
            throw unexpected(layout.arguments().getFirst(), verb);
        }
        return action;
    }

    /** {@code query --where 'proto tcp' --group-by src_addr}: the command line's options, parsed by picocli. */
    private static Action commandLine(final String rest, final long nowNs)
    {
        final List<String> args = Arguments.split(rest);
        final CommandLineQuery command = new CommandLineQuery();
        final CommandLine cli = new CommandLine(command);
        try
        {
            cli.parseArgs(args.toArray(String[]::new));
            return new Action.Ask(command.options.toQuery(cli, nowNs), command.chart ? Format.chart : command.format, command.journal,
                command.options.inactiveTimeoutGiven());
        }
        catch (final ParameterException | IllegalArgumentException ex)
        {
            throw new ShellSyntaxException(0, "query: " + ex.getMessage());
        }
    }

    private static ShellSyntaxException unexpected(final Word word, final Verb verb)
    {
        return new ShellSyntaxException(word.start() + 1, "unexpected " + quote(word.text()) + ": " + verb.usage());
    }

    static String quote(final String text)
    {
        return "'" + text.replace("'", "\\'") + "'";
    }
}
