package dev.flowrec.query.top;

import dev.flowrec.journal.text.OneLine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code flowrec top} shows and how: sorted by bytes or packets, flows grouped by flow, source, destination,
 * container or command, a filter, paused or not. The keys change it; {@link TopScreen} draws it.
 */
final class TopModel
{
    enum Sort
    {
        bytes, packets
    }

    enum Group
    {
        flow, src, dst, container, comm;

        Group next()
        {
            return values()[(ordinal() + 1) % values().length];
        }
    }

    /** A row of the flows table: a group's label and its sums over the view's span. */
    record Row(String label, long bytes, long packets, int flows)
    {
    }

    Sort sort = Sort.bytes;
    Group group = Group.flow;
    String where = "";
    boolean paused;

    TopModel(final Sort sort, final Group group, final String where)
    {
        this.sort = sort;
        this.group = group;
        this.where = where;
    }

    /** The view's flows in groups, largest first by the sort. */
    List<Row> rows(final TopView view)
    {
        final Map<String, long[]> sums = new LinkedHashMap<>();
        for (final TopView.Flow f : view.flows())
        {
            final long[] s = sums.computeIfAbsent(label(f), k -> new long[3]);
            s[0] += f.bytes();
            s[1] += f.packets();
            s[2]++;
        }
        final List<Row> rows = new ArrayList<>();
        sums.forEach((label, s) -> rows.add(new Row(label, s[0], s[1], (int)s[2])));
        final Comparator<Row> metric = sort == Sort.bytes ? Comparator.comparingLong(Row::bytes) :
            Comparator.comparingLong(Row::packets);
        rows.sort(metric.reversed().thenComparing(Row::label));
        return rows;
    }

    private String label(final TopView.Flow f)
    {
        return OneLine.of(switch (group)
        {
            case flow -> String.format(Locale.ROOT, "%s%s %-3s %-4s %s → %s", f.iface(),
                f.container().isEmpty() ? "" : "@" + f.container(), f.direction(), f.proto(),
                endpoint(f.src(), f.srcPort(), f.proto()), endpoint(f.dst(), f.dstPort(), f.proto()))
                + (f.comm().isEmpty() ? "" : "  " + f.comm() + "[" + f.pid() + "]");
            case src -> f.src();
            case dst -> f.dst();
            case container -> f.container().isEmpty() ? "(host)" : f.container();
            case comm -> f.comm().isEmpty() ? "(unknown)" : f.comm();
        });
    }

    private static String endpoint(final String addr, final int port, final String proto)
    {
        final boolean ports = "tcp".equals(proto) || "udp".equals(proto) || "sctp".equals(proto) || "udplite".equals(proto)
            || "dccp".equals(proto);
        final String host = addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr;
        return ports ? host + ":" + port : host;
    }
}
