package dev.flowrec.journal;

import dev.flowrec.journal.schema.ContainerSeenEncoder;
import dev.flowrec.journal.schema.DnsAnswerEncoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.LossReportEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.PinOutcome;
import dev.flowrec.journal.schema.PinnedStateEncoder;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.RecorderStoppedEncoder;
import dev.flowrec.journal.schema.SocketOwnerEncoder;
import dev.flowrec.journal.schema.Templates;
import java.nio.file.Path;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a synthetic journal for a test, through the journal's own writer, one event a call:
 * <pre>
 * try (TestJournal journal = TestJournal.open(dir, t0))
 * {
 *     journal.recorderStarted(t0, "h", "k", "v", "c").interfaceAttached(t0, 1, "eth0", "");
 *     journal.now(t).delta().at(t).packets(3).bytes(180).ipv4(src, dst).srcPort(40001).dstPort(443).proto(6).append();
 * }
 * </pre>
 * The journal's clock is the test's: it stays where {@link #open} or {@link #now} set it, and it alone decides
 * the cycle file an event goes to, whatever times the event carries. A field not given is zero.
 * Single-threaded, as the writer.
 */
public final class TestJournal implements AutoCloseable
{
    private static final long FLUSH_INTERVAL_NS = 1_000_000_000L;

    private final SetTimeProvider clock;
    private final JournalWriter writer;
    private final Delta delta = new Delta();
    private final RecorderStartedEncoder started = new RecorderStartedEncoder();
    private final InterfaceAttachedEncoder attached = new InterfaceAttachedEncoder();
    private final ContainerSeenEncoder seen = new ContainerSeenEncoder();
    private final LossReportEncoder loss = new LossReportEncoder();
    private final RecorderStoppedEncoder stopped = new RecorderStoppedEncoder();
    private final PinnedStateEncoder pinned = new PinnedStateEncoder();
    private final SocketOwnerEncoder owner = new SocketOwnerEncoder();
    private final DnsAnswerEncoder dns = new DnsAnswerEncoder();
    private long lingeringBatch = -1;
    private long lingeringSinceNs;

    private TestJournal(final JournalWriter writer, final SetTimeProvider clock)
    {
        this.writer = writer;
        this.clock = clock;
    }

    /** Opens (creating if needed) the journal in {@code dir}, rolled hourly, its clock at {@code nowNs}. */
    public static TestJournal open(final Path dir, final long nowNs)
    {
        return open(dir, JournalPaths.DEFAULT_ROLL_CYCLE, nowNs);
    }

    public static TestJournal open(final Path dir, final RollCycle rollCycle, final long nowNs)
    {
        final SetTimeProvider clock = new SetTimeProvider(nowNs);
        return new TestJournal(JournalWriter.open(dir, rollCycle, clock), clock);
    }

    /**
     * Opens a journal that starts as most tests' do: the recorder started at {@code nowNs} and attached eth0
     * (ifindex 1) of its own namespace, so the events that follow read as eth0's.
     */
    public static TestJournal openOnEth0(final Path dir, final long nowNs)
    {
        return open(dir, nowNs).recorderStarted(nowNs, "h", "k", "v", "c").interfaceAttached(nowNs, 1, "eth0", "");
    }

    /** Sets the journal's clock, which selects the cycle file of the events that follow. */
    public TestJournal now(final long timeNs)
    {
        clock.currentTimeNanos(timeNs);
        return this;
    }

    /** A RecorderStarted of flush interval 1 s, as {@code flowrec record} starts by default. */
    public TestJournal recorderStarted(
        final long timeNs, final String host, final String kernel, final String flowrecVersion, final String config)
    {
        MessageHeader.wrapAndApplyHeader(started, writer.claim(
                Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, host, kernel, flowrecVersion, config)), 0)
            .timeNs(timeNs).flushIntervalNs(FLUSH_INTERVAL_NS)
            .host(host).kernel(kernel).flowrecVersion(flowrecVersion).config(config);
        writer.commit();
        return this;
    }

    /** A RecorderStarted as {@link #recorderStarted(long, String, String, String, String)}, by recorder {@code pid}. */
    public TestJournal recorderStarted(final long timeNs, final int pid)
    {
        MessageHeader.wrapAndApplyHeader(started, writer.claim(
                Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, "h", "k", "v", "c")), 0)
            .timeNs(timeNs).flushIntervalNs(FLUSH_INTERVAL_NS).pid(pid)
            .host("h").kernel("k").flowrecVersion("v").config("c");
        writer.commit();
        return this;
    }

    /** A PinnedState: what a starting recorder did with the state pinned by run {@code previousPid}. */
    public TestJournal pinnedState(final long timeNs, final PinOutcome outcome, final int previousPid)
    {
        MessageHeader.wrapAndApplyHeader(pinned, writer.claim(
                Templates.encodedLength(PinnedStateEncoder.BLOCK_LENGTH, "i", "/sys/fs/bpf/flowrec/i", "")), 0)
            .timeNs(timeNs).previousPid(previousPid).outcome(outcome).instance("i").pinPath("/sys/fs/bpf/flowrec/i")
            .detail("");
        writer.commit();
        return this;
    }

    /** An InterfaceAttached in the recorder's own namespace; {@code container} empty for the host's. */
    public TestJournal interfaceAttached(
        final long timeNs, final int ifindex, final String ifname, final String container)
    {
        MessageHeader.wrapAndApplyHeader(attached,
                writer.claim(Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH, ifname, container)), 0)
            .timeNs(timeNs).ifindex(ifindex).ifname(ifname).container(container);
        writer.commit();
        return this;
    }

    /** A ContainerSeen behind interface {@code ifindex}, in the recorder's own namespace. */
    public TestJournal containerSeen(
        final long timeNs,
        final int ifindex,
        final String id,
        final String shortId,
        final String runtime,
        final String cgroupPath,
        final String netnsName,
        final String ifname)
    {
        MessageHeader.wrapAndApplyHeader(seen, writer.claim(Templates.encodedLength(
                ContainerSeenEncoder.BLOCK_LENGTH, id, shortId, runtime, cgroupPath, netnsName, ifname)), 0)
            .timeNs(timeNs).ifindex(ifindex).id(id).shortId(shortId).runtime(runtime).cgroupPath(cgroupPath)
            .netnsName(netnsName).ifname(ifname);
        writer.commit();
        return this;
    }

    /**
     * A DnsAnswer seen on {@code ifindex} (UDP, server 10.0.0.53:53, client 10.0.0.2:40000): {@code queryName} resolved,
     * through {@code finalName}, to the IPv4 addresses given, each with {@code ttlS}.
     */
    public TestJournal dnsAnswer(final long timeNs, final int ifindex, final String queryName, final String finalName,
        final long ttlS, final int... ipv4)
    {
        return dnsAnswerTo(0x0A000002, timeNs, ifindex, queryName, finalName, ttlS, ipv4);
    }

    /** As {@link #dnsAnswer}, to the IPv4 client {@code client} (port 40000). */
    public TestJournal dnsAnswerTo(final int client, final long timeNs, final int ifindex, final String queryName,
        final String finalName, final long ttlS, final int... ipv4)
    {
        final UnsafeBuffer addresses = new UnsafeBuffer(new byte[ipv4.length * Templates.DNS_ADDRESS_LENGTH]);
        for (int i = 0; i < ipv4.length; i++)
        {
            final int at = i * Templates.DNS_ADDRESS_LENGTH;
            addresses.putInt(at, (int)ttlS, java.nio.ByteOrder.LITTLE_ENDIAN);
            addresses.putInt(at + 12, 0x0000FFFF, java.nio.ByteOrder.BIG_ENDIAN);
            addresses.putInt(at + 16, ipv4[i], java.nio.ByteOrder.BIG_ENDIAN);
        }
        final int length = Templates.encodedLength(DnsAnswerEncoder.BLOCK_LENGTH, queryName, finalName) +
            DnsAnswerEncoder.addressesHeaderLength() + addresses.capacity();
        final MutableDirectBuffer b = writer.claim(length);
        MessageHeader.wrapAndApplyHeader(dns, b, 0)
            .timeNs(timeNs).ifindex(ifindex).serverPort(53).clientPort(40000).proto((short)17).family((short)4)
            .queryName(queryName).finalName(finalName).putAddresses(addresses, 0, addresses.capacity());
        b.putBytes(MessageHeader.ENCODED_LENGTH + DnsAnswerEncoder.serverAddrEncodingOffset(),
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 53});
        b.putBytes(MessageHeader.ENCODED_LENGTH + DnsAnswerEncoder.clientAddrEncodingOffset(),
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, 0});
        b.putInt(MessageHeader.ENCODED_LENGTH + DnsAnswerEncoder.clientAddrEncodingOffset() + 12, client,
            java.nio.ByteOrder.BIG_ENDIAN);
        writer.commit();
        return this;
    }

    /** A LossReport of the ring's losses, cumulative since the recorder started; its other counters zero. */
    public TestJournal lossReport(
        final long timeNs, final long ringLostEvents, final long ringLostPackets, final long ringLostBytes)
    {
        MessageHeader.wrapAndApplyHeader(loss, writer.claim(Templates.LOSS_REPORT_LENGTH), 0)
            .timeNs(timeNs).ringLostEvents(ringLostEvents).ringLostPackets(ringLostPackets)
            .ringLostBytes(ringLostBytes);
        writer.commit();
        return this;
    }

    public TestJournal recorderStopped(final long timeNs, final long events, final String reason)
    {
        MessageHeader.wrapAndApplyHeader(stopped,
                writer.claim(Templates.encodedLength(RecorderStoppedEncoder.BLOCK_LENGTH, reason)), 0)
            .timeNs(timeNs).events(events).reason(reason);
        writer.commit();
        return this;
    }

    /** @return a new flow delta, every field zero: set them, then {@link Delta#append} it. */
    public Delta delta()
    {
        return delta.clear();
    }

    /** Publishes the open batch of deltas ({@link Delta#appendToBatch}), as a recorder's drain pass ends. */
    public TestJournal commitDeltas()
    {
        writer.commitDeltas();
        return this;
    }

    /**
     * Ends a drain pass at {@code nowNs} as the recorder's does (JournalEvents.endOfPass): the open batch of deltas is
     * committed once a pass ends {@code lingerNs} or more after the end of the pass that found it open first, so that
     * a batch holds what the recorder's would at the same rate (the writer also commits a full one, and any other
     * event commits it first).
     */
    public TestJournal endOfPass(final long nowNs, final long lingerNs)
    {
        if (!writer.hasOpenBatch())
        {
            return this;
        }
        final long batch = writer.batchesAppended(); // the open batch's number: those before it are committed
        if (batch != lingeringBatch)
        {
            lingeringBatch = batch;
            lingeringSinceNs = nowNs;
        }
        if (nowNs - lingeringSinceNs >= lingerNs)
        {
            writer.commitDeltas();
        }
        return this;
    }

    /** Deletes expired cycle files as a recorder does ({@link JournalWriter#applyRetention}); returns how many. */
    public int applyRetention(final Retention.Policy policy, final long nowMs)
    {
        return writer.applyRetention(policy, nowMs);
    }

    /** Commits the open batch, if any, and closes the writer. */
    @Override
    public void close()
    {
        writer.close();
    }

    /** A FlowDelta being written: the setters of {@link FlowDeltaEncoder}, without its casts, and its addresses. */
    public final class Delta
    {
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        private final FlowDeltaEncoder encoder = new FlowDeltaEncoder();
        private final FlowDeltaDecoder keyView = new FlowDeltaDecoder();

        private Delta()
        {
        }

        private Delta clear()
        {
            MessageHeader.wrapAndApplyHeader(encoder, buffer, 0);
            return this;
        }

        /** First and last packet at one instant. */
        public Delta at(final long timeNs)
        {
            encoder.firstNs(timeNs).lastNs(timeNs);
            return this;
        }

        public Delta firstNs(final long timeNs)
        {
            encoder.firstNs(timeNs);
            return this;
        }

        public Delta lastNs(final long timeNs)
        {
            encoder.lastNs(timeNs);
            return this;
        }

        public Delta packets(final long packets)
        {
            encoder.packets(packets);
            return this;
        }

        public Delta bytes(final long bytes)
        {
            encoder.bytes(bytes);
            return this;
        }

        /** IPv4 addresses (ints in network order: a.b.c.d is 0xaabbccdd), written v4-mapped; family 4. */
        public Delta ipv4(final int src, final int dst)
        {
            FlowDeltas.addressesV4(encoder, src, dst).family(FlowDeltas.FAMILY_IPV4);
            return this;
        }

        /** IPv6 addresses, each as its first and last 8 bytes read big-endian; family 6. */
        public Delta ipv6(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow)
        {
            FlowDeltas.addresses(encoder, srcHigh, srcLow, dstHigh, dstLow).family(FlowDeltas.FAMILY_IPV6);
            return this;
        }

        public Delta ifindex(final int ifindex)
        {
            encoder.ifindex(ifindex);
            return this;
        }

        public Delta srcPort(final int port)
        {
            encoder.srcPort(port);
            return this;
        }

        /** ICMP: type << 8 | code. */
        public Delta dstPort(final int port)
        {
            encoder.dstPort(port);
            return this;
        }

        public Delta proto(final int proto)
        {
            encoder.proto((short)proto);
            return this;
        }

        /** {@link FlowDeltas#DIRECTION_IN} (0) or {@link FlowDeltas#DIRECTION_OUT} (1). */
        public Delta direction(final int direction)
        {
            encoder.direction((short)direction);
            return this;
        }

        public Delta tcpFlags(final int flags)
        {
            encoder.tcpFlags((short)flags);
            return this;
        }

        /** {@link FlowDeltas#REASON_INTERVAL} and the others: the kernel's {@code enum fr_reason}. */
        public Delta reason(final int reason)
        {
            encoder.reason((short)reason);
            return this;
        }

        /**
         * Journals a SocketOwner event naming the process that owns this delta's flow, keyed as the delta is keyed so
         * far (set the addresses, ports, proto, direction and ifindex first), with its first packet's time, as the
         * recorder journals one before a kernel flow entry's first delta.
         *
         * @param side 0 the socket that sent the packets, 1 the local socket that received them
         */
        public Delta socketOwner(final int side, final int pid, final String comm)
        {
            final int length = Templates.encodedLength(SocketOwnerEncoder.BLOCK_LENGTH, comm);
            final MutableDirectBuffer claimed = writer.claim(length);
            final FlowDeltaDecoder key = MessageHeader.wrap(keyView, buffer, 0);
            MessageHeader.wrapAndApplyHeader(owner, claimed, 0).timeNs(key.firstNs()).ifindex(key.ifindex())
                .srcPort(key.srcPort()).dstPort(key.dstPort()).proto(key.proto()).family(key.family())
                .direction(key.direction()).side((short)side).pid(pid).tid(pid).cgroupId(1).netnsIno(0);
            claimed.putBytes(MessageHeader.ENCODED_LENGTH + SocketOwnerEncoder.srcAddrEncodingOffset(), buffer,
                MessageHeader.ENCODED_LENGTH + FlowDeltaEncoder.srcAddrEncodingOffset(), 2 * FlowDeltas.ADDRESS_LENGTH);
            owner.comm(comm);
            writer.commit();
            return this;
        }

        /** Writes the delta as a FlowDelta event of its own, committed. */
        public TestJournal append()
        {
            writer.claim(Templates.FLOW_DELTA_LENGTH).putBytes(0, buffer, 0, Templates.FLOW_DELTA_LENGTH);
            writer.commit();
            return TestJournal.this;
        }

        /** Adds the delta to the writer's open batch, as the recorder does: unseen until {@link #commitDeltas}. */
        public TestJournal appendToBatch()
        {
            writer.appendDelta(encoder);
            return TestJournal.this;
        }
    }
}
