package dev.flowrec.export;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.journal.schema.FlowDeltas;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The journals of the export tests: a host with two interfaces (one a container's veth), TCP (with flags), UDP,
 * ICMP and IPv6 flows, several deltas per flow, spread over {@code hours} hours so that hourly partitions and
 * windows have something to cut. An odd seed adds a loss report halfway. Three flows in four have a socket owner
 * (journaled before their first delta: process {@link #pid} named {@link #comm}); the fourth is forwarded traffic.
 */
final class ExportJournal
{
    static final long SECOND_NS = 1_000_000_000L;
    static final long T0_NS = 1_795_698_000L * SECOND_NS; // 2026-11-26T13:00:00Z
    private static final int[] PORTS = {443, 80, 53, 22, 8080};

    private ExportJournal()
    {
    }

    /** The pid owning flow {@code flow}'s socket, 0 for none. */
    static int pid(final int flow)
    {
        return flow % 4 == 3 ? 0 : 1000 + flow % 17;
    }

    static String comm(final int flow)
    {
        return flow % 4 == 3 ? "" : "proc-" + flow % 17;
    }

    static void write(final Path dir, final String host, final int deltas, final double hours, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long stepNs = (long)(hours * 3600 * SECOND_NS / deltas);
        final boolean[] owned = new boolean[300];
        try (TestJournal journal = TestJournal.open(dir, T0_NS))
        {
            journal.recorderStarted(T0_NS, host, "6.18", "0.1.0", "record --iface eth0 --containers")
                .interfaceAttached(T0_NS, 2, "eth0", "")
                .interfaceAttached(T0_NS, 7, "veth7a3", "3f2a9c0d1e5b");
            for (int i = 0; i < deltas; i++)
            {
                final long t = T0_NS + i * stepNs;
                journal.now(t);
                if (i == deltas / 2 && seed % 2 == 1)
                {
                    journal.lossReport(t, 3, 21, 2100);
                }
                final int flow = random.nextInt(300);
                final int kind = flow % 10; // 0-5 tcp, 6-7 udp, 8 icmp, 9 tcp over IPv6
                final int proto = kind <= 5 || kind == 9 ? 6 : kind <= 7 ? 17 : 1;
                final TestJournal.Delta delta = journal.delta().firstNs(t - random.nextInt(1_000_000_000)).lastNs(t)
                    .packets(1 + random.nextInt(50)).bytes(40 + random.nextInt(60_000));
                if (kind == 9)
                {
                    delta.ipv6(0x20010db800000000L, 0x10L + flow % 7, 0x20010db800000001L, 0x1L);
                }
                else
                {
                    delta.ipv4(0x0A000000 | flow % 40, 0xC0A80100 | flow % 13);
                }
                delta.ifindex(flow % 3 == 0 ? 7 : 2)
                    .srcPort(proto == 1 ? 0 : 30000 + flow).dstPort(proto == 1 ? 8 << 8 : PORTS[flow % PORTS.length])
                    .proto(proto).direction(flow & 1)
                    .tcpFlags(proto == 6 ? (i % 7 == 0 ? 0x02 : 0x18) | (flow % 11 == 0 ? 0x40 : 0) : 0)
                    .reason(FlowDeltas.REASON_INTERVAL);
                if (pid(flow) != 0 && !owned[flow])
                {
                    owned[flow] = true;
                    delta.socketOwner(flow & 1 ^ 1, pid(flow), comm(flow));
                }
                delta.append();
            }
        }
    }
}
