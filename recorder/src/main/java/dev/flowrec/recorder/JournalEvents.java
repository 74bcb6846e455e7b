package dev.flowrec.recorder;

import dev.flowrec.bpf.DnsEventDecoder;
import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.OwnerEventDecoder;
import dev.flowrec.bpf.TcLink;
import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.ContainerSeenEncoder;
import dev.flowrec.journal.schema.DnsAnswerEncoder;
import dev.flowrec.journal.schema.DnsCountersEncoder;
import dev.flowrec.journal.schema.ExportLossEncoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.InterfaceDetachedEncoder;
import dev.flowrec.journal.schema.LossReportEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Mode;
import dev.flowrec.journal.schema.PinOutcome;
import dev.flowrec.journal.schema.PinnedStateEncoder;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.RecorderStoppedEncoder;
import dev.flowrec.journal.schema.SocketOwnerEncoder;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.journal.schema.Utf8;
import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.dns.DnsCounters;
import dev.flowrec.recorder.dns.DnsMessage;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns what the recorder sees into journal events, and hands each event's bytes to the live view before it
 * commits them, so that the live view is a fold over exactly what the journal gets. Kernel times are
 * boot-clock nanoseconds; the journal holds UTC, shifted by the boot-to-realtime offset measured at start
 * (and journaled with it). Single-threaded, like the journal appender it writes to.
 * <p>
 * Flow deltas go into the writer's open batch ({@link JournalWriter#appendDelta}). {@link #endOfPass} commits
 * it once it has been open for the linger time, so that a batch gathers the drain passes of a few
 * milliseconds (an eager drain loop makes passes of one or two deltas at moderate rates, and a batch costs
 * 32 bytes of its own); any other event commits it at once (the journal keeps the order of the calls). The
 * live view is handed each delta at once, as the FlowDelta a reader will get back from the batch.
 */
final class JournalEvents
{
    static final String VERSION = "0.1.0";

    /**
     * Longest a batch lingers open: 10 ms, 1% of the default flush interval, so that a kill -9 (which loses
     * the open batch) and a reader following the journal stay within the flush interval's bound.
     */
    static final long MAX_LINGER_NS = 10_000_000L;

    /** Where a FlowDelta's addresses lie in its encoded event, header included. */
    private static final int SRC_ADDR_AT = MessageHeader.ENCODED_LENGTH + FlowDeltaEncoder.srcAddrEncodingOffset();
    private static final int DST_ADDR_AT = MessageHeader.ENCODED_LENGTH + FlowDeltaEncoder.dstAddrEncodingOffset();

    private final JournalWriter writer;
    private final EventHandler tap;
    private final long bootToRealtimeNs;
    private final long lingerNs;
    /** The open batch (by the writer's count of committed batches) and when a pass first found it open. */
    private long lingeringBatch = -1;
    private long lingeringSinceNs;
    private final FlowDeltaEncoder delta = new FlowDeltaEncoder();
    private final UnsafeBuffer deltaBuffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
    private final LossReportEncoder loss = new LossReportEncoder();
    private final SocketOwnerEncoder owner = new SocketOwnerEncoder();
    private final DnsAnswerEncoder dnsAnswer = new DnsAnswerEncoder();
    private final DnsCountersEncoder dnsCountersEncoder = new DnsCountersEncoder();
    private final DnsMessage dnsMessage = new DnsMessage();
    private final DnsCounters dnsCounters = new DnsCounters();
    private final UnsafeBuffer dnsAddresses = new UnsafeBuffer(new byte[DnsMessage.MAX_ADDRESSES * Templates.DNS_ADDRESS_LENGTH]);
    private long dnsChangesJournaled;
    private long dnsRingLostJournaled;
    private MutableDirectBuffer claimed;
    private final RunTotals totals = new RunTotals();

    /** @param lingerNs how long a batch of deltas stays open across drain passes; 0 commits every pass. */
    JournalEvents(final JournalWriter writer, final EventHandler tap, final long bootToRealtimeNs, final long lingerNs)
    {
        this.writer = writer;
        this.tap = tap;
        this.bootToRealtimeNs = bootToRealtimeNs;
        this.lingerNs = lingerNs;
    }

