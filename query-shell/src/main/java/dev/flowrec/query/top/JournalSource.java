package dev.flowrec.query.top;

import dev.flowrec.journal.text.Protocols;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FlowFilter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A journal followed live: each refresh asks the engine for the flows whose deltas were journaled in the last
 * {@link #SPAN_S} seconds (a seek, so the cost follows the window, not the journal) and sums interfaces and
 * containers from them. Needs no recorder: a journal copied from another host, or one whose recorder has no live view.
 */
final class JournalSource implements TopSource
{
    static final int SPAN_S = 10;
    private static final long NS_PER_S = 1_000_000_000L;
    private final Path journal;
    private final LongSupplier clockNs;

    JournalSource(final Path journal, final LongSupplier clockNs)
    {
        this.journal = journal;
        this.clockNs = clockNs;
    }

    public String describe()
    {
        return journal.toString();
    }

    public TopView fetch(final String where)
    {
        final FlowFilter filter = FilterParser.parse(where);
        final long nowNs = clockNs.getAsLong();
        final Query query = new Query(new Window(nowNs - SPAN_S * NS_PER_S, Long.MAX_VALUE), filter, List.of(), 0,
            Query.By.bytes, 0, Query.NO_INSTANT);
        final Answer answer = QueryEngine.run(journal, query, () -> Thread.currentThread().isInterrupted());
        final List<TopView.Flow> flows = new ArrayList<>();
        final Map<String, long[]> interfaces = new LinkedHashMap<>();
        final Map<String, long[]> containers = new LinkedHashMap<>();
        for (final Object[] r : answer.rows())
        {
            final String iface = (String)r[2];
            final String container = (String)r[3];
            final String direction = (String)r[4];
            final String proto = (String)r[5];
            final long packets = (Long)r[10];
            final long bytes = (Long)r[11];
            flows.add(new TopView.Flow(iface, container, direction,
                proto.chars().allMatch(Character::isDigit) ? Protocols.keyword(Integer.parseInt(proto)) : proto,
                (String)r[6], (Integer)r[7], (String)r[8], (Integer)r[9], bytes, packets,
                r[13] == null ? 0 : (Integer)r[13], (String)r[14]));
            final int in = "in".equals(direction) ? 0 : 2;
            add(interfaces, iface + (container.isEmpty() ? "" : "@" + container), in, bytes, packets);
            if (!container.isEmpty())
            {
                add(containers, container, in, bytes, packets);
            }
        }
        return new TopView(nowNs, SPAN_S, links(interfaces), links(containers), flows,
            answer.coverage().complete() ? "" : answer.coverage().describe());
    }

    private static void add(final Map<String, long[]> sums, final String name, final int at, final long bytes,
        final long packets)
    {
        final long[] s = sums.computeIfAbsent(name, k -> new long[4]);
        s[at] += bytes;
        s[at + 1] += packets;
    }

    private static List<TopView.Link> links(final Map<String, long[]> sums)
    {
        final List<TopView.Link> links = new ArrayList<>();
        sums.forEach((name, s) -> links.add(new TopView.Link(name, (double)s[0] / SPAN_S, (double)s[2] / SPAN_S,
            (double)s[1] / SPAN_S, (double)s[3] / SPAN_S)));
        return links;
    }
}
