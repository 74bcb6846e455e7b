package dev.flowrec.bench;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Column;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What must agree between two answers to one question: row count, total flows, packets and bytes, and the first
 * rows value by value over DuckDB's columns (every one of which the engine's answer has too).
 */
record Digest(long rows, long flows, long packets, long bytes, List<String> head)
{
    private static final int HEAD_ROWS = 10;

    static Digest of(final ResultSet rs) throws SQLException
    {
        final ResultSetMetaData meta = rs.getMetaData();
        final List<String> names = columns(rs);
        final Totals t = new Totals(names.indexOf("flows"), names.indexOf("packets"), names.indexOf("bytes"));
        while (rs.next())
        {
            final Object[] row = new Object[meta.getColumnCount()];
            for (int i = 0; i < row.length; i++)
            {
                row[i] = rs.getObject(i + 1);
            }
            t.add(row, row);
        }
        return t.digest();
    }

    /** The engine's answer over {@code names}, DuckDB's columns. */
    static Digest of(final Answer answer, final List<String> names)
    {
        final List<String> own = answer.columns().stream().map(Column::name).toList();
        final int[] at = names.stream().mapToInt(own::indexOf).toArray();
        for (int i = 0; i < at.length; i++)
        {
            if (at[i] < 0)
            {
                throw new IllegalStateException("the engine's answer has no column " + names.get(i) + ": " + own);
            }
        }
        final Totals t = new Totals(own.indexOf("flows"), own.indexOf("packets"), own.indexOf("bytes"));
        for (final Object[] row : answer.rows())
        {
            final Object[] picked = new Object[at.length];
            for (int i = 0; i < at.length; i++)
            {
                picked[i] = row[at[i]];
            }
            t.add(row, picked);
        }
        return t.digest();
    }

    static List<String> columns(final ResultSet rs) throws SQLException
    {
        final List<String> names = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++)
        {
            names.add(rs.getMetaData().getColumnName(i));
        }
        return names;
    }

    /** Sums as rows go by; a listing has no flows column: each row is a flow. */
    private static final class Totals
    {
        private final int flowsAt;
        private final int packetsAt;
        private final int bytesAt;
        private final List<String> head = new ArrayList<>();
        private long rows;
        private long flows;
        private long packets;
        private long bytes;

        Totals(final int flowsAt, final int packetsAt, final int bytesAt)
        {
            this.flowsAt = flowsAt;
            this.packetsAt = packetsAt;
            this.bytesAt = bytesAt;
        }

        void add(final Object[] row, final Object[] shown)
        {
            rows++;
            flows += flowsAt < 0 ? 1 : ((Number)row[flowsAt]).longValue();
            packets += ((Number)row[packetsAt]).longValue();
            bytes += ((Number)row[bytesAt]).longValue();
            if (head.size() < HEAD_ROWS)
            {
                final List<String> values = new ArrayList<>();
                for (final Object v : shown)
                {
                    values.add(String.valueOf(v)); // Long, Integer and BigInteger print alike
                }
                head.add(String.join(",", values));
            }
        }

        Digest digest()
        {
            return new Digest(rows, flows, packets, bytes, List.copyOf(head));
        }
    }
}
