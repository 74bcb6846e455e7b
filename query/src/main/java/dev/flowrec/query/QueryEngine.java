package dev.flowrec.query;
import dev.flowrec.journal.text.Protocols;

import dev.flowrec.query.Column.Type;
import dev.flowrec.query.filter.FilterBinding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one query engine: replays a window of a journal, sums deltas per flow, filters, then lists flows or
 * groups them (by keys, by time bucket), keeps the top N, and says what the answer may be missing.
 */
public final class QueryEngine
{
    /**
     * The columns of a flow listing: the CSV contract of DESIGN.md. {@code pid} is null (printed empty) and {@code comm}
     * empty for a flow without a known owner; {@code src_name} and {@code dst_name} empty for an address no DNS answer in
     * force named (and for every flow of a query with names off).
     */
    public static final List<Column> LISTING_COLUMNS = List.of(
        new Column("first_seen", Type.TIME), new Column("last_seen", Type.TIME), new Column("iface", Type.TEXT),
        new Column("container", Type.TEXT), new Column("direction", Type.TEXT), new Column("proto", Type.TEXT),
        new Column("src_addr", Type.TEXT), new Column("src_port", Type.NUMBER), new Column("dst_addr", Type.TEXT),
        new Column("dst_port", Type.NUMBER), new Column("packets", Type.COUNT), new Column("bytes", Type.BYTES),
        new Column("tcp_flags", Type.TEXT), new Column("pid", Type.NUMBER), new Column("comm", Type.TEXT),
        new Column("src_name", Type.TEXT), new Column("dst_name", Type.TEXT));

    /** Off with -Dflowrec.groupsums=off: grouped questions summed per flow first (for A/B measurements). */
    static final String GROUP_SUMS = "flowrec.groupsums";

    private QueryEngine()
    {
    }

    /**
     * Answers {@code query}. {@code cancelled} is polled between read batches and every
     * {@link Cancellation#STEPS_PER_POLL} steps of each later loop (summing, grouping, sorting, building rows).
     *
     * @throws QueryCancelledException when {@code cancelled} was set: no answer, not even part of one
     * @throws dev.flowrec.query.filter.AmbiguousNameException when the filter's container prefix begins the ids of
     *                                                         several containers of the window
     */
    public static Answer run(final Path journal, final Query query, final BooleanSupplier cancelled)
    {
        return run(journal, query, new Cancellation(cancelled));
    }

    /** As {@link #run(Path, Query, BooleanSupplier)}, counting its steps in {@code cancellation}. */
    public static Answer run(final Path journal, final Query query, final Cancellation cancellation)
    {
        return run(journal, query, cancellation, RollupPlan.enabled());
    }

    /**
     * As {@link #run(Path, Query, Cancellation)}; {@code rollups}: whether whole hours may be read from their rollups
     * (false: every delta replayed, the answer rollups must equal).
     */
    public static Answer run(final Path journal, final Query query, final Cancellation cancellation,
        final boolean rollups)
    {
        return run(journal, query, cancellation, rollups, !"off".equals(System.getProperty(GROUP_SUMS)));
    }

    /**
     * As {@link #run(Path, Query, Cancellation, boolean)}; {@code groupSums}: whether a grouped question may be summed
     * per group straight away ({@link GroupSums}; false: per flow, the answer group sums must equal).
     */
    static Answer run(final Path journal, final Query query, final Cancellation cancellation, final boolean rollups,
        final boolean groupSums)
    {
        return run(journal, query, cancellation, rollups, groupSums, RollupPlan.threads());
    }

    /**
     * As {@link #run(Path, Query, Cancellation, boolean, boolean)}; {@code threads}: how many a series' hours read
     * from rollups are folded on (1: one after another; the answer is the same).
     */
    static Answer run(final Path journal, final Query query, final Cancellation cancellation, final boolean rollups,
        final boolean groupSums, final int threads)
    {
        final Window window = query.atNs() == Query.NO_INSTANT ? query.window() :
            new Window(query.window().sinceNs(), query.atNs() + 1);
        final Timeline timeline = Timeline.of(journal, window);
        final FilterBinding.Bound where = bind(query, timeline, window);
        if (rollups)
        {
            try (RollupPlan plan = RollupPlan.of(journal, query, window, timeline, where.filter(), threads))
            {
                return fold(journal, query, window, timeline, where, plan, cancellation, groupSums);
            }
        }
        return fold(journal, query, window, timeline, where, null, cancellation, groupSums);
    }

