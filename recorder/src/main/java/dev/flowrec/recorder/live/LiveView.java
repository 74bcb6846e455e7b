package dev.flowrec.recorder.live;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.DnsAnswerDecoder;
import dev.flowrec.journal.schema.DnsCountersDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.query.PeerNames;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.InterfaceDetachedDecoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.query.Owner;
import dev.flowrec.query.filter.KnownNames;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The live view: a fold over the same events the journal gets, per interface, per container and per flow.
 * <p>
 * Threads: {@link #onEvent} and {@link #publish} run on one thread, the recorder's (single writer); other
 * threads read only {@link #snapshot()}, an immutable value swapped in through a volatile field, and
 * {@link #eventsTotal()}. Folding a delta of a known flow on a known interface allocates nothing.
 * <p>
 * Time: a delta counts in the second of its {@code lastNs} (event time, UTC), so the view is the same
 * whether fed live or replayed; the injected clock (UTC epoch ns) only says which seconds are "the
 * last 1/10/60 s" at publish, and when a flow or a detached interface has been quiet for 60 s.
 */
public final class LiveView implements EventHandler
{
    public static final int DEFAULT_MAX_FLOWS = 100_000;
    /** The most flows per interface a snapshot keeps for top-N answers. */
    public static final int MAX_TOP_FLOWS = 1000;
    static final long IDLE_NS = TimeUnit.SECONDS.toNanos(60);
    /** The most distinct owners shared before the sharing map starts over. */
    private static final int MAX_OWNERS = 65_536;
    private static final long NS_PER_S = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier clockNs;
    private final Int2ObjectHashMap<Iface> ifaces = new Int2ObjectHashMap<>();
    private final FlowTable flows;
    private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
    private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
    private final InterfaceDetachedDecoder detached = new InterfaceDetachedDecoder();
    private final LossReportDecoder lossReport = new LossReportDecoder();
    private final ContainerSeenDecoder containerSeen = new ContainerSeenDecoder();
    private final SocketOwnerDecoder socketOwner = new SocketOwnerDecoder();
    /** One Owner per distinct (pid, comm) of the run, so that the flows of one process share it. */
    private final java.util.Map<Owner, Owner> owners = new java.util.HashMap<>();
    /** Every interface and container of the run, for the names in a request's filter; a few per container. */
    private final KnownNames.Builder names = new KnownNames.Builder();
    private KnownNames publishedNames = KnownNames.NONE;
    private boolean namesChanged;
    /** Written by the recorder thread only; release/plain ordering is enough for readers of a counter. */
    private final AtomicLong eventsTotal = new AtomicLong();
    private Snapshot.Loss loss = Snapshot.Loss.NONE;
    private long lastPublishNs;
    private long lastPublishEvents;
    private volatile LongSupplier journalBytes = () -> -1;
    private volatile LongSupplier errorsTotal = () -> 0;
    private volatile Supplier<String> metricsAppendix = () -> "";
    /** The kernel's new flows with and without a socket owner; null while process attribution is off. */
    private volatile long[] ownerCounts;
    private volatile long[] dnsCounts;
    /** The kernel's DNS responses that answered no query seen; -1 while DNS capture is off. */
    private volatile long dnsUnsolicited = -1;
    /** The most addresses the live view keeps names of (about 200 bytes each); beyond, the least recently answered go. */
    static final int MAX_NAMED_ADDRESSES = 65536;
    private final PeerNames peerNames = new PeerNames(MAX_NAMED_ADDRESSES);
    private final DnsCountersDecoder dnsCounters = new DnsCountersDecoder();
    private volatile String journalProblem;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    /** A view of {@link #DEFAULT_MAX_FLOWS} flows on the system clock. */
    public LiveView()
    {
        this(DEFAULT_MAX_FLOWS, LiveView::systemClockNs);
    }

    /**
     * @param maxFlows the most flows tracked at once; beyond, the least recently updated is evicted
     * @param clockNs  UTC epoch nanoseconds, read at publish and by /healthz, never per event
     */
    public LiveView(final int maxFlows, final LongSupplier clockNs)
    {
        this.flows = new FlowTable(maxFlows);
        this.clockNs = clockNs;
    }

    /** Folds one journal event (header included, as appended). Recorder thread only. */
    public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (templateId)
        {
            case FlowDeltaDecoder.TEMPLATE_ID -> onFlowDelta(MessageHeader.wrap(delta, buffer, offset));
            case InterfaceAttachedDecoder.TEMPLATE_ID -> onAttached(MessageHeader.wrap(attached, buffer, offset));
            case InterfaceDetachedDecoder.TEMPLATE_ID -> onDetached(MessageHeader.wrap(detached, buffer, offset));
            case LossReportDecoder.TEMPLATE_ID -> onLossReport(MessageHeader.wrap(lossReport, buffer, offset));
            case ContainerSeenDecoder.TEMPLATE_ID -> onContainerSeen(MessageHeader.wrap(containerSeen, buffer, offset));
            case SocketOwnerDecoder.TEMPLATE_ID -> onSocketOwner(MessageHeader.wrap(socketOwner, buffer, offset));
            case DnsCountersDecoder.TEMPLATE_ID -> onDnsCounters(MessageHeader.wrap(dnsCounters, buffer, offset));
            case DnsAnswerDecoder.TEMPLATE_ID -> peerNames.onDnsAnswer(buffer, offset);
            case RecorderStartedDecoder.TEMPLATE_ID ->
            {
                loss = Snapshot.Loss.NONE; // counters restart with the run, and owners are named afresh
                owners.clear();
                flows.clearOwners();
            }
            default ->
            {
                // RecorderStopped and unknown templates change nothing the view shows
            }
        }
        eventsTotal.setRelease(eventsTotal.getPlain() + 1);
    }

    /** Publishes a snapshot as of the injected clock. Recorder thread only, about once a second. */
    public void publish()
    {
        publish(clockNs.getAsLong());
    }

    /**
     * Forgets flows and detached interfaces quiet for 60 s, then builds and publishes a snapshot as of
     * {@code nowNs} (UTC epoch ns). Recorder thread only. Allocates, and walks every tracked flow once.
     */
    public void publish(final long nowNs)
    {
        flows.expire(nowNs - IDLE_NS);
        forgetQuietDetached(nowNs - IDLE_NS);
        final long events = eventsTotal.getPlain();
        final double seconds = (nowNs - lastPublishNs) / (double)NS_PER_S;
        final double eventsPerSecond = lastPublishNs != 0 && seconds > 0 ? (events - lastPublishEvents) / seconds : 0;
        lastPublishNs = nowNs;
        lastPublishEvents = events;
        if (namesChanged)
        {
            publishedNames = names.build();
            namesChanged = false;
        }
        snapshot = SnapshotBuilder.build(nowNs, Math.floorDiv(nowNs, NS_PER_S), ifaces.values(), flows, loss,
            events, eventsPerSecond, journalBytes.getAsLong(), publishedNames);
    }

    /** @return the latest published snapshot; any thread. */
    public Snapshot snapshot()
    {
        return snapshot;
    }

    /** @return events folded so far; any thread. */
    public long eventsTotal()
    {
        return eventsTotal.getAcquire();
    }

    /** Sets where the journal's size on disk comes from; read at each publish, on the recorder thread. */
    public void journalBytes(final LongSupplier journalBytes)
    {
        this.journalBytes = journalBytes;
    }

    /** Sets where the recorder's error count comes from; read by {@code /metrics} on any thread. */
    /** More Prometheus text for /metrics, after what was added before (the IPFIX export's counters, the rollups'); read at every request. */
    public void metricsAppendix(final Supplier<String> appendix)
    {
        final Supplier<String> before = metricsAppendix;
        this.metricsAppendix = () -> before.get() + appendix.get();
    }

    /** The text {@link #metricsAppendix} gives, "" without one. */
    public String metricsAppendix()
    {
        return metricsAppendix.get();
    }

    public void errorsTotal(final LongSupplier errorsTotal)
    {
        this.errorsTotal = errorsTotal;
    }

    /** @return errors the recorder met and lived on; any thread. */
    public long errorsTotal()
    {
        return errorsTotal.getAsLong();
    }

    /**
     * The run's DNS counters as last journaled (DnsCounters order: responses first, ring lost last), then the addresses the live
     * view's name table forgot to stay within {@link #MAX_NAMED_ADDRESSES}; null before any.
     */
    public long[] dnsCounts()
    {
        return dnsCounts;
    }

    private void onDnsCounters(final DnsCountersDecoder event)
    {
        dnsCounts = new long[] {event.responses(), event.answers(), event.cutShort(), event.malformed(), event.looping(),
            event.oversized(), event.serverTruncated(), event.ringLost(), peerNames.evicted()};
    }

    /** Sets the kernel's count of DNS responses that answered no query it saw (never journaled); recorder thread. */
    public void dnsUnsolicited(final long responses)
    {
        this.dnsUnsolicited = responses;
    }

    /** @return the count last set, or -1 while DNS capture is off; any thread. */
    public long dnsUnsolicited()
    {
        return dnsUnsolicited;
    }

    /** Sets the kernel's counts of new flows with and without a socket owner; recorder thread. */
    public void ownerCounts(final long found, final long none)
    {
        this.ownerCounts = new long[] {found, none};
    }

    /** @return {found, none} as last set, or null while process attribution is off; any thread. */
    public long[] ownerCounts()
    {
        return ownerCounts;
    }

    /** Sets why the journal is not being written (disk full), or null once it is again; /healthz reports it. */
    public void journalProblem(final String problem)
    {
        this.journalProblem = problem;
    }

    /** @return why the journal is not being written, or null; any thread. */
    public String journalProblem()
    {
        return journalProblem;
    }

    /** @return the view's clock, UTC epoch ns (what /healthz measures a snapshot's age with). */
    public long nowNs()
    {
        return clockNs.getAsLong();
    }

    private void onFlowDelta(final FlowDeltaDecoder delta)
    {
        final int ifindex = delta.ifindex();
        Iface iface = ifaces.get(ifindex);
        if (iface == null)
        {
            // a delta before its interface's attach event (or a view started mid-run): named as Replay does
            iface = new Iface(ifindex, "if" + ifindex, "");
            ifaces.put(ifindex, iface);
        }
        final long lastNs = delta.lastNs();
        final long second = Math.floorDiv(lastNs, NS_PER_S);
        final long bytes = delta.bytes();
        final long packets = delta.packets();
        iface.add(delta.direction(), lastNs, second, bytes, packets);
        final Flow flow = flows.touch(delta, iface);
        if (flow.srcName == null)
        {
            flow.srcName = peerNames.nameOf(FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta), ifindex,
                delta.firstNs(), FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta));
            flow.dstName = peerNames.nameOf(FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta), ifindex,
                delta.firstNs(), FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta));
        }
        flow.rate.add(second, bytes, packets);
        flow.tcpFlags |= delta.tcpFlags();
    }

    private void onSocketOwner(final SocketOwnerDecoder event)
    {
        final int known = owners.size();
        final Owner owner = owners.computeIfAbsent(new Owner(event.pid(), event.comm()), o -> o);
        if (owners.size() > known)
        {
            names.command(owner.comm()); // a new process, maybe a new command name for ?where=comm
            namesChanged = true;
        }
        if (owners.size() > MAX_OWNERS)
        {
            owners.clear(); // a run of very many processes: sharing is an economy, not a need
        }
        flows.owned(event, owner);
    }

    private void onContainerSeen(final ContainerSeenDecoder event)
    {
        final String id = event.id();
        final String shortId = event.shortId();
        event.skipRuntime();
        event.skipCgroupPath();
        names.seen(id, shortId, event.netnsName());
        namesChanged = true;
    }

    private void onAttached(final InterfaceAttachedDecoder event)
    {
        names.attached(event.ifname(), event.container());
        namesChanged = true;
        event.sbeRewind();
        final Iface previous = ifaces.get(event.ifindex());
        if (previous != null && !previous.detached)
        {
            // deltas may precede the attach event: keep what they counted, take the names
            previous.name = event.ifname();
            previous.container = event.container();
            return;
        }
        if (previous != null)
        {
            flows.removeAll(previous); // the ifindex was reused: the old interface's flows are not this one's
        }
        ifaces.put(event.ifindex(), new Iface(event.ifindex(), event.ifname(), event.container()));
    }

    /** Hidden from now on, but kept until quiet: deltas flushed after the detach still belong to it. */
    private void onDetached(final InterfaceDetachedDecoder event)
    {
        final Iface iface = ifaces.get(event.ifindex());
        if (iface != null)
        {
            iface.detached = true;
            iface.lastNs = Math.max(iface.lastNs, event.timeNs());
        }
    }

    private void onLossReport(final LossReportDecoder r)
    {
        loss = new Snapshot.Loss(r.packetsSeen(), r.bytesSeen(), r.ringLostEvents(), r.ringLostPackets(),
            r.ringLostBytes(), r.ringDeferred(), r.mapFull(), r.nonIp(), r.malformed(), r.journalLostEvents(),
            Templates.tooDeep(r));
    }

    private void forgetQuietDetached(final long beforeNs)
    {
        final Iterator<Iface> it = ifaces.values().iterator();
        while (it.hasNext())
        {
            final Iface iface = it.next();
            if (iface.detached && iface.lastNs < beforeNs)
            {
                flows.removeAll(iface);
                it.remove();
            }
        }
    }

    private static long systemClockNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * NS_PER_S + now.getNano();
    }
}
