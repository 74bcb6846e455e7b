package dev.flowrec.query.chart;

import dev.flowrec.journal.text.Protocols;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Column;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A grouped answer as charts see it: one series per group (its key values joined), each a value per time bucket (a
 * series answer, {@code --interval}) or one value (a top-N or grouped answer). The value is the answer's
 * {@code bytes}, {@code packets} or {@code flows} column, as asked.
 *
 * @param metric     the column charted: bytes, packets or flows
 * @param timed      whether the answer is a time series (its first column is {@code time})
 * @param intervalNs the buckets' length: the query's --interval (0 when not timed)
 * @param series     group label → bucket start (0 when not timed) → value, the largest group (in total) first
 */
public record ChartData(String metric, boolean timed, long intervalNs, Map<String, TreeMap<Long, Long>> series)
{
    private static final String TIME = "time";
    private static final List<String> METRICS = List.of("flows", "packets", "bytes");

    /** Whether an answer has groups to chart: its last three columns are flows, packets and bytes. */
    public static boolean chartable(final Answer answer)
    {
        final List<Column> columns = answer.columns();
        final int n = columns.size();
        return n >= 3 && columns.subList(n - 3, n).stream().map(Column::name).toList().equals(METRICS);
    }

    /**
     * @param metric     bytes, packets or flows
     * @param intervalNs the query's --interval (its buckets' length), 0 when the caller does not know it: then the
     *                   smallest step between two buckets, which a series with one bucket, or gaps everywhere,
     *                   does not tell
     * @throws IllegalArgumentException when the answer is a flow listing (nothing grouped to chart)
     */
    public static ChartData of(final Answer answer, final String metric, final long intervalNs)
    {
        if (!chartable(answer))
        {
            throw new IllegalArgumentException("a chart needs a grouped answer or a time series (--group-by, --top with "
                + "--group-by, or --interval), not a flow listing");
        }
        final List<Column> columns = answer.columns();
        final boolean timed = TIME.equals(columns.getFirst().name()) && columns.getFirst().type() == Column.Type.TIME;
        final int firstKey = timed ? 1 : 0;
        final int valueColumn = columns.size() - 3 + METRICS.indexOf(metric);
        final Map<String, TreeMap<Long, Long>> series = new LinkedHashMap<>();
        long previous = Long.MIN_VALUE;
        long step = 0;
        for (final Object[] row : answer.rows())
        {
            final List<String> key = new ArrayList<>();
            for (int i = firstKey; i < columns.size() - 3; i++)
            {
                key.add(label(columns.get(i), row[i]));
            }
            final String name = key.isEmpty() ? "all" : String.join(" ", key);
            final long bucket = timed ? (Long)row[0] : 0;
            if (timed && previous != Long.MIN_VALUE && bucket > previous)
            {
                step = step == 0 ? bucket - previous : Math.min(step, bucket - previous);
            }
            previous = bucket;
            series.computeIfAbsent(name, k -> new TreeMap<>()).merge(bucket, (Long)row[valueColumn], Long::sum);
        }
        final Map<String, TreeMap<Long, Long>> largestFirst = new LinkedHashMap<>();
        series.entrySet().stream().sorted(java.util.Comparator.comparingLong(
            (Map.Entry<String, TreeMap<Long, Long>> e) -> e.getValue().values().stream().mapToLong(Long::longValue).sum())
            .reversed()).forEach(e -> largestFirst.put(e.getKey(), e.getValue()));
        return new ChartData(metric, timed, timed && intervalNs > 0 ? intervalNs : step, largestFirst);
    }

    /** A key value as a legend shows it: protocols by their IANA keyword, an empty value as "-". */
    private static String label(final Column column, final Object value)
    {
        final String text = value == null ? "" : String.valueOf(value);
        if ("proto".equals(column.name()) && !text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() <= 3)
        {
            return Protocols.keyword(Integer.parseInt(text));
        }
        return text.isEmpty() ? "-" : text;
    }

    /** Every bucket start of the chart, first to last, one interval apart. */
    public List<Long> buckets()
    {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (final TreeMap<Long, Long> s : series.values())
        {
            first = Math.min(first, s.firstKey());
            last = Math.max(last, s.lastKey());
        }
        final List<Long> buckets = new ArrayList<>();
        if (first == Long.MAX_VALUE)
        {
            return buckets;
        }
        for (long b = first; b <= last; b += Math.max(1, intervalNs))
        {
            buckets.add(b);
            if (intervalNs == 0)
            {
                break;
            }
        }
        return buckets;
    }
}
