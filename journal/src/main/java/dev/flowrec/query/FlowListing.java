package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDelta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One row per flow (interface, direction, 5-tuple), its deltas summed; allocates per flow, not per delta. */
public final class FlowListing implements FlowFold
{
    private final FlowKey probe = new FlowKey();
    private final Map<FlowKey, FlowRow> rows = new HashMap<>();

    public void onFlow(final FlowDelta delta, final String iface, final String container)
    {
        probe.set(iface, container, delta.direction(), delta.family(), delta.proto(), delta.srcPort(), delta.dstPort());
        delta.getSrcAddr(probe.src, 0);
        delta.getDstAddr(probe.dst, 0);
        FlowRow row = rows.get(probe.rehash());
        if (row == null)
        {
            final FlowKey key = probe.copy();
            row = new FlowRow(key);
            rows.put(key, row);
        }
        row.add(delta.firstNs(), delta.lastNs(), delta.packets(), delta.bytes(), delta.tcpFlags());
    }

    /** The flows in order of first sight. */
    public List<FlowRow> rows()
    {
        final List<FlowRow> list = new ArrayList<>(rows.values());
        list.sort(Comparator.comparingLong(FlowRow::firstNs).thenComparingLong(FlowRow::lastNs));
        return list;
    }
}
