package dev.flowrec.query.cli;

import dev.flowrec.journal.text.OneLine;
import dev.flowrec.journal.text.Protocols;
import dev.flowrec.query.Answer;
import dev.flowrec.query.chart.ChartData;
import dev.flowrec.query.chart.TerminalChart;
import dev.flowrec.query.Cancellation;
import dev.flowrec.query.Column;
import dev.flowrec.query.CoverageJson;
import dev.flowrec.query.QueryCancelledException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an answer as CSV (the DESIGN.md contract), JSON lines (one object per row, then one {@code {"coverage":...}}
 * line), or an aligned table with human units and a footer saying what the answer may be missing.
 */
public final class AnswerWriter
{
    /** ISO-8601 UTC, always nine fraction digits. */
    private static final DateTimeFormatter ISO_NANOS = new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
        .appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);
    private static final String PROTO = "proto";
    private static final DateTimeFormatter TABLE_TIME = new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd HH:mm:ss").appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
        .toFormatter().withZone(ZoneOffset.UTC);

    private AnswerWriter()
    {
    }

    public static void write(final Format format, final Answer answer, final PrintWriter out)
    {
        write(format, answer, out, new Cancellation(() -> false));
    }

    /**
     * As {@link #write(Format, Answer, PrintWriter)}, stopping between two rows once {@code cancellation}'s flag is
     * set (Ctrl-C): what was printed is whole rows, then {@link QueryCancelledException} says the rest is missing.
     */
    public static void write(final Format format, final Answer answer, final PrintWriter out,
        final Cancellation cancellation)
    {
        write(format, answer, out, cancellation, "bytes", 0);
    }

    /**
     * As {@link #write(Format, Answer, PrintWriter, Cancellation)}; a chart draws {@code metric} (bytes, packets or
     * flows: what the query ranks by) in buckets of {@code intervalNs} (the query's --interval; 0 for none).
     */
    public static void write(final Format format, final Answer answer, final PrintWriter out,
        final Cancellation cancellation, final String metric, final long intervalNs)
    {
        try
        {
            switch (format)
            {
                case csv -> csv(answer, out, true, cancellation);
                case json -> json(answer, out, cancellation);
                case table -> table(answer, out, cancellation);
                case chart -> chart(answer, out, cancellation, metric, intervalNs);
            }
        }
        finally
        {
            out.flush();
        }
    }

    /** CSV rows only, no header: for --follow, which prints the header once. */
    public static void csvRows(final Answer answer, final PrintWriter out, final Cancellation cancellation)
    {
        try
        {
            csv(answer, out, false, cancellation);
        }
        finally
        {
            out.flush();
        }
    }

    public static String isoTime(final long epochNs)
    {
        return ISO_NANOS.format(Instant.ofEpochSecond(0, epochNs));
    }

    /** A value as CSV and JSON strings hold it; null (the pid of a flow without a known owner) is empty. */
    private static String raw(final Column column, final Object value)
    {
        if (value == null)
        {
            return "";
        }
        return column.type() == Column.Type.TIME ? isoTime((Long)value) : String.valueOf(value);
    }

    private static void csv(final Answer answer, final PrintWriter out, final boolean header,
        final Cancellation cancellation)
    {
        final List<Column> columns = answer.columns();
        if (header)
        {
            out.println(String.join(",", columns.stream().map(Column::name).toList()));
        }
        final StringBuilder line = new StringBuilder(256);
        for (final Object[] row : answer.rows())
        {
            cancellation.step();
            line.setLength(0);
            for (int i = 0; i < row.length; i++)
            {
                final String raw = raw(columns.get(i), row[i]);
                line.append(i > 0 ? "," : "").append(csvField(columns.get(i).type() == Column.Type.TEXT ? OneLine.of(raw) : raw));
            }
            out.println(line);
        }
    }

    /** RFC 4180: a field holding a comma, a double quote or a line break is quoted, its quotes doubled. */
    private static String csvField(final String s)
    {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0)
        {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static void json(final Answer answer, final PrintWriter out, final Cancellation cancellation)
    {
        final List<Column> columns = answer.columns();
        final StringBuilder sb = new StringBuilder(256);
        for (final Object[] row : answer.rows())
        {
            cancellation.step();
            sb.setLength(0);
            sb.append('{');
            for (int i = 0; i < row.length; i++)
            {
                final Column c = columns.get(i);
                sb.append(i > 0 ? "," : "").append('"').append(c.name()).append("\":");
                if (c.type() == Column.Type.TEXT || c.type() == Column.Type.TIME)
                {
                    jsonString(sb, raw(c, row[i]));
                }
                else
                {
                    sb.append(row[i]); // null too: a pid not known
                }
            }
            out.println(sb.append('}'));
        }
        out.println("{\"coverage\":" + CoverageJson.object(answer.coverage()) + "}");
    }

    private static void jsonString(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private static String human(final Column column, final Object value)
    {
        if (value == null)
        {
            return "";
        }
        return switch (column.type())
        {
            case TIME -> TABLE_TIME.format(Instant.ofEpochSecond(0, (Long)value));
            case COUNT -> Units.count((Long)value);
            case BYTES -> Units.bytes((Long)value);
            case TEXT -> OneLine.of(PROTO.equals(column.name()) ? protoKeyword(String.valueOf(value)) : String.valueOf(value));
            default -> String.valueOf(value);
        };
    }

    /**
     * A table names every protocol IANA has a keyword for ({@code gre}, {@code esp}, {@code sctp}); CSV and JSON keep
     * the README's contract (tcp, udp, icmp, icmpv6 or the number), which programs already parse.
     */
    private static String protoKeyword(final String text)
    {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(Character::isDigit))
        {
            return text;
        }
        return Protocols.keyword(Integer.parseInt(text));
    }

    /** "1 row", "2 rows". */
    public static String rows(final int count)
    {
        return count == 1 ? "1 row" : count + " rows";
    }

    private static void table(final Answer answer, final PrintWriter out, final Cancellation cancellation)
    {
        tableLines(answer, out, new int[answer.columns().size()], true, cancellation);
        footer(answer, out);
    }

    /** A terminal chart of a grouped answer or series, then the footer; a flow listing has no groups: a table. */
    private static void chart(final Answer answer, final PrintWriter out, final Cancellation cancellation,
        final String metric, final long intervalNs)
    {
        if (!ChartData.chartable(answer))
        {
            table(answer, out, cancellation);
            return;
        }
        cancellation.check();
        TerminalChart.write(ChartData.of(answer, metric, intervalNs), out);
        out.println(rows(answer.rows().size()) + "; " + answer.coverage().describe());
    }

    /** The units of the bytes column, if any, then the rows and what the answer may be missing. */
    private static void footer(final Answer answer, final PrintWriter out)
    {
        if (answer.columns().stream().anyMatch(c -> c.type() == Column.Type.BYTES))
        {
            out.println("(" + Units.LEGEND + ")");
        }
        out.println(rows(answer.rows().size()) + "; " + answer.coverage().describe());
    }

    /**
     * A table for --follow: the first answer as {@link #write} prints it, the header and footer once; later answers'
     * rows alone, aligned with what was printed (columns widen when a value needs it).
     *
     * @param widths null for the first answer, then what the previous call returned
     * @return the column widths to pass to the next call
     */
    public static int[] followedTable(final Answer answer, final PrintWriter out, final int[] widths,
        final Cancellation cancellation)
    {
        if (widths == null)
        {
            final int[] first = new int[answer.columns().size()];
            tableLines(answer, out, first, true, cancellation);
            footer(answer, out);
            out.flush();
            return first;
        }
        tableLines(answer, out, widths, false, cancellation);
        out.flush();
        return widths;
    }

    /** Prints the rows (after the header, if asked), padded to at least {@code width}, which it widens as needed. */
    private static void tableLines(final Answer answer, final PrintWriter out, final int[] width, final boolean header,
        final Cancellation cancellation)
    {
        final List<Column> columns = answer.columns();
        final List<String[]> lines = new ArrayList<>(answer.rows().size() + 1);
        final String[] names = columns.stream().map(c -> c.type() == Column.Type.TIME ? c.name() + " (UTC)" : c.name())
            .toArray(String[]::new);
        lines.add(names);
        for (final Object[] row : answer.rows())
        {
            cancellation.step();
            final String[] line = new String[row.length];
            for (int i = 0; i < row.length; i++)
            {
                line[i] = human(columns.get(i), row[i]);
            }
            lines.add(line);
        }
        for (final String[] line : lines)
        {
            for (int i = 0; i < line.length; i++)
            {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        for (final String[] line : header ? lines : lines.subList(1, lines.size()))
        {
            cancellation.step();
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.length; i++)
            {
                final Column.Type type = columns.get(i).type();
                final boolean right = type == Column.Type.COUNT || type == Column.Type.BYTES || type == Column.Type.NUMBER;
                final String pad = " ".repeat(width[i] - line[i].length());
                sb.append(i > 0 ? "  " : "").append(right ? pad + line[i] : line[i] + pad);
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
