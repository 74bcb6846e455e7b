package dev.flowrec.export.readers;

import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.Templates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

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
        final SetTimeProvider clock = new SetTimeProvider(t0Ns);
        final int flows = 40;
        final FlowDeltaEncoder delta = new FlowDeltaEncoder();
        final List<Delta> written = new ArrayList<>();
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(),
                writer.claim(Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, host, "6.18.0-test", "test",
                    "{}")), 0)
                .timeNs(t0Ns).flushIntervalNs(SECOND_NS).host(host).kernel("6.18.0-test").flowrecVersion("test")
                .config("{}");
            writer.commit();
            attached(writer, t0Ns, 1, "eth0", "");
            attached(writer, t0Ns, 2, "veth" + host.length(), "c0ffee" + host.length());

            final long stepNs = HOUR_NS / deltasPerHour;
            final int total = hours * deltasPerHour;
            for (int i = 0; i < total; i++)
            {
                final long lastNs = t0Ns + i * stepNs + random.nextLong(stepNs);
                // every 25th delta reaches back over the previous hour boundary, if there is one
                final long backNs = i % 25 == 3 ? (lastNs - t0Ns) % HOUR_NS + random.nextLong(1, 30 * SECOND_NS)
                    : random.nextLong(0, 2 * SECOND_NS);
                final long firstNs = Math.max(t0Ns, lastNs - backNs);
                clock.currentTimeNanos(lastNs);
                if (i == total / 2)
                {
                    attached(writer, lastNs, 3, "veth-late-" + host, "late" + host.length() + "beef");
                }
                final int flow = random.nextInt(flows);
                final int proto = PROTOS[flow % PROTOS.length];
                final boolean v6 = flow % 5 == 4 || proto == 58;
                final long packets = 1 + random.nextLong(5000);
                final long bytes = packets * (40 + random.nextLong(1461));
                MessageHeader.wrapAndApplyHeader(delta, writer.claim(Templates.FLOW_DELTA_LENGTH), 0)
                    .firstNs(firstNs).lastNs(lastNs)
                    .packets(packets).bytes(bytes)
                    .ifindex(flow % 3 == 0 ? 2 : flow % 3 == 1 && i >= total / 2 ? 3 : 1)
                    .direction((short)(flow % 2 == 0 ? FlowDeltas.DIRECTION_IN : FlowDeltas.DIRECTION_OUT))
                    .proto((short)proto).family((short)(v6 ? FlowDeltas.FAMILY_IPV6 : FlowDeltas.FAMILY_IPV4))
                    .srcPort(proto == 6 || proto == 17 ? 30000 + flow : 0)
                    .dstPort(proto == 6 ? 443 : proto == 17 ? 53 : 8 << 8)
                    .tcpFlags((short)(proto == 6 ? 0x18 | (i % 7 == 0 ? 0x02 : 0) : 0))
                    .reason(FlowDeltas.REASON_INTERVAL);
                if (v6)
                {
                    FlowDeltas.addresses(delta, 0x20010db800000000L, 0x100L + flow, 0x20010db800000000L, 0x2L);
                }
                else
                {
                    FlowDeltas.addressesV4(delta, 0x0A000000 | (1 + flow), 0xC0A80001);
                }
                writer.commit();
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

    private static void attached(final JournalWriter writer, final long t, final int ifindex, final String name,
        final String container)
    {
        MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(),
            writer.claim(Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH, name, container)), 0)
            .timeNs(t).ifindex(ifindex).ifname(name).container(container);
        writer.commit();
    }
}
