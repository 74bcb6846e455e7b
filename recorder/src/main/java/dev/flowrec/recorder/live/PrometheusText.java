package dev.flowrec.recorder.live;

import dev.flowrec.recorder.live.Snapshot.InterfaceTraffic;
import dev.flowrec.recorder.live.Snapshot.Loss;
import dev.flowrec.recorder.live.Snapshot.Traffic;
import java.util.function.ToLongFunction;

/**
 * The body of {@code GET /metrics}: Prometheus text exposition format 0.0.4. Every family has HELP and
 * TYPE; label values escape backslash, double quote and newline, HELP text backslash and newline, as the
 * format specifies. Kernel counters are u64 and printed unsigned.
 */
final class PrometheusText
{
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(4096);

    private PrometheusText()
    {
    }

    static String render(final Snapshot s)
    {
        return render(s, null, 0);
    }

    /**
     * @param http        the endpoints' counters, or null to leave the {@code flowrec_http_*} families out
     * @param errorsTotal the recorder's errors, read now (not with the snapshot)
     */
    static String render(final Snapshot s, final HttpCounters http, final long errorsTotal)
    {
        return render(s, http, errorsTotal, null);
    }

    /** @param owners the kernel's new flows {with, without} a socket owner, or null to leave them out (attribution off) */
    static String render(final Snapshot s, final HttpCounters http, final long errorsTotal, final long[] owners)
    {
        return render(s, http, errorsTotal, owners, null, -1);
    }

    /**
     * @param dns the run's DNS counters in DnsCounters order (responses, answers, cut short, malformed, looping,
     *            oversized, server truncated), or null to leave them out (none journaled yet, or capture off)
     * @param dnsUnsolicited the kernel's DNS responses that answered no query it saw, or -1 to leave it out (capture off)
     */
    static String render(final Snapshot s, final HttpCounters http, final long errorsTotal, final long[] owners,
        final long[] dns, final long dnsUnsolicited)
    {
        final PrometheusText p = new PrometheusText();
        p.perInterface("flowrec_bytes_total",
            "Layer-3 bytes counted on an interface since it was attached (direction in = rx, out = tx).",
            Traffic::bytes, s);
        p.perInterface("flowrec_packets_total",
            "Wire packets counted on an interface since it was attached (direction in = rx, out = tx).",
            Traffic::packets, s);
        p.single("flowrec_active_flows", "gauge", "Flows of attached interfaces updated within the last 60 s.",
            s.activeFlows());
        final Loss l = s.loss();
        p.single("flowrec_ring_lost_events_total", "counter",
            "Events the kernel could not put in the ring buffer nor keep in the flow map.", l.ringLostEvents());
        p.single("flowrec_ring_lost_packets_total", "counter", "Packets in events lost at the ring buffer.",
            l.ringLostPackets());
        p.single("flowrec_ring_lost_bytes_total", "counter", "Bytes in events lost at the ring buffer.",
            l.ringLostBytes());
        p.single("flowrec_ring_deferred_total", "counter",
            "Deltas kept in the flow map for a later flush because the ring buffer was full.", l.ringDeferred());
        p.single("flowrec_map_full_total", "counter",
            "Packets sent alone as their own delta because no kernel flow map entry could be made (the map full, or its allocation failing).", l.mapFull());
        p.single("flowrec_malformed_packets_total", "counter", "IP frames with headers cut short.", l.malformed());
        p.single("flowrec_too_deep_packets_total", "counter",
            "IP packets whose headers nest deeper than the program parses (VLAN tags, IPv6 extension headers).", l.tooDeep());
        p.single("flowrec_non_ip_packets_total", "counter", "Frames that are not IP (ARP, LLDP, ...).", l.nonIp());
        p.single("flowrec_journal_lost_events_total", "counter",
            "Events the recorder could not append to the journal.", l.journalLostEvents());
        if (s.journalBytes() >= 0)
        {
            p.single("flowrec_journal_bytes", "gauge", "Size of the journal on disk.", s.journalBytes());
        }
        p.single("flowrec_events_total", "counter", "Journal events folded into the live view.", s.eventsTotal());
        p.header("flowrec_events_per_second", "gauge", "Journal events folded per second, between the last two snapshots.");
        p.out.append("flowrec_events_per_second ").append(s.eventsPerSecond()).append('\n');
        p.single("flowrec_live_flows_evicted_total", "counter",
            "Flows pushed out of the live view's full flow table while possibly active.", s.flowsEvicted());
        p.single("flowrec_live_flows_expired_total", "counter",
            "Flows forgotten by the live view after 60 s without a delta.", s.flowsExpired());
        if (owners != null)
        {
            p.single("flowrec_flows_with_owner_total", "counter",
                "New kernel flow entries whose local socket's owning process was found (a SocketOwner event).", owners[0]);
            p.single("flowrec_flows_without_owner_total", "counter",
                "New kernel flow entries with no owner found: no local socket (forwarded), one created before the "
                    + "recorder, a kernel socket, or a full ring buffer.", owners[1]);
        }
        if (dns != null)
        {
            p.dns(dns);
        }
        if (dnsUnsolicited >= 0)
        {
            p.single("flowrec_dns_unsolicited_total", "counter",
                "DNS responses from port 53 that answered no query the kernel saw the host ask: never decoded nor "
                    + "journaled (forged, or asked before the recorder started).", dnsUnsolicited);
        }
        if (http != null)
        {
            p.http(http);
        }
        p.single("flowrec_errors_total", "counter",
            "Errors the recorder met and lived on (each message also said once on stderr).", errorsTotal);
        return p.out.toString();
    }

