package dev.flowrec.bench;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.Reasons;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Synthetic ring-buffer records ({@code struct fr_flow_event}, the kernel's 80 bytes, laid out at
 * {@link FlowEventDecoder}'s offsets) of a host's traffic: a fixed population of one-way flows, 85% IPv4 and 15%
 * IPv6, TCP/UDP/ICMP, on 4 interfaces, a few heavy flows and a long tail (a flow is picked with probability
 * skewed to low numbers), each delta spanning up to one flush interval, with realistic packet sizes. Times are
 * boot-clock nanoseconds, increasing. Deterministic (seeded); one record buffer, rewritten per delta.
 */
final class RingRecords
{
    private static final int[] SERVICES = {443, 80, 53, 22, 123, 5432, 6443, 8080, 9090, 25};
    private static final long FLUSH_NS = 1_000_000_000L;

    private final UnsafeBuffer record = new UnsafeBuffer(new byte[FlowEventDecoder.LENGTH]);
    private final FlowEventDecoder decoder = new FlowEventDecoder().wrap(record, 0);
    private final SplittableRandom random = new SplittableRandom(7);
    private final int flows;
    private final boolean[] seen;

    RingRecords(final int flows)
    {
        this.flows = flows;
        this.seen = new boolean[flows];
    }

    /** The next delta, its last packet at {@code lastNs} (boot clock); valid until the next call. */
    FlowEventDecoder next(final long lastNs)
    {
        final double u = random.nextDouble();
        final int flow = (int)(flows * u * u * u); // heavy hitters: flow 0 is far likelier than flow N-1
        final int kind = flow % 20; // 0-16 IPv4, 17-19 IPv6; proto by flow / 20
        final int protoPick = flow / 20 % 20;
        final int proto = protoPick < 14 ? 6 : protoPick < 19 ? 17 : kind < 17 ? 1 : 58;
        final boolean v6 = kind >= 17;
        address(FlowEventDecoder.SRC_OFFSET, v6, 0x0A000000 | flow * 7 % 4096, flow % 613);
        address(FlowEventDecoder.DST_OFFSET, v6, 0xC6336400 | flow % 97, 0x10 + flow % 31);
        record.putInt(FlowEventDecoder.IFINDEX_OFFSET, 2 + flow % 4, FlowEventDecoder.BYTE_ORDER);
        final boolean icmp = proto == 1 || proto == 58;
        record.putShort(FlowEventDecoder.SPORT_OFFSET, (short)(icmp ? 0 : 32768 + flow * 13 % 28000), FlowEventDecoder.BYTE_ORDER);
        record.putShort(FlowEventDecoder.DPORT_OFFSET, (short)(icmp ? 8 << 8 : SERVICES[flow % SERVICES.length]),
            FlowEventDecoder.BYTE_ORDER);
        record.putByte(FlowEventDecoder.PROTO_OFFSET, (byte)proto);
        record.putByte(FlowEventDecoder.FAMILY_OFFSET, (byte)(v6 ? 6 : 4));
        record.putByte(FlowEventDecoder.DIRECTION_OFFSET, (byte)(flow >> 1 & 1));
        final boolean first = !seen[flow];
        seen[flow] = true;
        final int reason = first ? Reasons.FIRST : random.nextInt(50) == 0 ? Reasons.FIN_RST : Reasons.INTERVAL;
        record.putByte(FlowEventDecoder.TCP_FLAGS_OFFSET, (byte)(proto != 6 ? 0 : first ? 0x02 : reason == Reasons.FIN_RST ? 0x11 : 0x18));
        record.putByte(FlowEventDecoder.REASON_OFFSET, (byte)reason);
        final long packets = first ? 1 : 1 + (long)(random.nextDouble() * random.nextDouble() * 2000);
        final int size = proto == 6 && random.nextBoolean() ? 1500 : 40 + random.nextInt(1200);
        record.putLong(FlowEventDecoder.PACKETS_OFFSET, packets, FlowEventDecoder.BYTE_ORDER);
        record.putLong(FlowEventDecoder.BYTES_OFFSET, packets * size, FlowEventDecoder.BYTE_ORDER);
        record.putLong(FlowEventDecoder.FIRST_NS_OFFSET, first ? lastNs : lastNs - random.nextLong(FLUSH_NS),
            FlowEventDecoder.BYTE_ORDER);
        record.putLong(FlowEventDecoder.LAST_NS_OFFSET, lastNs, FlowEventDecoder.BYTE_ORDER);
        return decoder;
    }

    /** 16 bytes in network order: IPv4 v4-mapped, IPv6 in 2001:db8::/32. */
    private void address(final int offset, final boolean v6, final int v4, final int v6Host)
    {
        record.setMemory(offset, 16, (byte)0);
        if (v6)
        {
            record.putInt(offset, 0x20010db8, java.nio.ByteOrder.BIG_ENDIAN);
            record.putInt(offset + 12, v6Host, java.nio.ByteOrder.BIG_ENDIAN);
        }
        else
        {
            record.putShort(offset + 10, (short)0xFFFF);
            record.putInt(offset + 12, v4, java.nio.ByteOrder.BIG_ENDIAN);
        }
    }
}