    /** The linger for a flush interval: 1% of it, at most {@link #MAX_LINGER_NS}; 0 in packet mode. */
    static long lingerNs(final long flushIntervalNs)
    {
        return Math.min(MAX_LINGER_NS, flushIntervalNs / 100);
    }

    void flowDelta(final FlowEventDecoder event)
    {
        flowDelta(event, 0);
    }

    /** @param ringPosition the ring position just after the event's record (0: not from this run's ring) */
    void flowDelta(final FlowEventDecoder event, final long ringPosition)
    {
        MessageHeader.wrapAndApplyHeader(delta, deltaBuffer, 0)
            .firstNs(event.firstNs() + bootToRealtimeNs)
            .lastNs(event.lastNs() + bootToRealtimeNs)
            .packets(event.packets())
            .bytes(event.bytes())
            .ifindex(event.ifindex())
            .srcPort(event.sport())
            .dstPort(event.dport())
            .proto((short)event.proto())
            .family((short)event.family())
            .direction((short)event.direction())
            .tcpFlags((short)event.tcpFlags())
            .reason((short)event.reason());
        copyAddresses(event.buffer(), event.offset());
        totals.onDelta(event.packets(), event.bytes(), event.reason());
        try
        {
            tap.onEvent(FlowDeltaEncoder.TEMPLATE_ID, deltaBuffer, 0, Templates.FLOW_DELTA_LENGTH);
        }
        finally
        {
            writer.appendDelta(delta, ringPosition);
        }
    }

    /**
     * The two addresses, as four longs: putSrcAddr's bulk copy (Unsafe.copyMemory and its checks) was ~5% of a
     * delta's cost in JFR profiles of the drain. The bytes move unchanged (native order both ways).
     */
    private void copyAddresses(final DirectBuffer kernel, final int offset)
    {
        final int src = offset + FlowEventDecoder.SRC_OFFSET;
        final int dst = offset + FlowEventDecoder.DST_OFFSET;
        deltaBuffer.putLong(SRC_ADDR_AT, kernel.getLong(src));
        deltaBuffer.putLong(SRC_ADDR_AT + 8, kernel.getLong(src + 8));
        deltaBuffer.putLong(DST_ADDR_AT, kernel.getLong(dst));
        deltaBuffer.putLong(DST_ADDR_AT + 8, kernel.getLong(dst + 8));
    }

    /**
     * The owner of a new flow entry's socket, journaled as an event of its own (which commits the open batch of
     * deltas first). The drain hands over a pass's owners before its deltas ({@link
     * dev.flowrec.bpf.RingBufferReader#readHeld}), so a flow's first delta comes after its owner in the journal too.
     */
    void socketOwner(final OwnerEventDecoder event)
    {
        final int commLength = event.commLength();
        final int length = MessageHeader.ENCODED_LENGTH + SocketOwnerEncoder.BLOCK_LENGTH +
            SocketOwnerEncoder.commHeaderLength() + commLength;
        MessageHeader.wrapAndApplyHeader(owner, claim(length), 0)
            .timeNs(event.timeNs() + bootToRealtimeNs)
            .putSrcAddr(event.buffer(), event.offset() + OwnerEventDecoder.SRC_OFFSET, FlowDeltas.ADDRESS_LENGTH)
            .putDstAddr(event.buffer(), event.offset() + OwnerEventDecoder.DST_OFFSET, FlowDeltas.ADDRESS_LENGTH)
            .ifindex(event.ifindex())
            .srcPort(event.sport())
            .dstPort(event.dport())
            .proto((short)event.proto())
            .family((short)event.family())
            .direction((short)event.direction())
            .side((short)event.side())
            .pid(event.tgid())
            .tid(event.tid())
            .cgroupId(event.cgroupId())
            .netnsIno(event.netnsIno())
            .putComm(event.buffer(), event.offset() + OwnerEventDecoder.COMM_OFFSET, commLength);
        commit(SocketOwnerEncoder.TEMPLATE_ID, length);
    }

