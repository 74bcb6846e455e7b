package dev.flowrec.query.shell;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** What {@code help} prints, generated from the usage table ({@link Verb}, {@link Clause}) that the parser checks lines against. */
final class HelpText
{
    private HelpText()
    {
    }

    /** @param topic a command or clause word, or null for the list of commands */
    static List<String> lines(final String topic)
    {
        if (topic == null)
        {
            return overview();
        }
        final Verb verb = Verb.of(topic);
        if (verb == Verb.QUERY || verb == Verb.EXPORT)
        {
            final List<String> lines = new ArrayList<>(List.of(verb.usage(), "  " + verb.summary, "  " + verb.example));
            final Object command = verb == Verb.QUERY ? new CommandLineQuery() : new dev.flowrec.query.cli.ExportCommand();
            final String usage = new CommandLine(command).getUsageMessage(CommandLine.Help.Ansi.OFF);
            lines.addAll(usage.lines().toList());
            return lines;
        }
        if (verb != null)
        {
            final List<String> lines = new ArrayList<>();
            lines.add(verb.usage());
            lines.addAll(verb.details());
            return lines;
        }
        final Clause clause = Clause.of(topic);
        if (clause == Clause.WHERE)
        {
            return Verb.filterHelp();
        }
        final List<String> lines = new ArrayList<>();
        lines.add(clause.keyword + " " + clause.label);
        lines.add("  " + clause.description + ".");
        if (clause == Clause.SINCE || clause == Clause.UNTIL)
        {
            lines.add("  T: " + Verb.TIMES);
        }
        return lines;
    }

    private static List<String> overview()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("Commands (a query's clauses come after its arguments, in any order):");
        for (final Verb verb : Verb.values())
        {
            lines.add("  " + verb.usage());
            lines.add("      " + verb.summary);
        }
        lines.add("'help COMMAND' for one command; 'help where' for the filter language.");
        return lines;
    }
}
