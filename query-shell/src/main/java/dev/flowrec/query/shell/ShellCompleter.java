package dev.flowrec.query.shell;

import dev.flowrec.query.GroupKey;
import dev.flowrec.query.filter.FilterLexer;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.Token;
import dev.flowrec.query.shell.Layout.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion from the usage table: commands, the clauses a command takes and has not used yet, group-by keys
 * (after a comma too), {@code by} values, filter words, and after {@code iface} or {@code container} the
 * interface names and container ids of the journal. The context is the {@link Layout} of the text before the
 * word being completed, as the parser would split it.
 */
final class ShellCompleter implements Completer
{
    private static final List<String> FORMATS = List.of("table", "csv", "json", "chart");
    private static final List<String> BY = List.of("bytes", "packets", "flows");
    private static final List<String> TIMES = List.of("now", "-15m", "-1h", "-1d");
    private static final List<String> OPTIONS = List.of("--where", "--since", "--until", "--group-by", "--top", "--by",
        "--interval", "--at", "--format", "--chart", "--journal");

    private final JournalNames names;

    ShellCompleter(final JournalNames names)
    {
        this.names = names;
    }

    public void complete(final LineReader reader, final ParsedLine line, final List<Candidate> candidates)
    {
        final String before = line.line().substring(0, line.cursor());
        final String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
        for (final String value : complete(before, word))
        {
            final boolean open = value.endsWith("/") || value.endsWith(",");
            candidates.add(new Candidate(value, value, null, null, null, null, !open));
        }
    }

    /** The full words that may replace {@code word}, the word being typed at the end of {@code before}. */
    List<String> complete(final String before, final String word)
    {
        final String context = before.endsWith(word) ? before.substring(0, before.length() - word.length()) : before;
        final Layout layout = Layout.of(context);
        if (layout.verb() == null)
        {
            return Verb.words();
        }
        final Verb verb = layout.command();
        if (verb == null)
        {
            return List.of();
        }
        return switch (verb)
        {
            case HELP -> layout.arguments().isEmpty() ? topics() : List.of();
            case FORMAT -> layout.arguments().isEmpty() ? FORMATS : List.of();
            case INFO, QUIT, INACTIVE_TIMEOUT -> List.of();
            case QUERY -> options(layout);
            case EXPORT -> exportOptions(layout);
            case FLOWS, TOP, GROUP, SERIES, AT -> ask(layout, verb, word);
        };
    }

    private List<String> ask(final Layout layout, final Verb verb, final String word)
    {
        final Part last = layout.parts().isEmpty() ? null : layout.parts().getLast();
        if (last == null)
        {
            final int index = layout.arguments().size();
            return switch (verb.shape)
            {
                case TOP, SERIES -> index == 0 ? List.of() : with(keys(word), clausesLeft(layout, verb));
                case GROUP -> index == 0 ? keys(word) : with(keys(word), clausesLeft(layout, verb));
                case INSTANT -> index == 0 ? TIMES : clausesLeft(layout, verb);
                default -> clausesLeft(layout, verb);
            };
        }
        return switch (last.clause())
        {
            case WHERE -> filter(layout, last, word, verb);
            case BY -> last.words().isEmpty() ? BY : clausesLeft(layout, verb);
            case TOP -> last.words().isEmpty() ? List.of() : clausesLeft(layout, verb);
            case SINCE, UNTIL -> last.words().isEmpty() ? TIMES : clausesLeft(layout, verb);
        };
    }

    /** Inside a filter: the values of the field just before, else the filter's words and the clauses left. */
    private List<String> filter(final Layout layout, final Part where, final String word, final Verb verb)
    {
        // The word may hold filter tokens of its own before the one being typed: "(ifa", "!tc".
        final List<Token> own = FilterLexer.tokens(word);
        final int partial = own.isEmpty() || Character.isWhitespace(word.charAt(word.length() - 1)) ? word.length() :
            own.getLast().start();
        final String lead = word.substring(0, partial);
        final String line = layout.line();
        final String filter = (where.words().isEmpty() ? "" : line.substring(where.valueStart())) + lead;
        final List<Token> tokens = FilterLexer.tokens(filter);
        final Token previous = tokens.isEmpty() ? null : tokens.getLast();
        final List<String> values;
        if (previous != null && previous.kind() == Token.Kind.FIELD)
        {
            values = switch (previous.text().toLowerCase(Locale.ROOT))
            {
                case "iface" -> names.interfaces();
                case "container" -> names.containers();
                case "comm" -> names.commands();
                case "name" -> names.dnsNames();
                case "proto" -> List.of("tcp", "udp", "icmp", "icmpv6");
                case "direction" -> List.of("in", "out");
                case "family" -> List.of("inet", "inet6");
                default -> List.of();
            };
        }
        else if (previous != null && previous.kind() == Token.Kind.OPERATOR && !previous.text().equals("!")
            && !previous.text().equals("&&") && !previous.text().equals("||"))
        {
            values = List.of();
        }
        else
        {
            values = lead.isEmpty() && previous != null ? with(FilterParser.keywords(), clausesLeft(layout, verb)) :
                FilterParser.keywords();
        }
        final List<String> words = new ArrayList<>(values.size());
        for (final String value : values)
        {
            words.add(lead + value);
        }
        return words;
    }

    /** Group-by keys; after a comma, the keys typed so far and one more. */
    private static List<String> keys(final String word)
    {
        final String lead = word.substring(0, word.lastIndexOf(',') + 1);
        final List<String> keys = new ArrayList<>();
        for (final String name : GroupKey.NAMES)
        {
            keys.add(lead + (name.endsWith("/N") ? name.substring(0, name.length() - 1) : name));
        }
        return keys;
    }

    private static List<String> clausesLeft(final Layout layout, final Verb verb)
    {
        final List<String> left = new ArrayList<>();
        for (final Clause clause : verb.clauses)
        {
            if (layout.parts().stream().noneMatch(p -> p.clause() == clause))
            {
                left.add(clause.keyword);
            }
        }
        return left;
    }

    private static List<String> options(final Layout layout)
    {
        final String previous = layout.arguments().isEmpty() ? "" : layout.arguments().getLast().text();
        return switch (previous)
        {
            case "--group-by" -> keys("");
            case "--by" -> BY;
            case "--format" -> FORMATS;
            case "--since", "--until", "--at" -> TIMES;
            default -> OPTIONS;
        };
    }

    private static final List<String> EXPORT_OPTIONS = List.of("--out", "--format", "--where", "--since", "--until",
        "--group-by", "--top", "--by", "--interval", "--partition-by", "--compression", "--journal", "--force");

    private static List<String> exportOptions(final Layout layout)
    {
        final String previous = layout.arguments().isEmpty() ? "" : layout.arguments().getLast().text();
        return switch (previous)
        {
            case "--format" -> List.of("arrow", "parquet");
            case "--compression" -> List.of("zstd", "snappy", "none");
            case "--partition-by" -> List.of("host", "host,date", "host,date,hour", "date,hour");
            case "--group-by" -> keys("");
            case "--since", "--until" -> TIMES;
            default -> EXPORT_OPTIONS;
        };
    }

    private static List<String> topics()
    {
        final List<String> topics = new ArrayList<>(Verb.words());
        for (final Clause clause : Clause.values())
        {
            topics.add(clause.keyword);
        }
        return topics;
    }

    private static List<String> with(final List<String> a, final List<String> b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
