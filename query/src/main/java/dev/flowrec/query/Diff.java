package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowTimeouts;
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
    /** The listing's tcp_flags column (the CSV contract: columns are appended, never moved). */
    private static final int TCP_FLAGS = 12;

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
        final Map<List<Object>, List<Object[]>> before = byKey(left, keyColumns, a.grouped());
        final Map<List<Object>, List<Object[]>> after = byKey(right, keyColumns, b.grouped());
        final List<Object[]> rows = new ArrayList<>();
        for (final Map.Entry<List<Object>, List<Object[]>> e : after.entrySet())
        {
            pair(e.getKey(), before.getOrDefault(e.getKey(), List.of()), e.getValue(), a, b, rows, bytes, packets);
        }
        for (final Map.Entry<List<Object>, List<Object[]>> e : before.entrySet())
        {
            if (!after.containsKey(e.getKey()))
            {
                pair(e.getKey(), e.getValue(), List.of(), a, b, rows, bytes, packets);
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

    /**
     * The rows of one key in A and in B, paired: a grouped answer has one each; a listing may have several flows of one
     * 5-tuple in a window (cut by the inactive timeout or a SYN after FIN/RST). Flows in order of first packet are
     * the same flow when the rule would not cut them apart, counting as quiet only time inside either window (a flow
     * is not known to be quiet where neither window looked); an unpaired flow of A is gone, one of B new.
     */
    private static void pair(final List<Object> key, final List<Object[]> before, final List<Object[]> after,
        final Query a, final Query b, final List<Object[]> rows, final int bytes, final int packets)
    {
        int i = 0;
        int j = 0;
        while (i < before.size() || j < after.size())
        {
            final Object[] x = i < before.size() ? before.get(i) : null;
            final Object[] y = j < after.size() ? after.get(j) : null;
            if (x != null && y != null && (a.grouped() || sameFlow(x, y, a, b)))
            {
                if (!x[bytes].equals(y[bytes]) || !x[packets].equals(y[packets]))
                {
                    rows.add(row("changed", key, x, y, bytes, packets));
                }
                i++;
                j++;
            }
            else if (y == null || x != null && (Long)x[0] <= (Long)y[0])
            {
                rows.add(row("gone", key, x, null, bytes, packets));
                i++;
            }
            else
            {
                rows.add(row("new", key, null, y, bytes, packets));
                j++;
            }
        }
    }

    /** Whether listing rows x (of A) and y (of B) are one flow seen in both windows. */
    private static boolean sameFlow(final Object[] x, final Object[] y, final Query a, final Query b)
    {
        final long xFirst = (Long)x[0];
        final long xLast = (Long)x[1];
        final long yFirst = (Long)y[0];
        final long yLast = (Long)y[1];
        if (xFirst <= yLast && yFirst <= xLast)
        {
            return true; // they overlap: the same packets, seen by both windows
        }
        final Object[] early = xLast < yFirst ? x : y;
        final Object[] late = early == x ? y : x;
        final long quietNs = observed((Long)early[1], (Long)late[0], a.window(), b.window());
        return !FlowTimeouts.startsNewFlow((Long)early[1], flags((String)early[TCP_FLAGS]),
            (Long)early[1] + quietNs, flags((String)late[TCP_FLAGS]), a.inactiveNs());
    }

    /** How much of the time from {@code fromNs} to {@code toNs} lies in either window. */
    private static long observed(final long fromNs, final long toNs, final Window a, final Window b)
    {
        final long inA = overlap(fromNs, toNs, a);
        final long inB = overlap(fromNs, toNs, b);
        final long both = Math.max(0, Math.min(Math.min(toNs, a.untilNs()), b.untilNs())
            - Math.max(Math.max(fromNs, a.sinceNs()), b.sinceNs()));
        return inA + inB - both;
    }

    private static long overlap(final long fromNs, final long toNs, final Window w)
    {
        return Math.max(0, Math.min(toNs, w.untilNs()) - Math.max(fromNs, w.sinceNs()));
    }

    /** The FIN, SYN and RST bits of a listing's tcp_flags text (nfdump's letters, '.' for a flag not seen). */
    private static int flags(final String text)
    {
        return (text.indexOf('F') >= 0 ? 0x01 : 0) | (text.indexOf('S') >= 0 ? 0x02 : 0) | (text.indexOf('R') >= 0 ? 0x04 : 0);
    }

    /** A listing is keyed by its flow columns (iface .. dst_port), its flows in order of first packet; a grouped answer by its key columns. */
    private static Map<List<Object>, List<Object[]>> byKey(final Answer answer, final int keyColumns, final boolean grouped)
    {
        final int from = grouped ? 0 : 2;
        final Map<List<Object>, List<Object[]>> map = new LinkedHashMap<>();
        for (final Object[] row : answer.rows())
        {
            // Arrays.asList, not List.of: a key may hold a null (the pid of flows without a known owner)
            map.computeIfAbsent(java.util.Arrays.asList(java.util.Arrays.copyOfRange(row, from, from + keyColumns)),
                    k -> new ArrayList<>())
                .add(row);
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
