package dev.flowrec.query.shell;

import dev.flowrec.query.GroupKey;
import dev.flowrec.query.filter.FilterParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shell's commands: the one usage table that the parser checks lines against, that {@code help} prints and
 * that completion offers from. A query command takes its own arguments first, then its clauses in any order.
 */
enum Verb
{
    FLOWS(List.of("flows"), Shape.NONE, "", List.of(Clause.WHERE, Clause.SINCE, Clause.UNTIL),
        "List flows: one row per flow (interface, direction, 5-tuple), its deltas in the window summed.",
        "e.g. flows where dst port 443 since -15m"),
    TOP(List.of("top"), Shape.TOP, "N [KEYS]", List.of(Clause.BY, Clause.WHERE, Clause.SINCE, Clause.UNTIL),
        "The N largest flows, or with KEYS the N largest groups.",
        "e.g. top 10 src_addr by bytes where proto tcp since -1h"),
    GROUP(List.of("group"), Shape.GROUP, "KEYS", List.of(Clause.BY, Clause.TOP, Clause.WHERE, Clause.SINCE, Clause.UNTIL),
        "Flows grouped by KEYS: flows, packets and bytes per group, largest first.",
        "e.g. group src_net/24,proto by packets where not port 22"),
    SERIES(List.of("series"), Shape.SERIES, "D [KEYS]",
        List.of(Clause.TOP, Clause.BY, Clause.WHERE, Clause.SINCE, Clause.UNTIL),
        "A time series: one row per bucket of length D (500ms, 1s, 15m, 2h, 1d), per group with KEYS.",
        "e.g. series 1m iface top 3 since -1h"),
    AT(List.of("at"), Shape.INSTANT, "T", List.of(Clause.WHERE),
        "The flows active at an instant: first packet before it, last packet at most 15 s (the inactive timeout) before it.",
        "e.g. at 2026-11-26T12:00:00Z where container web"),
    FORMAT(List.of("format"), Shape.FORMAT, "[table|csv|json|chart]", List.of(),
        "Shows or sets the output format of the answers that follow.", "e.g. format csv"),
    EXPORT(List.of("export"), Shape.OPTIONS, "--out PATH [OPTIONS]", List.of(),
        "Writes an answer as Arrow or Parquet, or a series or grouped answer as a PNG or SVG chart: the options of 'flowrec export' (--out, --format, --where, --since, "
            + "--until, --group-by, --partition-by, --compression, --force); this journal unless --journal is given.",
        "e.g. export --out flows.parquet --where 'proto tcp' --since -1h"),
    INFO(List.of("info"), Shape.NONE, "", List.of(),
        "What the journal holds: time span, events, interfaces, containers, losses.", ""),
    QUERY(List.of("query"), Shape.OPTIONS, "[OPTIONS]", List.of(),
        "The command line's form: the options of 'flowrec query' (--where, --since, --until, --group-by, --top, --by, "
            + "--interval, --at, --inactive-timeout, --format).",
        "e.g. query --where 'proto udp' --group-by dst_port --top 5"),
    HELP(List.of("help"), Shape.TOPIC, "[COMMAND]", List.of(),
        "This list, or one command (or clause: where, since, until, by, top) in detail.", ""),
    QUIT(List.of("quit", "exit"), Shape.NONE, "", List.of(),
        "Leaves the shell (so does Ctrl-D; Ctrl-C cancels a running query, or clears the line).", ""),
    INACTIVE_TIMEOUT(List.of("inactive-timeout"), Shape.SETTING, "[D]", List.of(),
        "Shows or sets the inactive timeout of the answers that follow: a 5-tuple quiet for longer starts a new flow, "
            + "as a TCP SYN after FIN/RST does (default 15s).", "e.g. inactive-timeout 1m");

    /** What a command takes before its clauses. */
    enum Shape
    {
        NONE, TOP, GROUP, SERIES, INSTANT, FORMAT, SETTING, TOPIC, OPTIONS
    }

    final List<String> names;
    final Shape shape;
    final String arguments;
    final List<Clause> clauses;
    final String summary;
    final String example;

    Verb(final List<String> names, final Shape shape, final String arguments, final List<Clause> clauses,
        final String summary, final String example)
    {
        this.names = names;
        this.shape = shape;
        this.arguments = arguments;
        this.clauses = clauses;
        this.summary = summary;
        this.example = example;
    }

    static Verb of(final String word)
    {
        final String lower = word.toLowerCase(Locale.ROOT);
        for (final Verb verb : values())
        {
            if (verb.names.contains(lower))
            {
                return verb;
            }
        }
        return null;
    }

    /** Every command word, for completion. */
    static List<String> words()
    {
        final List<String> words = new ArrayList<>();
        for (final Verb verb : values())
        {
            words.addAll(verb.names);
        }
        return words;
    }

    /** The command's own word (the first of its names). */
    String word()
    {
        return names.getFirst();
    }

    /** Whether the command answers a question: its words after the command split into arguments and clauses. */
    boolean asks()
    {
        return !clauses.isEmpty();
    }

    /** One line: {@code top N [KEYS] [by bytes|packets|flows] [where EXPR] [since T] [until T]}. */
    String usage()
    {
        final StringBuilder sb = new StringBuilder(String.join(" | ", names));
        if (!arguments.isEmpty())
        {
            sb.append(' ').append(arguments);
        }
        for (final Clause clause : clauses)
        {
            sb.append(' ').append(clause.usage());
        }
        return sb.toString();
    }

    /** What {@code help COMMAND} prints after the usage line. */
    List<String> details()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("  " + summary);
        if (arguments.contains("KEYS"))
        {
            lines.add("  KEYS: comma-separated, from " + String.join(", ", GroupKey.NAMES));
        }
        if (arguments.startsWith("T"))
        {
            lines.add("  T: " + TIMES);
        }
        for (final Clause clause : clauses)
        {
            lines.add("  " + clause.keyword + " " + clause.label + ": " + clause.description);
        }
        if (!example.isEmpty())
        {
            lines.add("  " + example);
        }
        return lines;
    }

    static final String TIMES = "ISO-8601 (2026-11-26T12:00:00Z, UTC without an offset), epoch seconds, "
        + "or relative to now (-15m, -2h, now)";

    /** What {@code help where} prints. */
    static List<String> filterHelp()
    {
        return List.of("where EXPR", "  " + Clause.WHERE.description + ".",
            "  The filter runs to the end of the line or to the next clause (by, top, since, until) where the filter",
            "  does not expect a value: 'where iface top since -1h' filters on the interface named top.",
            "  Terms: ip|host ADDR, net PREFIX, port N, portrange A-B (each with src or dst), proto NAME|N, tcp, udp, icmp,",
            "  iface NAME, container ID, direction in|out, flags SAFRPU, bytes|packets OP N, family 4|6 (inet|inet6),",
            "  pid N (the host pid owning the flow's local socket; 0: none known), comm NAME (its command, as ps shows it);",
            "  N may end in k, M, G: powers of 1024 for bytes (bytes > 1M is 1 MiB), of 1000 for packets;",
            "  and, or, not (&&, ||, !), parentheses.",
            "  Words: " + String.join(" ", FilterParser.keywords()));
    }
}
