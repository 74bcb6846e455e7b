package dev.flowrec.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.query.Answer;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB, an independent reader, reads the Parquet exports: per-protocol flows, packets and bytes it computes
 * from the exported deltas (one file, and a hive-partitioned dataset of two hosts) equal the engine's
 * grouped answers on the same journals, as does a grouped export read back as is.
 */
class DuckDbParquetTest
{
    @TempDir
    static Path tmp;
    static Path alpha;
    static Path beta;

    @BeforeAll
    static void writeJournals()
    {
        alpha = tmp.resolve("alpha-journal");
        beta = tmp.resolve("beta-journal");
        ExportJournal.write(alpha, "alpha", 120_000, 3.5, 1);
        ExportJournal.write(beta, "beta", 70_000, 2.2, 2);
    }

    /**
     * Flows as the engine cuts them (issue 15, item 4), in SQL: a delta starts a flow when it is its 5-tuple's first
     * or came more than the 15 s inactive timeout after the tuple's previous last packet. (These journals have no
     * FIN or RST, so the other cut, a SYN after FIN/RST, never applies.)
     */
    private static final String PER_PROTO = "SELECT host, proto, sum(CASE WHEN prev IS NULL OR epoch_ns(first_seen) - prev "
        + "> 15000000000 THEN 1 ELSE 0 END) AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM (SELECT *, "
        + "max(epoch_ns(last_seen)) OVER (PARTITION BY host, iface, container, direction, proto, src_addr, src_port, "
        + "dst_addr, dst_port ORDER BY last_seen ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev FROM %s) "
        + "GROUP BY host, proto ORDER BY host, proto";

    @Test
    void shouldSumOneParquetFileAsTheEngineGroupsByProto() throws Exception
    {
        final Path out = tmp.resolve("alpha.parquet");
        final ExportResult result = Exporter.run(ExportRequest.toFile(List.of(alpha), Query.listing(Window.ALL), out,
            ExportFormat.parquet));
        assertEquals(120_000, result.rows());
        assertEquals(engine(List.of(alpha), List.of("alpha"), "proto"), duck(PER_PROTO.formatted("'" + out + "'")));
        assertEquals(List.of(List.of("120000")), duck("SELECT count(*) FROM '" + out + "'"));
        final List<List<String>> meta = duck("SELECT decode(key), decode(value) FROM parquet_kv_metadata('" + out + "') "
            + "WHERE decode(key) LIKE 'flowrec.%' ORDER BY 1");
        assertEquals("flowrec.coverage", meta.get(0).get(0));
        assertTrue(meta.get(0).get(1).contains("\"host\":\"alpha\""), meta.toString());
        assertEquals(List.of("flowrec.hosts", "alpha"), meta.get(1));
        assertEquals(List.of(List.of("TIMESTAMPTZ_NS", "VARCHAR", "INTEGER", "BIGINT")),
            duck("SELECT typeof(last_seen), typeof(iface), typeof(dst_port), typeof(bytes) FROM '" + out + "' LIMIT 1"));
    }

    @Test
    void shouldSumBytesPerSocketOwnerAsTheEngineDoes() throws Exception
    {
        final Path out = tmp.resolve("beta-owners.parquet");
        Exporter.run(ExportRequest.toFile(List.of(beta), Query.listing(Window.ALL), out, ExportFormat.parquet));
        final List<List<String>> expected = new ArrayList<>();
        for (final Object[] row : QueryEngine.run(beta, new Query(Window.ALL, FilterParser.ALL,
            GroupKey.parseList("pid,comm"), 0, Query.By.bytes, 0, Query.NO_INSTANT), () -> false).rows())
        {
            expected.add(List.of(row[0] == null ? "0" : row[0].toString(), (String)row[1], row[4].toString()));
        }
        expected.sort(java.util.Comparator.comparing((List<String> r) -> Integer.parseInt(r.get(0))));
        assertEquals(18, expected.size(), "17 processes and the forwarded flows");
        assertEquals(expected, duck("SELECT pid, comm, sum(bytes) FROM '" + out + "' GROUP BY pid, comm ORDER BY pid"));
        assertEquals(List.of(List.of("INTEGER", "VARCHAR")), duck("SELECT typeof(pid), typeof(comm) FROM '" + out + "' LIMIT 1"));
    }