    /**
     * Folds the window with the plan's rollups if any (asked again without them on a conflict): into group sums when
     * the question {@link GroupSums#fits} and the journal keeps each key's buckets in order, else per flow.
     */
    private static Answer fold(final Path journal, final Query query, final Window window, final Timeline timeline,
        final FilterBinding.Bound where, final RollupPlan plan, final Cancellation cancellation, final boolean groupSums)
    {
        if (groupSums && GroupSums.fits(query, where.filter().usesAggregates()))
        {
            try
            {
                return sum(journal, query, window, timeline, where, plan, cancellation, query.groupBy());
            }
            catch (final GroupSums.Unordered unordered)
            {
                // a key's deltas went back a bucket: summed per flow below
            }
        }
        return sum(journal, query, window, timeline, where, plan, cancellation, null);
    }

    private static Answer sum(final Path journal, final Query query, final Window window, final Timeline timeline,
        final FilterBinding.Bound where, final RollupPlan plan, final Cancellation cancellation,
        final List<GroupKey> groupBy)
    {
        final FlowSums sums = new FlowSums(where.filter(), query.intervalNs(), query.inactiveNs(), query.names(), groupBy);
        if (plan == null)
        {
            final Replay.Result scan = Replay.run(journal, window, timeline, sums, cancellation.flag());
            return answer(query, sums, scan, where.warnings(), cancellation);
        }
        try
        {
            final Replay.Result scan = Replay.run(journal, window, timeline, sums, cancellation.flag(), plan);
            return answer(query, sums, scan.with(plan.use()), where.warnings(), cancellation);
        }
        catch (final RollupPlan.Conflict conflict)
        {
            final FlowSums again = new FlowSums(where.filter(), query.intervalNs(), query.inactiveNs(), query.names(),
                groupBy);
            final Replay.Result scan = Replay.run(journal, window, timeline, again, cancellation.flag());
            return answer(query, again, scan.with(plan.use().conflict(conflict.getMessage())), where.warnings(),
                cancellation);
        }
    }

    /**
     * Opens a query kept at the end of a growing journal ({@code query --follow}): each {@link Followed#next} answers
     * over the deltas journaled since the previous one, the first over the window so far. The query has no end.
     */
    public static Followed follow(final Path journal, final Query query)
    {
        return new Followed(journal, Replay.tail(journal, query.window(), query.names()), query);
    }

    /** A query kept open on a growing journal; every delta is in exactly one answer. Single-threaded. */
    public static final class Followed implements AutoCloseable
    {
        private final Path journal;
        private final Replay.Tail tail;
        private final Query query;

        private Followed(final Path journal, final Replay.Tail tail, final Query query)
        {
            this.journal = journal;
            this.tail = tail;
            this.query = query;
        }

        /**
         * The answer over what was journaled since the previous call (empty rows when nothing was). The filter's
         * names are bound again each time (from the catalog): a container that appears later is matched too.
         */
        public Answer next(final BooleanSupplier cancelled)
        {
            final Cancellation cancellation = new Cancellation(cancelled);
            final FilterBinding.Bound where = bind(query, Timeline.of(journal, query.window()), query.window());
            final FlowSums sums = new FlowSums(where.filter(), query.intervalNs(), query.inactiveNs(), query.names());
            return answer(query, sums, tail.step(sums, cancellation.flag()), where.warnings(), cancellation);
        }

        public void close()
        {
            tail.close();
        }
    }

    /** The query's filter with its interface and container names resolved against those the window saw. */
    public static FilterBinding.Bound bind(final Query query, final Timeline timeline, final Window window)
    {
        return FilterBinding.bind(query.where(), timeline.namesIn(window), "the window");
    }

    private static Answer answer(final Query query, final FlowSums sums, final Replay.Result scan,
        final List<String> warnings, final Cancellation cancellation)
    {
        cancellation.check();
        final Answer answer = rows(query, sums, scan, cancellation);
        // a flag set within the last loop's last poll interval: Ctrl-C still means no answer
        cancellation.check();
        return said(answer, scan, warnings);
    }

    private static Answer rows(final Query query, final FlowSums sums, final Replay.Result scan,
        final Cancellation cancellation)
    {
        if (sums.groups() != null)
        {
            final List<Group> groups = new ArrayList<>();
            sums.groups().forEach((bucketNs, key, flows, packets, bytes) -> groups.add(
                new Group(bucketNs, key, String.join("\u0000", key), new long[] {flows, packets, bytes})), cancellation);
            return groupedRows(query, groups, scan, cancellation);
        }
        List<FlowRow> flows = sums.rows(query.atNs() != Query.NO_INSTANT, cancellation);
        if (query.atNs() != Query.NO_INSTANT)
        {
            flows = activeAt(flows, query.atNs(), query.inactiveNs(), cancellation);
        }
        return query.grouped() ? grouped(query, flows, scan, cancellation) : listing(query, flows, scan, cancellation);
    }

