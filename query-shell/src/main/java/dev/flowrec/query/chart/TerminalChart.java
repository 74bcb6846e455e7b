package dev.flowrec.query.chart;

import dev.flowrec.journal.text.OneLine;
import dev.flowrec.journal.text.Sizes;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A chart in the terminal, one line per group. A time series is drawn with the eight Unicode block heights
 * (▁ to █) on one scale for every line, a column per bucket (buckets merged when there are more than fit), between a
 * header that says what a full block is worth and a time axis; a grouped answer is a bar per group. Values are in the
 * tables' units (bytes in KiB/MiB, counts exact).
 */
public final class TerminalChart
{
    /** The block heights; a bucket with no traffic is blank, one with any at least the lowest block. */
    private static final char[] BLOCKS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};
    private static final int MAX_COLUMNS = 100;
    private static final int BAR_WIDTH = 50;
    private static final DateTimeFormatter AXIS_TIME =
        DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private TerminalChart()
    {
    }

    public static void write(final ChartData data, final PrintWriter out)
    {
        if (data.series().isEmpty())
        {
            out.println("(nothing to chart)");
            return;
        }
        final int labelWidth = Math.min(40, data.series().keySet().stream().mapToInt(k -> OneLine.of(k).length()).max()
            .orElse(0));
        if (data.timed())
        {
            series(data, out, labelWidth);
        }
        else
        {
            bars(data, out, labelWidth);
        }
        out.flush();
    }

    private static void series(final ChartData data, final PrintWriter out, final int labelWidth)
    {
        final List<Long> buckets = data.buckets();
        final int perColumn = (buckets.size() + MAX_COLUMNS - 1) / MAX_COLUMNS;
        final int columns = (buckets.size() + perColumn - 1) / perColumn;
        final long columnNs = Math.max(1, data.intervalNs()) * perColumn;
        long max = 0;
        final long[][] values = new long[data.series().size()][columns];
        int s = 0;
        for (final TreeMap<Long, Long> series : data.series().values())
        {
            for (final Map.Entry<Long, Long> e : series.entrySet())
            {
                final int column = buckets.indexOf(e.getKey()) / perColumn;
                values[s][column] += e.getValue();
                max = Math.max(max, values[s][column]);
            }
            s++;
        }
        out.println(data.metric() + " per " + (data.intervalNs() > 0 ? duration(columnNs) : "bucket")
            + ", one column each; ▁ to █ = up to " + value(data.metric(), max) + " (one scale for every line)");
        s = 0;
        for (final Map.Entry<String, TreeMap<Long, Long>> e : data.series().entrySet())
        {
            final StringBuilder line = new StringBuilder(pad(e.getKey(), labelWidth)).append(" │");
            long total = 0;
            long peak = 0;
            for (int c = 0; c < columns; c++)
            {
                final long v = values[s][c];
                total += v;
                peak = Math.max(peak, v);
                line.append(v == 0 ? ' ' : BLOCKS[(int)Math.min(BLOCKS.length - 1, (v * BLOCKS.length - 1) / max)]);
            }
            out.println(line.append("│ peak ").append(value(data.metric(), peak)).append(", total ")
                .append(value(data.metric(), total)));
            s++;
        }
        final String start = AXIS_TIME.format(Instant.ofEpochSecond(0, buckets.getFirst()));
        final String end = AXIS_TIME.format(Instant.ofEpochSecond(0, buckets.getLast() + columnNs)).substring(11);
        final StringBuilder axis = new StringBuilder(" ".repeat(labelWidth)).append(" └");
        axis.append("─".repeat(columns)).append('┘');
        out.println(axis);
        out.println(" ".repeat(labelWidth + 2) + start + " .. " + end + " UTC");
    }

    private static void bars(final ChartData data, final PrintWriter out, final int labelWidth)
    {
        final long max = data.series().values().stream().mapToLong(t -> t.values().stream().mapToLong(Long::longValue).sum())
            .max().orElse(0);
        out.println(data.metric() + ", a full bar = " + value(data.metric(), max));
        for (final Map.Entry<String, TreeMap<Long, Long>> e : data.series().entrySet())
        {
            final long v = e.getValue().values().stream().mapToLong(Long::longValue).sum();
            final int eighths = max == 0 ? 0 : (int)(v * BAR_WIDTH * 8 / max);
            final StringBuilder bar = new StringBuilder("█".repeat(eighths / 8));
            if (eighths % 8 > 0)
            {
                bar.append("▏▎▍▌▋▊▉".charAt(eighths % 8 - 1)); // 1/8 to 7/8 of a block
            }
            out.println(pad(e.getKey(), labelWidth) + " │" + pad(bar.toString(), BAR_WIDTH) + " " + value(data.metric(), v));
        }
    }

    /** Bytes in the tables' binary units; packets and flows exact. */
    static String value(final String metric, final long v)
    {
        return "bytes".equals(metric) ? Sizes.human(v) : v + " " + metric;
    }

    /** A bucket's length as the options take it: 500ms, 10s, 1m, 2h, 1d. */
    static String duration(final long ns)
    {
        final long[] units = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1};
        final String[] names = {"d", "h", "m", "s", "ms", "us", "ns"};
        for (int i = 0; i < units.length; i++)
        {
            if (ns % units[i] == 0)
            {
                return ns / units[i] + names[i];
            }
        }
        return ns + "ns";
    }

    private static String pad(final String text, final int width)
    {
        final String one = OneLine.of(text);
        final String cut = one.length() > width ? one.substring(0, width - 1) + "…" : one;
        return cut + " ".repeat(Math.max(0, width - cut.length()));
    }
}
