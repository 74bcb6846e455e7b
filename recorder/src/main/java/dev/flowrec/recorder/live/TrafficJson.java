package dev.flowrec.recorder.live;

import dev.flowrec.journal.text.Protocols;
import dev.flowrec.recorder.live.Snapshot.ContainerTraffic;
import dev.flowrec.recorder.live.Snapshot.InterfaceTraffic;
import dev.flowrec.recorder.live.Snapshot.Loss;
import dev.flowrec.recorder.live.Snapshot.TopFlow;
import dev.flowrec.recorder.live.Snapshot.Traffic;
import java.time.Instant;

/**
 * The body of {@code GET /traffic}: a snapshot, filtered by a {@link TrafficQuery}. Filters apply to every
 * list: interfaces and top flows by their interface and container, containers by name and (with
 * {@code iface}) by whether they own that interface; {@code where} filters the top flows only (an interface's or a
 * container's counters are not split by flow). Totals are not re-summed: a container's counters are all of its
 * interfaces. Names the run never saw are listed under {@code warnings} (present only then).
 */
final class TrafficJson
{
    private TrafficJson()
    {
    }

    /** @throws dev.flowrec.query.filter.AmbiguousNameException for a container prefix of several containers' ids */
    static String render(final Snapshot s, final TrafficQuery query)
    {
        final TrafficQuery.Bound q = query.bind(s.names());
        final Json json = new Json().beginObject()
            .field("time", Instant.ofEpochSecond(0, s.timeNs()).toString());
        json.key("interfaces").beginArray();
        for (final InterfaceTraffic i : s.interfaces())
        {
            if (q.matchesIface(i.name()) && q.matchesContainer(i.container()))
            {
                json.beginObject().field("ifindex", i.ifindex()).field("name", i.name()).field("container", i.container());
                counters(json, i.rx(), i.tx()).endObject();
            }
        }
        json.endArray().key("containers").beginArray();
        for (final ContainerTraffic c : s.containers())
        {
            if (q.matchesContainer(c.container()) && (q.query().iface() == null || c.interfaces().contains(q.query().iface())))
            {
                json.beginObject().field("container", c.container()).key("interfaces").beginArray();
                c.interfaces().forEach(json::value);
                counters(json.endArray(), c.rx(), c.tx()).endObject();
            }
        }
        json.endArray();
        topFlows(json, s, q);
        json.field("active_flows", s.activeFlows());
        loss(json.key("loss"), s.loss());
        json.field("events_total", s.eventsTotal())
            .field("events_per_second", s.eventsPerSecond())
            .field("journal_bytes", s.journalBytes())
            .field("live_flows_evicted", s.flowsEvicted());
        if (!q.warnings().isEmpty())
        {
            json.key("warnings").beginArray();
            q.warnings().forEach(json::value);
            json.endArray();
        }
        return json.endObject().toString();
    }

    private static Json counters(final Json json, final Traffic rx, final Traffic tx)
    {
        return json.field("rx_bytes", rx.bytes()).field("tx_bytes", tx.bytes())
            .field("rx_packets", rx.packets()).field("tx_packets", tx.packets())
            .field("rx_bps_1s", rx.bps1s()).field("tx_bps_1s", tx.bps1s())
            .field("rx_bps_10s", rx.bps10s()).field("tx_bps_10s", tx.bps10s())
            .field("rx_bps_60s", rx.bps60s()).field("tx_bps_60s", tx.bps60s())
            .field("rx_pps_1s", rx.pps1s()).field("tx_pps_1s", tx.pps1s())
            .field("rx_pps_10s", rx.pps10s()).field("tx_pps_10s", tx.pps10s())
            .field("rx_pps_60s", rx.pps60s()).field("tx_pps_60s", tx.pps60s());
    }

    private static void topFlows(final Json json, final Snapshot s, final TrafficQuery.Bound q)
    {
        json.key("top_flows").beginArray();
        int n = 0;
        for (final TopFlow f : s.topFlows())
        {
            if (n == q.query().top())
            {
                break;
            }
            if (q.matchesIface(f.iface()) && q.matchesContainer(f.container()) && q.where().test(f))
            {
                json.beginObject().field("iface", f.iface()).field("container", f.container())
                    .field("direction", Protocols.direction(f.direction())).field("proto", Protocols.name(f.proto()))
                    .field("src_addr", f.srcAddr()).field("src_port", f.srcPort())
                    .field("dst_addr", f.dstAddr()).field("dst_port", f.dstPort())
                    .field("bytes_10s", f.bytes10s()).field("bps_10s", f.bps10s())
                    .field("packets_10s", f.packets10s());
                if (f.pid() == 0)
                {
                    json.key("pid").value((String)null);
                }
                else
                {
                    json.field("pid", f.pid());
                }
                json.field("comm", f.comm()).field("src_name", f.srcName()).field("dst_name", f.dstName()).endObject();
                n++;
            }
        }
        json.endArray();
    }

    private static void loss(final Json json, final Loss l)
    {
        json.beginObject()
            .field("packets_seen", l.packetsSeen()).field("bytes_seen", l.bytesSeen())
            .field("ring_lost_events", l.ringLostEvents()).field("ring_lost_packets", l.ringLostPackets())
            .field("ring_lost_bytes", l.ringLostBytes()).field("ring_deferred", l.ringDeferred())
            .field("map_full", l.mapFull()).field("non_ip", l.nonIp()).field("malformed", l.malformed())
            .field("too_deep", l.tooDeep())
            .field("journal_lost_events", l.journalLostEvents())
            .endObject();
    }
}
