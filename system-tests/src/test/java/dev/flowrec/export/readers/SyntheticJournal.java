package dev.flowrec.export.readers;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.journal.schema.FlowDeltas;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a journal as a recorder on host {@code host} would have: a RecorderStarted naming the host, two
 * interfaces (eth0, and a container's veth), then deltas of a fixed set of flows (TCP, UDP, ICMP, IPv4 and IPv6,
 * both directions) spread over {@code hours} hours from {@code t0Ns}, several deltas per flow, some of them
 * straddling an hour boundary (first packet in one hour, last in the next). Halfway through, a third interface
 * (another container's veth) is attached and a third of the flows move to it: strings first seen late, which an
 * Arrow writer must add to its dictionaries in a later batch. Seeded: the same arguments write the same journal.
 */
final class SyntheticJournal
{
    static final long SECOND_NS = 1_000_000_000L;
    static final long HOUR_NS = 3600 * SECOND_NS;
    private static final int[] PROTOS = {6, 6, 6, 17, 17, 1, 58};

    private SyntheticJournal()
    {
    }

    /** One delta as written; {@code proto} as flowrec names it (tcp, udp, icmp, icmpv6). */
    record Delta(long firstNs, long lastNs, String proto, long packets, long bytes)
    {
    }

    /** @return the deltas written, in order. */
    static List<Delta> write(final Path dir, final String host, final long t0Ns, final int hours, final int deltasPerHour,
        final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int flows = 40;
        final List<Delta> written = new ArrayList<>();
        try (TestJournal journal = TestJournal.open(dir, t0Ns))
        {
            journal.recorderStarted(t0Ns, host, "6.18.0-test", "test", "{}")
                .interfaceAttached(t0Ns, 1, "eth0", "")
                .interfaceAttached(t0Ns, 2, "veth" + host.length(), "c0ffee" + host.length());

            final long stepNs = HOUR_NS / deltasPerHour;
            final int total = hours * deltasPerHour;
            for (int i = 0; i < total; i++)
            {
                final long lastNs = t0Ns + i * stepNs + random.nextLong(stepNs);
                // every 25th delta reaches back over the previous hour boundary, if there is one
                final long backNs = i % 25 == 3 ? (lastNs - t0Ns) % HOUR_NS + random.nextLong(1, 30 * SECOND_NS)
                    : random.nextLong(0, 2 * SECOND_NS);
                final long firstNs = Math.max(t0Ns, lastNs - backNs);
                journal.now(lastNs);
                if (i == total / 2)
                {
                    journal.interfaceAttached(lastNs, 3, "veth-late-" + host, "late" + host.length() + "beef");
                }
                final int flow = random.nextInt(flows);
                final int proto = PROTOS[flow % PROTOS.length];
                final long packets = 1 + random.nextLong(5000);
                final long bytes = packets * (40 + random.nextLong(1461));
                final TestJournal.Delta delta = journal.delta().firstNs(firstNs).lastNs(lastNs)
                    .packets(packets).bytes(bytes)
                    .ifindex(flow % 3 == 0 ? 2 : flow % 3 == 1 && i >= total / 2 ? 3 : 1)
                    .direction(flow % 2 == 0 ? FlowDeltas.DIRECTION_IN : FlowDeltas.DIRECTION_OUT).proto(proto)
                    .srcPort(proto == 6 || proto == 17 ? 30000 + flow : 0)
                    .dstPort(proto == 6 ? 443 : proto == 17 ? 53 : 8 << 8)
                    .tcpFlags(proto == 6 ? 0x18 | (i % 7 == 0 ? 0x02 : 0) : 0)
                    .reason(FlowDeltas.REASON_INTERVAL);
                if (flow % 5 == 4 || proto == 58)
                {
                    delta.ipv6(0x20010db800000000L, 0x100L + flow, 0x20010db800000000L, 0x2L).append();
                }
                else
                {
                    delta.ipv4(0x0A000000 | (1 + flow), 0xC0A80001).append();
                }
                written.add(new Delta(firstNs, lastNs, switch (proto)
                {
                    case 6 -> "tcp";
                    case 17 -> "udp";
                    case 1 -> "icmp";
                    default -> "icmpv6";
                }, packets, bytes));
            }
        }
        return written;
    }
}
