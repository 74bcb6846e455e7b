package dev.flowrec.query;

import dev.flowrec.query.Column.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Two windows compared: the rows (flows, or groups) that are new in B, gone since A, and those in both
 * ordered by how much their bytes changed; rows whose bytes and packets are the same in both are not listed.
 * Both sides are answered by the {@link QueryEngine}.
 */
public final class Diff
{
    private Diff()
    {
    }

    public static Answer run(final Path journal, final Query a, final Query b, final int top, final BooleanSupplier cancelled)
    {
        final Answer left = QueryEngine.run(journal, a, cancelled);
        final Answer right = QueryEngine.run(journal, b, cancelled);
        final int keyColumns = keyColumns(left.columns());
        final int bytes = index(left.columns(), "bytes");
        final int packets = index(left.columns(), "packets");
        final Map<List<Object>, Object[]> before = byKey(left, keyColumns, a.grouped());
        final Map<List<Object>, Object[]> after = byKey(right, keyColumns, b.grouped());

        final List<Object[]> rows = new ArrayList<>();
        for (final Map.Entry<List<Object>, Object[]> e : after.entrySet())
        {
            final Object[] old = before.get(e.getKey());
            if (old != null && old[bytes].equals(e.getValue()[bytes]) && old[packets].equals(e.getValue()[packets]))
            {
                continue; // unchanged
            }
            rows.add(row(old == null ? "new" : "changed", e.getKey(), old, e.getValue(), bytes, packets));
        }
        for (final Map.Entry<List<Object>, Object[]> e : before.entrySet())
        {
            if (!after.containsKey(e.getKey()))
            {
                rows.add(row("gone", e.getKey(), e.getValue(), null, bytes, packets));
            }
        }
        final int delta = 1 + keyColumns + 2;
        rows.sort(Comparator.comparingInt((Object[] r) -> order((String)r[0]))
            .thenComparing(Comparator.comparingLong((Object[] r) -> Math.abs((Long)r[delta])).reversed()));
        final List<Object[]> kept = top > 0 ? keepTopPerStatus(rows, top) : rows;

        final List<Column> columns = new ArrayList<>();
        columns.add(new Column("change", Type.TEXT));
        final List<Column> keys = keyColumnsOf(left.columns(), a.grouped());
        columns.addAll(keys);
        columns.add(new Column("bytes_a", Type.BYTES));
        columns.add(new Column("bytes_b", Type.BYTES));
        columns.add(new Column("bytes_change", Type.BYTES)); // in a table as its neighbours are: -4.9 KiB
        columns.add(new Column("packets_a", Type.COUNT));
        columns.add(new Column("packets_b", Type.COUNT));
        columns.add(new Column("packets_change", Type.COUNT)); // appended: the columns before keep their places
        final Coverage coverage = left.coverage().and(right.coverage()); // both windows' losses and gaps
        final List<String> warnings = new ArrayList<>();
        left.warnings().forEach(w -> warnings.add("window a: " + w));
        right.warnings().forEach(w -> warnings.add("window b: " + w));
        return new Answer(columns, kept, coverage, right.scan(), warnings);
    }

    private static int order(final String status)
    {
        return switch (status)
        {
            case "new" -> 0;
            case "gone" -> 1;
            default -> 2;
        };
    }

    private static List<Object[]> keepTopPerStatus(final List<Object[]> rows, final int top)
    {
        final List<Object[]> kept = new ArrayList<>();
        String status = null;
        int n = 0;
        for (final Object[] r : rows)
        {
            n = r[0].equals(status) ? n + 1 : 1;
            status = (String)r[0];
            if (n <= top)
            {
                kept.add(r);
            }
        }
        return kept;
    }

    private static Object[] row(final String status, final List<Object> key, final Object[] a, final Object[] b,
        final int bytes, final int packets)
    {
        final long bytesA = a == null ? 0 : (Long)a[bytes];
        final long bytesB = b == null ? 0 : (Long)b[bytes];
        final Object[] row = new Object[key.size() + 7];
        row[0] = status;
        for (int i = 0; i < key.size(); i++)
        {
            row[1 + i] = key.get(i);
        }
        row[key.size() + 1] = bytesA;
        row[key.size() + 2] = bytesB;
        row[key.size() + 3] = bytesB - bytesA;
        final long packetsA = a == null ? 0L : (Long)a[packets];
        final long packetsB = b == null ? 0L : (Long)b[packets];
        row[key.size() + 4] = packetsA;
        row[key.size() + 5] = packetsB;
        row[key.size() + 6] = packetsB - packetsA;
        return row;
    }

    /** A listing is keyed by its flow columns (iface .. dst_port); a grouped answer by its key columns. */
    private static Map<List<Object>, Object[]> byKey(final Answer answer, final int keyColumns, final boolean grouped)
    {
        final int from = grouped ? 0 : 2;
        final Map<List<Object>, Object[]> map = new LinkedHashMap<>();
        for (final Object[] row : answer.rows())
        {
            map.put(List.of(java.util.Arrays.copyOfRange(row, from, from + keyColumns)), row);
        }
        return map;
    }

    private static List<Column> keyColumnsOf(final List<Column> columns, final boolean grouped)
    {
        final int from = grouped ? 0 : 2;
        return columns.subList(from, from + keyColumns(columns));
    }

    private static int keyColumns(final List<Column> columns)
    {
        // listing: iface .. dst_port (8 columns after the two times); grouped: everything before flows
        final int flows = index(columns, "flows");
        return flows >= 0 ? flows : 8;
    }

    private static int index(final List<Column> columns, final String name)
    {
        for (int i = 0; i < columns.size(); i++)
        {
            if (columns.get(i).name().equals(name))
            {
                return i;
            }
        }
        return -1;
    }
}
