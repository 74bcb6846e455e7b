package dev.flowrec.query.cli;

import dev.flowrec.query.Coverage;
import dev.flowrec.query.FlowKey;
import dev.flowrec.query.FlowRow;
import dev.flowrec.query.Protocols;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/** Writes a flow listing as CSV (the DESIGN.md contract), JSON lines, or an aligned table. */
final class ListingWriter
{
    static final String[] COLUMNS = {"first_seen", "last_seen", "iface", "container", "direction", "proto",
        "src_addr", "src_port", "dst_addr", "dst_port", "packets", "bytes", "tcp_flags"};

    /** ISO-8601 UTC, always nine fraction digits. */
    private static final DateTimeFormatter ISO_NANOS = new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
        .appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TABLE_TIME = new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd HH:mm:ss").appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
        .toFormatter().withZone(ZoneOffset.UTC);

    private ListingWriter()
    {
    }

    static void write(final Format format, final List<FlowRow> rows, final Coverage coverage, final PrintWriter out)
    {
        switch (format)
        {
            case csv -> csv(rows, out);
            case json -> json(rows, out);
            case table -> table(rows, coverage, out);
        }
        out.flush();
    }

    static String isoTime(final long epochNs)
    {
        return ISO_NANOS.format(Instant.ofEpochSecond(0, epochNs));
    }

    private static String[] fields(final FlowRow row)
    {
        final FlowKey k = row.key();
        return new String[] {isoTime(row.firstNs()), isoTime(row.lastNs()), k.iface(), k.container(), k.direction(),
            k.protoName(), k.srcAddr(), Integer.toString(k.srcPort()), k.dstAddr(), Integer.toString(k.dstPort()),
            Long.toString(row.packets()), Long.toString(row.bytes()), Protocols.tcpFlags(k.proto(), row.tcpFlags())};
    }

    private static void csv(final List<FlowRow> rows, final PrintWriter out)
    {
        out.println(String.join(",", COLUMNS));
        for (final FlowRow row : rows)
        {
            final String[] f = fields(row);
            for (int i = 0; i < f.length; i++)
            {
                if (i > 0)
                {
                    out.print(',');
                }
                out.print(csvField(f[i]));
            }
            out.println();
        }
    }

    private static String csvField(final String s)
    {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0)
        {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static void json(final List<FlowRow> rows, final PrintWriter out)
    {
        for (final FlowRow row : rows)
        {
            final String[] f = fields(row);
            final StringBuilder sb = new StringBuilder(256).append('{');
            for (int i = 0; i < f.length; i++)
            {
                sb.append(i > 0 ? "," : "").append('"').append(COLUMNS[i]).append("\":");
                final boolean number = COLUMNS[i].endsWith("_port") || COLUMNS[i].equals("packets") || COLUMNS[i].equals("bytes");
                if (number)
                {
                    sb.append(f[i]);
                }
                else
                {
                    jsonString(sb, f[i]);
                }
            }
            out.println(sb.append('}'));
        }
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

    private static void table(final List<FlowRow> rows, final Coverage coverage, final PrintWriter out)
    {
        final String[] header = {"first seen (UTC)", "last seen", "iface", "container", "dir", "proto", "src", "dst",
            "packets", "bytes", "flags"};
        final List<String[]> lines = new ArrayList<>(rows.size() + 1);
        lines.add(header);
        for (final FlowRow row : rows)
        {
            final FlowKey k = row.key();
            lines.add(new String[] {TABLE_TIME.format(Instant.ofEpochSecond(0, row.firstNs())),
                TABLE_TIME.format(Instant.ofEpochSecond(0, row.lastNs())), k.iface(), k.container(), k.direction(),
                k.protoName(), endpoint(k.srcAddr(), k.srcPort()), endpoint(k.dstAddr(), k.dstPort()),
                Units.count(row.packets()), Units.bytes(row.bytes()), Protocols.tcpFlags(k.proto(), row.tcpFlags())});
        }
        final int[] width = new int[header.length];
        for (final String[] line : lines)
        {
            for (int i = 0; i < line.length; i++)
            {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        for (final String[] line : lines)
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.length; i++)
            {
                final boolean right = i == 8 || i == 9;
                final String pad = " ".repeat(width[i] - line[i].length());
                sb.append(i > 0 ? "  " : "").append(right ? pad + line[i] : line[i] + (i < line.length - 1 ? pad : ""));
            }
            out.println(sb.toString().stripTrailing());
        }
        out.println(rows.size() + " flows; " + coverage.describe());
    }

    private static String endpoint(final String addr, final int port)
    {
        return addr.indexOf(':') >= 0 ? "[" + addr + "]:" + port : addr + ":" + port;
    }
}