    /** The answer with the filter's warnings, and what the name table forgot. */
    private static Answer said(final Answer answer, final Replay.Result scan, final List<String> warnings)
    {
        List<String> said = warnings;
        if (scan.namesEvicted() > 0)
        {
            said = new ArrayList<>(warnings);
            said.add("the name table was full (" + PeerNames.MAX_ADDRESSES + " addresses): " + scan.namesEvicted() +
                " addresses answered least recently were forgotten, and flows to them may have no name");
        }
        return new Answer(answer.columns(), answer.rows(), answer.coverage(), answer.scan(), said);
    }

    /**
     * The flows active at an instant: of each key only its latest flow up to then (the earlier ones ended, by the
     * inactive timeout or a SYN after FIN/RST), begun by then and not yet timed out.
     */
    private static List<FlowRow> activeAt(final List<FlowRow> current, final long atNs, final long inactiveNs,
        final Cancellation cancellation)
    {
        final List<FlowRow> active = new ArrayList<>();
        for (final FlowRow row : current)
        {
            cancellation.step();
            if (row.firstNs() <= atNs && row.lastNs() >= atNs - inactiveNs)
            {
                active.add(row);
            }
        }
        return active;
    }

    private static Answer listing(final Query query, final List<FlowRow> flows, final Replay.Result scan,
        final Cancellation cancellation)
    {
        if (query.top() > 0)
        {
            flows.sort(stepping(Comparator.comparingLong((FlowRow r) -> query.by() == Query.By.packets ? r.packets() : r.bytes())
                .reversed().thenComparingLong(FlowRow::firstNs), cancellation));
        }
        else
        {
            flows.sort(stepping(Comparator.comparingLong(FlowRow::firstNs).thenComparingLong(FlowRow::lastNs), cancellation));
        }
        final List<FlowRow> kept = query.top() > 0 ? flows.subList(0, Math.min(query.top(), flows.size())) : flows;
        final List<Object[]> rows = new ArrayList<>(kept.size());
        for (final FlowRow r : kept)
        {
            cancellation.step();
            rows.add(new Object[] {r.firstNs(), r.lastNs(), r.iface(), r.container(), r.directionName(), r.protoName(),
                r.srcAddr(), r.srcPort(), r.dstAddr(), r.dstPort(), r.packets(), r.bytes(),
                Protocols.tcpFlags(r.proto(), r.tcpFlags()), r.pid() == 0 ? null : r.pid(), r.comm(),
                r.srcName(), r.dstName()});
        }
        return new Answer(LISTING_COLUMNS, rows, scan.coverage(), scan);
    }

    /** A comparator that counts each comparison as a step: a sort of millions of rows stops soon after Ctrl-C. */
    private static <T> Comparator<T> stepping(final Comparator<T> comparator, final Cancellation cancellation)
    {
        return (a, b) ->
        {
            cancellation.step();
            return comparator.compare(a, b);
        };
    }

    /** A group's sums; {@code key} holds the bucket start (if any) then the key values, {@code text} them joined. */
    private record Group(long bucketNs, List<String> key, String text, long[] sums)
    {
    }

    /** A raw key's sums, with one of its flows to make its text key of. */
    private record RawGroup(FlowRow row, long[] sums)
    {
    }

    private static Answer grouped(final Query query, final List<FlowRow> flows, final Replay.Result scan,
        final Cancellation cancellation)
    {
        // Two levels: the flows are summed per raw key (numbers and the table's own strings, probed without
        // allocating), and only each raw group's key is made text and summed again per text key: a flow's addresses
        // are formatted once per group, not once per flow (JFR: Addresses.format ruled a top-N by address pairs).
        final Map<RawKey, RawGroup> raw = new HashMap<>();
        final RawKey probe = new RawKey(query.groupBy());
        for (final FlowRow row : flows)
        {
            cancellation.step();
            probe.of(row);
            RawGroup rawGroup = raw.get(probe);
            if (rawGroup == null)
            {
                rawGroup = new RawGroup(row, new long[3]);
                raw.put(probe.copy(), rawGroup);
            }
            final long[] sums = rawGroup.sums();
            sums[0]++;
            sums[1] += row.packets();
            sums[2] += row.bytes();
        }
        final Map<List<Object>, Group> groups = new HashMap<>();
        for (final RawGroup rawGroup : raw.values())
        {
            cancellation.step();
            final FlowRow row = rawGroup.row();
            final List<String> key = new ArrayList<>(query.groupBy().size());
            for (final GroupKey g : query.groupBy())
            {
                key.add(g.valueOf(row));
            }
            final long bucket = row.bucketNs();
            final Group group = groups.computeIfAbsent(List.of(bucket, key),
                k -> new Group(bucket, key, String.join("\u0000", key), new long[3]));
            for (int i = 0; i < 3; i++)
            {
                group.sums()[i] += rawGroup.sums()[i];
            }
        }
        return groupedRows(query, new ArrayList<>(groups.values()), scan, cancellation);
    }