    /**
     * A DNS response the kernel captured: decoded ({@link DnsMessage}, which never throws), counted, and journaled as
     * a DnsAnswer (which commits the open batch of deltas first) when it names an address. The drain hands over a
     * pass's responses with its owners, before its deltas: a flow to an address comes after the answer that named it.
     */
    void dnsResponse(final DnsEventDecoder event)
    {
        final DnsMessage m = dnsMessage;
        final int outcome = m.decode(event.buffer(), event.messageOffset(), event.messageLength(),
            event.messageWireLength());
        final boolean named = outcome != DnsMessage.MALFORMED && outcome != DnsMessage.LOOPING && m.addressCount() > 0;
        dnsCounters.onResponse(outcome, outcome != DnsMessage.MALFORMED && m.truncatedByServer(), named);
        if (!named)
        {
            return;
        }
        final int count = m.addressCount();
        for (int i = 0; i < count; i++)
        {
            final int at = i * Templates.DNS_ADDRESS_LENGTH;
            dnsAddresses.putInt(at, (int)m.ttl(i), ByteOrder.LITTLE_ENDIAN);
            dnsAddresses.putBytes(at + 4, m.addresses(), i * 16, 16);
        }
        final int addressBytes = count * Templates.DNS_ADDRESS_LENGTH;
        final int length = MessageHeader.ENCODED_LENGTH + DnsAnswerEncoder.BLOCK_LENGTH +
            DnsAnswerEncoder.queryNameHeaderLength() + m.questionLength() +
            DnsAnswerEncoder.finalNameHeaderLength() + m.finalNameLength() +
            DnsAnswerEncoder.addressesHeaderLength() + addressBytes;
        MessageHeader.wrapAndApplyHeader(dnsAnswer, claim(length), 0)
            .timeNs(event.timeNs() + bootToRealtimeNs)
            .putServerAddr(event.buffer(), event.offset() + DnsEventDecoder.SRC_OFFSET, FlowDeltas.ADDRESS_LENGTH)
            .putClientAddr(event.buffer(), event.offset() + DnsEventDecoder.DST_OFFSET, FlowDeltas.ADDRESS_LENGTH)
            .ifindex(event.ifindex())
            .serverPort(event.sport())
            .clientPort(event.dport())
            .proto((short)event.proto())
            .family((short)event.family())
            .direction((short)event.direction())
            .flags((short)((m.truncatedByServer() ? 1 : 0) | (outcome == DnsMessage.CUT_SHORT ? 2 : 0)))
            .rcode((short)m.rcode())
            .netnsCookie(event.netnsCookie())
            .putQueryName(m.question(), 0, m.questionLength())
            .putFinalName(m.finalName(), 0, m.finalNameLength())
            .putAddresses(dnsAddresses, 0, addressBytes);
        commit(DnsAnswerEncoder.TEMPLATE_ID, length);
    }

    /**
     * Journals the DNS counters when they moved since they were last journaled; returns 1 if it did.
     * @param ringLost the kernel's count of responses it could not hand over (KernelCounters.DNS_LOST)
     */
    int dnsCountersIfMoved(final long ringLost)
    {
        final long changes = dnsCounters.changes();
        if (changes == dnsChangesJournaled && ringLost == dnsRingLostJournaled)
        {
            return 0;
        }
        dnsRingLostJournaled = ringLost;
        final int length = MessageHeader.ENCODED_LENGTH + DnsCountersEncoder.BLOCK_LENGTH;
        MessageHeader.wrapAndApplyHeader(dnsCountersEncoder, claim(length), 0)
            .timeNs(nowNs())
            .responses(dnsCounters.get(DnsCounters.RESPONSES))
            .answers(dnsCounters.get(DnsCounters.ANSWERS))
            .cutShort(dnsCounters.get(DnsCounters.CUT_SHORT))
            .malformed(dnsCounters.get(DnsCounters.MALFORMED))
            .looping(dnsCounters.get(DnsCounters.LOOPING))
            .oversized(dnsCounters.get(DnsCounters.OVERSIZED))
            .serverTruncated(dnsCounters.get(DnsCounters.SERVER_TRUNCATED))
            .ringLost(ringLost);
        commit(DnsCountersEncoder.TEMPLATE_ID, length);
        dnsChangesJournaled = changes;
        return 1;
    }