    @Test
    void shouldPartitionTwoHostsByHostDateAndHour() throws Exception
    {
        final Path out = tmp.resolve("dataset");
        final Window window = new Window(ExportJournal.T0_NS + 600 * ExportJournal.SECOND_NS, Long.MAX_VALUE);
        final Query listing = new Query(window, FilterParser.parse("not icmp"), List.of(), 0, Query.By.bytes, 0,
            Query.NO_INSTANT);
        final ExportResult result = Exporter.run(ExportRequest.toFile(List.of(alpha, beta), listing, out, ExportFormat.parquet)
            .withPartitionBy(PartitionKey.parseList("host,date,hour")).withCompression(Compression.snappy));

        final List<String> files;
        try (Stream<Path> walk = Files.walk(out))
        {
            files = walk.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted().toList();
        }
        assertTrue(files.contains("host=alpha/date=2026-11-26/hour=13/part-0.parquet"), files.toString());
        assertTrue(files.contains("host=beta/date=2026-11-26/hour=15/part-0.parquet"), files.toString());
        assertEquals(4 + 3, files.size(), "alpha 13:00-16:30, beta 13:00-15:13: " + files);
        final String dataset = "read_parquet('" + out + "/**/*.parquet', hive_partitioning = true)";
        final Query grouped = new Query(window, FilterParser.parse("not icmp"), GroupKey.parseList("proto"), 0,
            Query.By.bytes, 0, Query.NO_INSTANT);
        assertEquals(engine(grouped, List.of(alpha, beta), List.of("alpha", "beta")), duck(PER_PROTO.formatted(dataset)));
        assertEquals(List.of(List.of(Long.toString(result.rows()))), duck("SELECT count(*) FROM " + dataset));
        assertEquals(List.of(List.of("0")), duck("SELECT count(*) FROM " + dataset
            + " WHERE hour <> hour(last_seen AT TIME ZONE 'UTC') OR date <> CAST(last_seen AT TIME ZONE 'UTC' AS DATE)"),
            "every row is in its last_seen's partition");
    }

    @Test
    void shouldWriteTheEnginesGroupedAnswerAsParquet() throws Exception
    {
        final Query query = new Query(Window.ALL, FilterParser.parse("tcp"), GroupKey.parseList("dst_port,direction"), 3,
            Query.By.packets, 0, Query.NO_INSTANT);
        final Path out = tmp.resolve("grouped.parquet");
        Exporter.run(ExportRequest.toFile(List.of(alpha, beta), query, out, ExportFormat.parquet));
        final List<List<String>> expected = new ArrayList<>();
        for (final var journal : List.of(List.of(alpha, "alpha"), List.of(beta, "beta")))
        {
            for (final Object[] row : QueryEngine.run((Path)journal.get(0), query, () -> false).rows())
            {
                final List<String> values = new ArrayList<>();
                values.add((String)journal.get(1));
                for (final Object v : row)
                {
                    values.add(String.valueOf(v));
                }
                expected.add(values);
            }
        }
        assertEquals(expected, duck("SELECT * FROM '" + out + "'"));
    }

    /** The engine's flows, packets and bytes per key on each journal, as DuckDB prints them. */
    private static List<List<String>> engine(final List<Path> journals, final List<String> hosts, final String key)
    {
        return engine(new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList(key), 0, Query.By.bytes, 0,
            Query.NO_INSTANT), journals, hosts);
    }

    private static List<List<String>> engine(final Query query, final List<Path> journals, final List<String> hosts)
    {
        final TreeMap<String, List<String>> rows = new TreeMap<>();
        for (int j = 0; j < journals.size(); j++)
        {
            final Answer answer = QueryEngine.run(journals.get(j), query, () -> false);
            for (final Object[] row : answer.rows())
            {
                rows.put(hosts.get(j) + "\u0000" + row[0], List.of(hosts.get(j), String.valueOf(row[0]),
                    String.valueOf(row[1]), String.valueOf(row[2]), String.valueOf(row[3])));
            }
        }
        return new ArrayList<>(rows.values());
    }

    static List<List<String>> duck(final String sql) throws Exception
    {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(sql))
        {
            final int n = rs.getMetaData().getColumnCount();
            final List<List<String>> rows = new ArrayList<>();
            while (rs.next())
            {
                final List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++)
                {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }
}
