package dev.flowrec.recorder.live;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.query.FlowView;
import dev.flowrec.query.filter.KnownNames;
import java.util.List;

/**
 * What the live view showed at one instant: immutable, built by {@link LiveView#publish} on the recorder
 * thread and read by any number of HTTP threads. Detached interfaces and their flows are not in it.
 * Rates are over complete seconds of event time before {@code timeNs}: bits (bps) and packets (pps) per
 * second over the last 1, 10 and 60 seconds.
 *
 * @param timeNs          when it was published, UTC epoch ns (the view's clock)
 * @param interfaces      attached interfaces by ifindex
 * @param containers      interfaces with a container, summed per container, by container
 * @param topFlows        by bytes over the last 10 s, descending; up to {@link LiveView#MAX_TOP_FLOWS} per
 *                        interface, so the top N of any set of interfaces is exact for N up to that
 * @param activeFlows     tracked flows of attached interfaces (updated within the last 60 s)
 * @param loss            the kernel's and the recorder's loss counters, cumulative since the recorder started
 * @param eventsTotal     journal events folded since the view was created
 * @param eventsPerSecond events folded per second since the previous publish
 * @param journalBytes    journal size on disk, -1 when unknown
 * @param flowsEvicted    flows pushed out of the full flow table
 * @param flowsExpired    flows forgotten after 60 s without a delta
 * @param names           the interfaces and containers this recorder run journaled, for a filter's names
 */
public record Snapshot(long timeNs, List<InterfaceTraffic> interfaces, List<ContainerTraffic> containers,
    List<TopFlow> topFlows, long activeFlows, Loss loss, long eventsTotal, double eventsPerSecond,
    long journalBytes, long flowsEvicted, long flowsExpired, KnownNames names)
{
    /** Before the first publish: no traffic, time 0 (so /healthz reports it as never published). */
    static final Snapshot EMPTY = new Snapshot(0, List.of(), List.of(), List.of(), 0, Loss.NONE, 0, 0, -1, 0, 0,
        KnownNames.NONE);

    /** One direction's counters: totals since attach and rates over the last 1, 10, 60 s. */
    public record Traffic(long bytes, long packets, double bps1s, double bps10s, double bps60s,
        double pps1s, double pps10s, double pps60s)
    {
        static final Traffic ZERO = new Traffic(0, 0, 0, 0, 0, 0, 0, 0);

        Traffic plus(final Traffic t)
        {
            return new Traffic(bytes + t.bytes, packets + t.packets, bps1s + t.bps1s, bps10s + t.bps10s,
                bps60s + t.bps60s, pps1s + t.pps1s, pps10s + t.pps10s, pps60s + t.pps60s);
        }
    }

    /** rx is direction in, tx direction out, as journaled (for a container veth: the workload's view). */
    public record InterfaceTraffic(int ifindex, String name, String container, Traffic rx, Traffic tx)
    {
    }

    public record ContainerTraffic(String container, List<String> interfaces, Traffic rx, Traffic tx)
    {
    }

    /**
     * Addresses are the journal's 16 bytes as two big-endian longs (IPv4 v4-mapped). As a {@link FlowView} (what
     * {@code ?where=} tests), its packets and bytes are those of the last 10 s, its TCP flags all it was seen with.
     * pid and comm name the process owning its local socket (0 and "" when unknown); srcName and dstName the names the
     * host's resolver was given for its addresses when it began ("" when none).
     */
    public record TopFlow(int ifindex, String iface, String container, int direction, int family, int proto,
        long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort, long bytes10s,
        long packets10s, int tcpFlags, int pid, String comm, String srcName, String dstName) implements FlowView
    {
        public long srcAddrHigh()
        {
            return srcHigh;
        }

        public long srcAddrLow()
        {
            return srcLow;
        }

        public long dstAddrHigh()
        {
            return dstHigh;
        }

        public long dstAddrLow()
        {
            return dstLow;
        }

        public long packets()
        {
            return packets10s;
        }

        public long bytes()
        {
            return bytes10s;
        }

        public double bps10s()
        {
            return bytes10s * 8 / 10.0;
        }

        public String srcAddr()
        {
            return Addresses.format(srcHigh, srcLow, family);
        }

        public String dstAddr()
        {
            return Addresses.format(dstHigh, dstLow, family);
        }
    }

    /** The latest LossReport of this recorder run (all zero before the first). */
    public record Loss(long packetsSeen, long bytesSeen, long ringLostEvents, long ringLostPackets,
        long ringLostBytes, long ringDeferred, long mapFull, long nonIp, long malformed, long journalLostEvents,
        long tooDeep)
    {
        static final Loss NONE = new Loss(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
