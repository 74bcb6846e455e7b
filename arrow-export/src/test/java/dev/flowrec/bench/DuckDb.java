package dev.flowrec.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** DuckDB in this process (JDBC, in-memory database) reading Parquet files: the query benchmark's baseline. */
final class DuckDb implements AutoCloseable
{
    private final Connection connection;

    private DuckDb(final Connection connection)
    {
        this.connection = connection;
    }

    /** @param threads DuckDB's worker threads; 0 leaves its default (one per core). */
    static DuckDb open(final int threads) throws SQLException
    {
        final DuckDb db = new DuckDb(DriverManager.getConnection("jdbc:duckdb:"));
        if (threads > 0)
        {
            db.execute("SET threads = " + threads);
        }
        db.execute("SET memory_limit = '4GB'"); // a good neighbour on a shared machine; the answers need far less
        return db;
    }

    /**
     * Rewrites a Parquet file with DuckDB's own writer, same rows in the same order, in row groups of
     * {@code rowGroupRows}: its best layout, where min/max statistics per row group let a time filter skip the rest.
     */
    void rewrite(final Path from, final Path to, final int rowGroupRows) throws SQLException
    {
        execute("COPY (SELECT * FROM read_parquet('" + from + "')) TO '" + to + "' (FORMAT parquet, COMPRESSION zstd, "
            + "ROW_GROUP_SIZE " + rowGroupRows + ")");
    }

    /** @return {rows, row groups} of a Parquet file, from its footer. */
    long[] shape(final Path file) throws SQLException
    {
        try (Statement s = connection.createStatement();
            ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM read_parquet('" + file + "')), "
                + "(SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + file + "'))"))
        {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** Runs a question's SQL over {@code file}, reading every value of every row. */
    Digest digest(final Question question, final Path file) throws SQLException
    {
        try (Statement s = connection.createStatement();
            ResultSet rs = s.executeQuery(question.sql().formatted("read_parquet('" + file + "')")))
        {
            return Digest.of(rs);
        }
    }

    List<String> columns(final Question question, final Path file) throws SQLException
    {
        try (Statement s = connection.createStatement();
            ResultSet rs = s.executeQuery("SELECT * FROM (" + question.sql().formatted("read_parquet('" + file + "')")
                + ") LIMIT 0"))
        {
            return Digest.columns(rs);
        }
    }

    private void execute(final String sql) throws SQLException
    {
        try (Statement s = connection.createStatement())
        {
            s.execute(sql);
        }
    }

    public void close() throws SQLException
    {
        connection.close();
    }
}