    /** The groups sorted (per bucket, by the metric, then key), the top N of each bucket kept, as rows. */
    private static Answer groupedRows(final Query query, final List<Group> sorted, final Replay.Result scan,
        final Cancellation cancellation)
    {
        final int metric = switch (query.by())
        {
            case flows -> 0;
            case packets -> 1;
            case bytes -> 2;
        };
        sorted.sort(stepping(Comparator.comparingLong(Group::bucketNs)
            .thenComparing(Comparator.comparingLong((Group g) -> g.sums()[metric]).reversed())
            .thenComparing(Group::text), cancellation));
        final List<Object[]> rows = new ArrayList<>();
        long bucket = Long.MIN_VALUE;
        int inBucket = 0;
        for (final Group g : sorted)
        {
            cancellation.step();
            inBucket = g.bucketNs() == bucket ? inBucket + 1 : 1;
            bucket = g.bucketNs();
            if (query.top() > 0 && inBucket > query.top())
            {
                continue;
            }
            final List<Object> values = new ArrayList<>();
            if (query.intervalNs() > 0)
            {
                values.add(g.bucketNs());
            }
            for (int i = 0; i < g.key().size(); i++)
            {
                final String v = g.key().get(i);
                values.add(query.groupBy().get(i).numeric() ? (v.isEmpty() ? null : (Object)Integer.valueOf(v)) : v);
            }
            values.add(g.sums()[0]);
            values.add(g.sums()[1]);
            values.add(g.sums()[2]);
            rows.add(values.toArray());
        }
        return new Answer(groupedColumns(query), rows, scan.coverage(), scan);
    }

    /**
     * A flow's group key before it is made text: the bucket, numbers for addresses, ports, protocol, direction and pid,
     * and the strings the table already holds; keys that need text work (networks, conversations) hold their text.
     * Equal raw keys have equal text keys (the converse need not hold: raw groups are summed again per text key).
     */
    private static final class RawKey
    {
        private final List<GroupKey> keys;
        private final long[] numbers;
        private final Object[] refs;
        private int hash;

        RawKey(final List<GroupKey> keys)
        {
            this.keys = keys;
            this.numbers = new long[1 + 3 * keys.size()];
            this.refs = new Object[keys.size()];
        }

        private RawKey(final RawKey from)
        {
            keys = from.keys;
            numbers = from.numbers.clone();
            refs = from.refs.clone();
            hash = from.hash;
        }

        RawKey copy()
        {
            return new RawKey(this);
        }

        void of(final FlowRow row)
        {
            numbers[0] = row.bucketNs();
            for (int i = 0; i < keys.size(); i++)
            {
                final GroupKey g = keys.get(i);
                final int at = 1 + 3 * i;
                long a = 0;
                long b = 0;
                long c = 0;
                Object ref = null;
                switch (g.field())
                {
                    case src_addr ->
                    {
                        a = row.srcAddrHigh();
                        b = row.srcAddrLow();
                        c = row.family();
                    }
                    case dst_addr ->
                    {
                        a = row.dstAddrHigh();
                        b = row.dstAddrLow();
                        c = row.family();
                    }
                    case src_port -> a = row.srcPort();
                    case dst_port -> a = row.dstPort();
                    case proto -> a = row.proto();
                    case direction -> a = row.direction();
                    case pid -> a = row.pid();
                    case iface -> ref = row.iface();
                    case container -> ref = row.container();
                    case comm -> ref = row.comm();
                    case src_name -> ref = row.srcName();
                    case dst_name -> ref = row.dstName();
                    default -> ref = g.valueOf(row);
                }
                numbers[at] = a;
                numbers[at + 1] = b;
                numbers[at + 2] = c;
                refs[i] = ref;
            }
            hash = 31 * Arrays.hashCode(numbers) + Arrays.hashCode(refs);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof RawKey k && k.hash == hash && Arrays.equals(k.numbers, numbers) &&
                Arrays.equals(k.refs, refs);
        }
    }

    private static List<Column> groupedColumns(final Query query)
    {
        final List<Column> columns = new ArrayList<>();
        if (query.intervalNs() > 0)
        {
            columns.add(new Column("time", Type.TIME));
        }
        for (final GroupKey g : query.groupBy())
        {
            columns.add(new Column(g.name(), g.numeric() ? Type.NUMBER : Type.TEXT));
        }
        columns.add(new Column("flows", Type.COUNT));
        columns.add(new Column("packets", Type.COUNT));
        columns.add(new Column("bytes", Type.BYTES));
        return columns;
    }
}
