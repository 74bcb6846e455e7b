package dev.flowrec.recorder.live;

import dev.flowrec.recorder.live.Snapshot.ContainerTraffic;
import dev.flowrec.recorder.live.Snapshot.InterfaceTraffic;
import dev.flowrec.recorder.live.Snapshot.TopFlow;
import dev.flowrec.recorder.live.Snapshot.Traffic;
import dev.flowrec.query.filter.KnownNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/** Turns the live view's mutable state into an immutable {@link Snapshot}; runs on the recorder thread. */
final class SnapshotBuilder
{
    private static final Comparator<Flow> BY_RANK =
        Comparator.<Flow>comparingLong(f -> f.rankBytes).thenComparingLong(f -> f.rankPackets);

    private SnapshotBuilder()
    {
    }

    static Snapshot build(final long nowNs, final long nowSecond, final Collection<Iface> ifaces, final FlowTable flows,
        final Snapshot.Loss loss, final long events, final double eventsPerSecond, final long journalBytes,
        final KnownNames names)
    {
        final List<InterfaceTraffic> interfaces = new ArrayList<>();
        for (final Iface iface : ifaces)
        {
            if (!iface.detached)
            {
                interfaces.add(new InterfaceTraffic(iface.ifindex, iface.name, iface.container,
                    traffic(iface.rxBytes, iface.rxPackets, iface.rx, nowSecond),
                    traffic(iface.txBytes, iface.txPackets, iface.tx, nowSecond)));
            }
        }
        interfaces.sort(Comparator.comparingInt(InterfaceTraffic::ifindex));
        return new Snapshot(nowNs, List.copyOf(interfaces), containers(interfaces), topFlows(flows, nowSecond),
            activeFlows(flows), loss, events,
            eventsPerSecond, journalBytes, flows.evicted(), flows.expired(), names);
    }

    static Traffic traffic(final long bytes, final long packets, final RateRing ring, final long nowSecond)
    {
        return new Traffic(bytes, packets,
            ring.bytes(nowSecond, 1) * 8.0, ring.bytes(nowSecond, 10) * 8.0 / 10, ring.bytes(nowSecond, 60) * 8.0 / 60,
            ring.packets(nowSecond, 1), ring.packets(nowSecond, 10) / 10.0, ring.packets(nowSecond, 60) / 60.0);
    }

    private static List<ContainerTraffic> containers(final List<InterfaceTraffic> interfaces)
    {
        final Map<String, List<InterfaceTraffic>> byContainer = new TreeMap<>();
        for (final InterfaceTraffic i : interfaces)
        {
            if (!i.container().isEmpty())
            {
                byContainer.computeIfAbsent(i.container(), c -> new ArrayList<>()).add(i);
            }
        }
        final List<ContainerTraffic> containers = new ArrayList<>(byContainer.size());
        byContainer.forEach((container, members) ->
        {
            Traffic rx = Traffic.ZERO;
            Traffic tx = Traffic.ZERO;
            for (final InterfaceTraffic i : members)
            {
                rx = rx.plus(i.rx());
                tx = tx.plus(i.tx());
            }
            containers.add(new ContainerTraffic(container, members.stream().map(InterfaceTraffic::name).toList(), rx, tx));
        });
        return List.copyOf(containers);
    }

    /** Keeps the busiest {@link LiveView#MAX_TOP_FLOWS} flows of each interface (a bounded min-heap each). */
    private static long activeFlows(final FlowTable flows)
    {
        long active = 0;
        for (Flow flow = flows.oldest(); flow != null; flow = flow.newer)
        {
            active += flow.iface.detached ? 0 : 1;
        }
        return active;
    }

    private static List<TopFlow> topFlows(final FlowTable flows, final long nowSecond)
    {
        final Map<Iface, PriorityQueue<Flow>> heaps = new IdentityHashMap<>();
        for (Flow flow = flows.oldest(); flow != null; flow = flow.newer)
        {
            if (flow.iface.detached)
            {
                continue;
            }
            flow.rankBytes = flow.rate.bytes(nowSecond, 10);
            flow.rankPackets = flow.rate.packets(nowSecond, 10);
            if (flow.rankBytes == 0 && flow.rankPackets == 0)
            {
                continue;
            }
            final PriorityQueue<Flow> heap = heaps.computeIfAbsent(flow.iface, i -> new PriorityQueue<>(BY_RANK));
            if (heap.size() < LiveView.MAX_TOP_FLOWS)
            {
                heap.add(flow);
            }
            else if (BY_RANK.compare(flow, heap.peek()) > 0)
            {
                heap.poll();
                heap.add(flow);
            }
        }
        final List<TopFlow> top = new ArrayList<>();
        for (final PriorityQueue<Flow> heap : heaps.values())
        {
            for (final Flow f : heap)
            {
                final FlowId id = f.id;
                top.add(new TopFlow(id.ifindex, f.iface.name, f.iface.container, id.direction, id.family, id.proto,
                    id.srcHigh, id.srcLow, id.srcPort, id.dstHigh, id.dstLow, id.dstPort, f.rankBytes, f.rankPackets,
                    f.tcpFlags, f.owner.pid(), f.owner.comm(), f.srcName == null ? "" : f.srcName,
                    f.dstName == null ? "" : f.dstName));
            }
        }
        top.sort(Comparator.comparingLong(TopFlow::bytes10s).thenComparingLong(TopFlow::packets10s).reversed()
            .thenComparingInt(TopFlow::ifindex));
        return List.copyOf(top);
    }
}