    /**
     * At the end of a drain pass: commits the open batch once it has lingered its time since the end of the
     * pass that opened it; readers see its deltas from then on.
     */
    void endOfPass(final long nowNs)
    {
        if (!writer.hasOpenBatch())
        {
            return;
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
    }

    /** What this run handed the journal so far. */
    RunTotals totals()
    {
        return totals;
    }

    void lossReport(final long[] counters, final long journalLostEvents)
    {
        totals.onLoss(counters, journalLostEvents);
        MessageHeader.wrapAndApplyHeader(loss, claim(Templates.LOSS_REPORT_LENGTH), 0)
            .timeNs(nowNs())
            .packetsSeen(counters[KernelCounters.PACKETS_SEEN])
            .bytesSeen(counters[KernelCounters.BYTES_SEEN])
            .ringLostEvents(counters[KernelCounters.RB_LOST_EVENTS])
            .ringLostPackets(counters[KernelCounters.RB_LOST_PACKETS])
            .ringLostBytes(counters[KernelCounters.RB_LOST_BYTES])
            .ringDeferred(counters[KernelCounters.RB_DEFERRED])
            .mapFull(counters[KernelCounters.MAP_FULL])
            .nonIp(counters[KernelCounters.NON_IP])
            .malformed(counters[KernelCounters.MALFORMED])
            .journalLostEvents(journalLostEvents)
            .tooDeep(counters[KernelCounters.TOO_DEEP]);
        commit(LossReportEncoder.TEMPLATE_ID, Templates.LOSS_REPORT_LENGTH);
    }

    /** The live IPFIX export's counters, cumulative since the start (see the schema's ExportLoss). */
    void exportLoss(final long[] counters, final String collectors)
    {
        final int length = Templates.encodedLength(ExportLossEncoder.BLOCK_LENGTH, collectors);
        MessageHeader.wrapAndApplyHeader(new ExportLossEncoder(), claim(length), 0)
            .timeNs(nowNs())
            .recordsQueued(counters[0])
            .recordsDropped(counters[1])
            .recordsSent(counters[2])
            .messagesSent(counters[3])
            .sendErrors(counters[4])
            .eventsDropped(counters[5])
            .collectors(Utf8.cut(collectors));
        commit(ExportLossEncoder.TEMPLATE_ID, length);
    }

    void recorderStarted(final Recorder.Config config)
    {
        recorderStarted(config, nowNs());
    }

    /** @param timeNs the run's start, wall clock: after anything it wrote into pinned state (see JournalTail) */
    void recorderStarted(final Recorder.Config config, final long timeNs)
    {
        final String host = hostName();
        final String kernel = System.getProperty("os.version");
        final String commandLine = config.commandLine();
        final int length =
            Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, host, kernel, VERSION, commandLine);
        MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(), claim(length), 0)
            .timeNs(timeNs)
            .bootToRealtimeOffsetNs(bootToRealtimeNs)
            .flushIntervalNs(config.flushIntervalNs())
            .pid((int)ProcessHandle.current().pid())
            .maxFlows(config.maxFlows())
            .mode(config.flushIntervalNs() == 0 ? Mode.PACKET : Mode.FLOW)
            .host(Utf8.cut(host))
            .kernel(Utf8.cut(kernel))
            .flowrecVersion(VERSION)
            .config(Utf8.cut(commandLine));
        commit(RecorderStartedEncoder.TEMPLATE_ID, length);
    }

    void interfaceAttached(final TcLink link, final String container)
    {
        interfaceAttached(link.ifindex(), link.ifname(), container);
    }

    void interfaceAttached(final int ifindex, final String ifname, final String container)
    {
        final int length = Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH, ifname, container);
        MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(), claim(length), 0)
            .timeNs(nowNs())
            .netnsIno(0)
            .ifindex(ifindex)
            .ifname(Utf8.cut(ifname))
            .container(Utf8.cut(container));
        commit(InterfaceAttachedEncoder.TEMPLATE_ID, length);
    }

    void interfaceDetached(final TcLink link, final String reason)
    {
        interfaceDetached(link.ifindex(), link.ifname(), reason);
    }

    void interfaceDetached(final int ifindex, final String ifname, final String reason)
    {
        final int length = Templates.encodedLength(InterfaceDetachedEncoder.BLOCK_LENGTH, ifname, reason);
        MessageHeader.wrapAndApplyHeader(new InterfaceDetachedEncoder(), claim(length), 0)
            .timeNs(nowNs())
            .netnsIno(0)
            .ifindex(ifindex)
            .ifname(Utf8.cut(ifname))
            .reason(Utf8.cut(reason));
        commit(InterfaceDetachedEncoder.TEMPLATE_ID, length);
    }

    void containerSeen(final Container c, final int ifindex, final String ifname)
    {
        final int length = Templates.encodedLength(
            ContainerSeenEncoder.BLOCK_LENGTH, c.id(), c.shortId(), c.runtime(), c.cgroupPath(), c.netnsName(), ifname);
        MessageHeader.wrapAndApplyHeader(new ContainerSeenEncoder(), claim(length), 0)
            .timeNs(nowNs())
            .netnsIno(c.netnsIno())
            .ifindex(ifindex)
            .id(Utf8.cut(c.id()))
            .shortId(Utf8.cut(c.shortId()))
            .runtime(Utf8.cut(c.runtime()))
            .cgroupPath(Utf8.cut(c.cgroupPath()))
            .netnsName(Utf8.cut(c.netnsName()))
            .ifname(Utf8.cut(ifname));
        commit(ContainerSeenEncoder.TEMPLATE_ID, length);
    }

    void containerSeen(final Container c, final TcLink link)
    {
        containerSeen(c, link.ifindex(), link.ifname());
    }

    void recorderStopped(final String reason)
    {
        writer.commitDeltas(); // counted below
        final long events = writer.eventsAppended() + 1;
        final int length = Templates.encodedLength(RecorderStoppedEncoder.BLOCK_LENGTH, reason);
        MessageHeader.wrapAndApplyHeader(new RecorderStoppedEncoder(), claim(length), 0)
            .timeNs(nowNs())
            .events(events)
            .reason(Utf8.cut(reason));
        commit(RecorderStoppedEncoder.TEMPLATE_ID, length);
    }

    private MutableDirectBuffer claim(final int length)
    {
        claimed = writer.claim(length);
        return claimed;
    }

    private void commit(final int templateId, final int length)
    {
        try
        {
            tap.onEvent(templateId, claimed, 0, length);
        }
        finally
        {
            writer.commit();
        }
    }

    /**
     * Journals what this run did with its instance's pinned kernel state (see the schema's PinnedState).
     */
    void pinnedState(final PinOutcome outcome, final long previousPid, final long flowsAdopted, final long flowsUnreadable,
        final long ringSkippedBytes, final long ringPendingBytes, final String instance, final String pinPath,
        final String detail)
    {
        final int length = Templates.encodedLength(PinnedStateEncoder.BLOCK_LENGTH, instance, pinPath, detail);
        MessageHeader.wrapAndApplyHeader(new PinnedStateEncoder(), claim(length), 0)
            .timeNs(nowNs())
            .previousPid((int)previousPid)
            .outcome(outcome)
            .flowsAdopted(flowsAdopted)
            .flowsUnreadable(flowsUnreadable)
            .ringSkippedBytes(ringSkippedBytes)
            .ringPendingBytes(ringPendingBytes)
            .instance(Utf8.cut(instance))
            .pinPath(Utf8.cut(pinPath))
            .detail(Utf8.cut(detail));
        commit(PinnedStateEncoder.TEMPLATE_ID, length);
    }

    static long nowNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static String hostName()
    {
        try
        {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