    private void dns(final long[] dns)
    {
        header("flowrec_dns_responses_total", "counter",
            "DNS responses captured (UDP and TCP from port 53), by what the decoder made of them (ok: whole; cut_short: "
                + "the capture or the TCP segment held only the start; malformed, looping, oversized: refused or cut).");
        final long bad = dns[2] + dns[3] + dns[4] + dns[5];
        out.append("flowrec_dns_responses_total{outcome=\"ok\"} ").append(dns[0] - bad).append('\n');
        final String[] outcomes = {"cut_short", "malformed", "looping", "oversized"};
        for (int i = 0; i < outcomes.length; i++)
        {
            out.append("flowrec_dns_responses_total{outcome=\"").append(outcomes[i]).append("\"} ").append(dns[2 + i])
                .append('\n');
        }
        single("flowrec_dns_answers_total", "counter", "DnsAnswer events journaled (responses naming an address).",
            dns[1]);
        single("flowrec_dns_server_truncated_total", "counter", "DNS responses with TC set by their server.", dns[6]);
        if (dns.length > 8)
        {
            single("flowrec_dns_ring_lost_total", "counter",
                "DNS responses the kernel could not hand over: its ring buffer was full.", dns[7]);
            single("flowrec_live_names_evicted_total", "counter",
                "Addresses the live view's name table forgot, the least recently answered, to stay within its bound.",
                dns[8]);
        }
    }

    private void http(final HttpCounters http)
    {
        header("flowrec_http_rejected_total", "counter",
            "Requests or connections the HTTP endpoints refused, by reason (connections: over the connection bound; " +
            "timeout: request head or response too slow; header_size: request head too large; body: GET with a body; " +
            "malformed: not HTTP/1.x; method: not GET or HEAD).");
        for (final HttpCounters.Reason reason : HttpCounters.Reason.values())
        {
            out.append("flowrec_http_rejected_total{reason=\"").append(reason.label).append("\"} ")
                .append(http.rejected(reason)).append('\n');
        }
        single("flowrec_http_requests_total", "counter", "Requests the HTTP endpoints answered, any status.",
            http.requests());
        single("flowrec_http_connections", "gauge", "Connections to the HTTP endpoints open now.", http.open().get());
    }

    private void perInterface(final String name, final String help, final ToLongFunction<Traffic> value,
        final Snapshot s)
    {
        header(name, "counter", help);
        for (final InterfaceTraffic i : s.interfaces())
        {
            sample(name, i, "in", value.applyAsLong(i.rx()));
            sample(name, i, "out", value.applyAsLong(i.tx()));
        }
    }

    private void sample(final String name, final InterfaceTraffic i, final String direction, final long value)
    {
        out.append(name).append("{iface=\"");
        escaped(i.name(), true);
        out.append("\",container=\"");
        escaped(i.container(), true);
        out.append("\",direction=\"").append(direction).append("\"} ").append(Long.toUnsignedString(value)).append('\n');
    }

    private void single(final String name, final String type, final String help, final long value)
    {
        header(name, type, help);
        out.append(name).append(' ').append(Long.toUnsignedString(value)).append('\n');
    }

    private void header(final String name, final String type, final String help)
    {
        out.append("# HELP ").append(name).append(' ');
        escaped(help, false);
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** The exposition format escapes backslash and newline in help text, and the double quote too in label values. */
    private void escaped(final String text, final boolean quote)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '\\' || c == '\n' || (quote && c == '"'))
            {
                out.append('\\').append(c == '\n' ? 'n' : c);
            }
            else
            {
                out.append(c);
            }
        }
    }
}
