package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;

/** Kernel ring-buffer records ({@code struct fr_flow_event}) of a realistic traffic mix, for the drain path's tests. */
final class KernelDeltas
{
    private static final long FLUSH_NS = 1_000_000_000L;

    private final UnsafeBuffer kernelRecord = new UnsafeBuffer(new byte[FlowEventDecoder.LENGTH]);
    private final FlowEventDecoder event = new FlowEventDecoder().wrap(kernelRecord, 0);
    private final SplittableRandom random;
    /** Records made, their packets, bytes and spans (last - first ns), summed. */
    private final long[] sums = new long[4];

    KernelDeltas(final long seed)
    {
        this.random = new SplittableRandom(seed);
    }

    long[] sums()
    {
        return sums.clone();
    }

    void resetSums()
    {
        java.util.Arrays.fill(sums, 0);
    }

    /**
     * A delta of an IPv4 flow drawn from a mix like a busy host's: mostly TCP, some UDP (DNS, QUIC), a little
     * ICMP; ephemeral client ports; a few to a few thousand packets of 40–1500 bytes; most deltas end now
     * (interval, FIN/RST, first packet), some are residues the idle sweep flushes up to 1.5 flush intervals late.
     */
    FlowEventDecoder nextIpv4(final long nowNs)
    {
        final int kind = random.nextInt(100);
        final int proto = kind < 75 ? 6 : kind < 97 ? 17 : 1;
        final boolean idle = random.nextInt(5) == 0;
        final long lastNs = idle ? nowNs - FLUSH_NS - random.nextLong(FLUSH_NS / 2) : nowNs;
        final long packets = 1 + (random.nextInt(4) == 0 ? random.nextInt(5000) : random.nextInt(20));
        final long bytes = packets * (40 + random.nextInt(1461));
        kernelRecord.setMemory(0, FlowEventDecoder.LENGTH, (byte)0);
        kernelRecord.putShort(FlowEventDecoder.SRC_OFFSET + 10, (short)0xFFFF);
        kernelRecord.putInt(FlowEventDecoder.SRC_OFFSET + 12, 0x0A000000 | random.nextInt(1 << 16),
            java.nio.ByteOrder.BIG_ENDIAN);
        kernelRecord.putShort(FlowEventDecoder.DST_OFFSET + 10, (short)0xFFFF);
        kernelRecord.putInt(FlowEventDecoder.DST_OFFSET + 12, random.nextInt(), java.nio.ByteOrder.BIG_ENDIAN);
        kernelRecord.putInt(FlowEventDecoder.IFINDEX_OFFSET, 2 + random.nextInt(40), FlowEventDecoder.BYTE_ORDER);
        kernelRecord.putShort(FlowEventDecoder.SPORT_OFFSET, (short)(proto == 1 ? 0 : 32768 + random.nextInt(28232)),
            FlowEventDecoder.BYTE_ORDER);
        kernelRecord.putShort(FlowEventDecoder.DPORT_OFFSET, (short)(proto == 1 ? 0x0800 :
            proto == 17 ? (random.nextBoolean() ? 53 : 443) : (random.nextBoolean() ? 443 : 80)), FlowEventDecoder.BYTE_ORDER);
        kernelRecord.putByte(FlowEventDecoder.PROTO_OFFSET, (byte)proto);
        kernelRecord.putByte(FlowEventDecoder.FAMILY_OFFSET, (byte)FlowDeltas.FAMILY_IPV4);
        kernelRecord.putByte(FlowEventDecoder.DIRECTION_OFFSET, (byte)random.nextInt(2));
        kernelRecord.putByte(FlowEventDecoder.TCP_FLAGS_OFFSET, (byte)(proto == 6 ? 0x10 | random.nextInt(0x20) : 0));
        kernelRecord.putByte(FlowEventDecoder.REASON_OFFSET, (byte)(idle ? FlowDeltas.REASON_IDLE :
            FlowDeltas.REASON_FIRST + random.nextInt(3)));
        kernelRecord.putLong(FlowEventDecoder.PACKETS_OFFSET, packets, FlowEventDecoder.BYTE_ORDER);
        kernelRecord.putLong(FlowEventDecoder.BYTES_OFFSET, bytes, FlowEventDecoder.BYTE_ORDER);
        kernelRecord.putLong(FlowEventDecoder.FIRST_NS_OFFSET, lastNs - random.nextLong(FLUSH_NS), FlowEventDecoder.BYTE_ORDER);
        kernelRecord.putLong(FlowEventDecoder.LAST_NS_OFFSET, lastNs, FlowEventDecoder.BYTE_ORDER);
        sums[0]++;
        sums[1] += packets;
        sums[2] += bytes;
        sums[3] += lastNs - event.firstNs();
        return event;
    }
}
