package dev.flowrec.export;

import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.LossReportEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.Templates;
import java.nio.file.Path;
import java.util.SplittableRandom;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/**
 * Real journals for the tests, written with the journal's own writer: a host with two interfaces (one a
 * container's veth), TCP (with flags), UDP, ICMP and IPv6 flows, several deltas per flow, spread over
 * {@code hours} hours so that hourly partitions and windows have something to cut.
 */
final class TestJournals
{
    static final long SECOND_NS = 1_000_000_000L;
    static final long T0_NS = 1_795_698_000L * SECOND_NS; // 2026-11-26T13:00:00Z

    private TestJournals()
    {
    }

    static void write(final Path dir, final String host, final int deltas, final double hours, final long seed)
    {
        final SetTimeProvider clock = new SetTimeProvider(T0_NS);
        final SplittableRandom random = new SplittableRandom(seed);
        final long stepNs = (long)(hours * 3600 * SECOND_NS / deltas);
        final int[] ports = {443, 80, 53, 22, 8080};
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            final String config = "record --iface eth0 --containers";
            MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(),
                writer.claim(Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, host, "6.18", "0.1.0",
                    config)), 0)
                .timeNs(T0_NS).flushIntervalNs(SECOND_NS).host(host).kernel("6.18").flowrecVersion("0.1.0").config(config);
            writer.commit();
            attach(writer, T0_NS, 2, "eth0", "");
            attach(writer, T0_NS, 7, "veth7a3", "3f2a9c0d1e5b");
            final FlowDeltaEncoder d = new FlowDeltaEncoder();
            for (int i = 0; i < deltas; i++)
            {
                final long t = T0_NS + i * stepNs;
                clock.currentTimeNanos(t);
                if (i == deltas / 2 && seed % 2 == 1)
                {
                    MessageHeader.wrapAndApplyHeader(new LossReportEncoder(),
                        writer.claim(Templates.LOSS_REPORT_LENGTH), 0)
                        .timeNs(t).ringLostEvents(3).ringLostPackets(21).ringLostBytes(2100);
                    writer.commit();
                }
                final int flow = random.nextInt(300);
                final int kind = flow % 10; // 0-5 tcp, 6-7 udp, 8 icmp, 9 tcp over IPv6
                final int proto = kind <= 5 || kind == 9 ? 6 : kind <= 7 ? 17 : 1;
                MessageHeader.wrapAndApplyHeader(d, writer.claim(Templates.FLOW_DELTA_LENGTH), 0)
                    .firstNs(t - random.nextInt(1_000_000_000)).lastNs(t)
                    .packets(1 + random.nextInt(50)).bytes(40 + random.nextInt(60_000));
                if (kind == 9)
                {
                    FlowDeltas.addresses(d, 0x20010db800000000L, 0x10L + flow % 7, 0x20010db800000001L, 0x1L);
                }
                else
                {
                    FlowDeltas.addressesV4(d, 0x0A000000 | flow % 40, 0xC0A80100 | flow % 13);
                }
                d.ifindex(flow % 3 == 0 ? 7 : 2)
                    .srcPort(proto == 1 ? 0 : 30000 + flow).dstPort(proto == 1 ? 8 << 8 : ports[flow % ports.length])
                    .proto((short)proto).family((short)(kind == 9 ? 6 : 4)).direction((short)(flow & 1))
                    .tcpFlags((short)(proto == 6 ? (i % 7 == 0 ? 0x02 : 0x18) | (flow % 11 == 0 ? 0x40 : 0) : 0))
                    .reason(FlowDeltas.REASON_INTERVAL);
                writer.commit();
            }
        }
    }

    private static void attach(final JournalWriter writer, final long t, final int ifindex, final String name, final String container)
    {
        MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(),
            writer.claim(Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH, name, container)), 0)
            .timeNs(t).ifindex(ifindex).ifname(name).container(container);
        writer.commit();
    }
}
