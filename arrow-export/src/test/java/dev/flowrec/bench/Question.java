package dev.flowrec.bench;

import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import java.time.Instant;
import java.util.List;

/**
 * One question of the query benchmark, asked of flowrec's engine and, as SQL over the same deltas exported to
 * Parquet, of DuckDB. The SQL sums deltas per one-way flow first, as the engine does, so that a group's
 * {@code flows} counts flows, not deltas; rows are ordered as the engine orders them, so answers compare row by row.
 *
 * @param sql {@code %s} stands for the Parquet source
 */
record Question(String name, Query query, String sql, boolean windowed)
{
    /** The engine's flow key, as exported columns. */
    private static final String FLOW = "iface, container, direction, proto, src_addr, src_port, dst_addr, dst_port";
    private static final long MINUTE_NS = 60_000_000_000L;

    /** The five questions of issue 7, figure 5; {@code minute} is the windowed one's window. */
    static List<Question> all(final Window minute)
    {
        final Window all = Window.ALL;
        return List.of(questions(all, minute)).stream()
            .map(q -> new Question(q.name(), q.query().withInactiveNs(NO_CUT_NS), q.sql(), q.windowed())).toList();
    }

    /**
     * The SQL sums a flow per distinct 5-tuple: the engine is asked with an inactive timeout longer than the journal
     * (and the journal has no FIN or RST), so that it cuts nothing, yet tests every delta against the rule as always.
     */
    private static final long NO_CUT_NS = 3650L * 86_400 * 1_000_000_000L;

    private static Question[] questions(final Window all, final Window minute)
    {
        return new Question[] {
            new Question("flow listing (per-flow sums)", Query.listing(all), listing(""), false),
            new Question("group-by src_addr where tcp and dst port 443", new Query(all,
                FilterParser.parse("proto tcp and dst port 443"), GroupKey.parseList("src_addr"), 0, Query.By.bytes, 0,
                Query.NO_INSTANT), grouped("src_addr", "WHERE proto = 'tcp' AND dst_port = 443", ""), false),
            new Question("top 10 src_addr,dst_addr by bytes", new Query(all, FilterParser.ALL,
                GroupKey.parseList("src_addr,dst_addr"), 10, Query.By.bytes, 0, Query.NO_INSTANT),
                grouped("src_addr, dst_addr", "", " LIMIT 10"), false),
            new Question("time series 1m by proto", new Query(all, FilterParser.ALL, GroupKey.parseList("proto"), 0,
                Query.By.bytes, MINUTE_NS, Query.NO_INSTANT), series(), false),
            new Question("one-minute window listing", Query.listing(minute), listing(
                "WHERE last_seen >= '" + iso(minute.sinceNs()) + "' AND last_seen < '" + iso(minute.untilNs()) + "'"), true)};
    }

    private static String listing(final String where)
    {
        return "SELECT epoch_ns(min(first_seen)) AS first_seen, epoch_ns(max(last_seen)) AS last_seen, " + FLOW
            + ", sum(packets) AS packets, sum(bytes) AS bytes FROM %s " + where + " GROUP BY " + FLOW
            + " ORDER BY first_seen, last_seen";
    }

    private static String grouped(final String keys, final String where, final String limit)
    {
        return "SELECT " + keys + ", count(*) AS flows, sum(p) AS packets, sum(b) AS bytes FROM (SELECT " + keys
            + ", sum(packets) AS p, sum(bytes) AS b FROM %s " + where + " GROUP BY " + FLOW + ") GROUP BY " + keys
            + " ORDER BY bytes DESC, " + keys + limit;
    }

    private static String series()
    {
        return "SELECT bucket * " + MINUTE_NS + " AS time, proto, count(*) AS flows, sum(p) AS packets, sum(b) AS bytes "
            + "FROM (SELECT epoch_ns(last_seen) // " + MINUTE_NS + " AS bucket, proto, sum(packets) AS p, "
            + "sum(bytes) AS b FROM %s GROUP BY bucket, " + FLOW + ") GROUP BY bucket, proto ORDER BY time, bytes DESC, proto";
    }

    /** A TIMESTAMPTZ literal DuckDB compares with the column as it is, so Parquet min/max statistics prune row groups. */
    private static String iso(final long epochNs)
    {
        return Instant.ofEpochSecond(0, epochNs).toString().replace('T', ' ').replace("Z", "+00");
    }
}
