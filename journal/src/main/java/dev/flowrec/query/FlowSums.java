package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDelta;
import dev.flowrec.query.filter.FlowFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums deltas per flow (interface, container, direction, 5-tuple; per time bucket for a series). A filter
 * on the flow's key alone is applied to each delta before summing; one on totals, to each flow after.
 * Allocates per flow, never per delta.
 */
final class FlowSums implements FlowFold
{
    private final FlowKey probe = new FlowKey();
    private final DeltaView view = new DeltaView();
    private final Map<FlowKey, FlowRow> rows = new HashMap<>();
    private final FlowFilter where;
    private final long intervalNs;

    FlowSums(final FlowFilter where, final long intervalNs)
    {
        this.where = where;
        this.intervalNs = intervalNs;
    }

    public void onFlow(final FlowDelta delta, final String iface, final String container)
    {
        if (!where.usesAggregates() && !where.test(view.wrap(delta, iface, container)))
        {
            return;
        }
        probe.set(iface, container, delta.direction(), delta.family(), delta.proto(), delta.srcPort(), delta.dstPort())
            .addresses(delta.srcAddrHigh(), delta.srcAddrLow(), delta.dstAddrHigh(), delta.dstAddrLow());
        probe.bucketNs = intervalNs > 0 ? Math.floorDiv(delta.lastNs(), intervalNs) * intervalNs : 0;
        FlowRow row = rows.get(probe.rehash());
        if (row == null)
        {
            final FlowKey key = probe.copy();
            row = new FlowRow(key);
            rows.put(key, row);
        }
        row.add(delta.firstNs(), delta.lastNs(), delta.packets(), delta.bytes(), delta.tcpFlags());
    }

    /** The flows that pass the filter. */
    List<FlowRow> rows()
    {
        final List<FlowRow> list = new ArrayList<>(rows.size());
        for (final FlowRow row : rows.values())
        {
            if (!where.usesAggregates() || where.test(row))
            {
                list.add(row);
            }
        }
        return list;
    }
}
