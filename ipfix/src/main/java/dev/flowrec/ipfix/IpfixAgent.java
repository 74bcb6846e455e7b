package dev.flowrec.ipfix;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import dev.flowrec.query.Owner;
import dev.flowrec.query.SocketOwners;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.MutableDirectBuffer;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The live IPFIX export: the recorder hands it each journal event as it journals it ({@link #offer}, on the recorder's
 * thread), through a bounded one-to-one ring buffer; this agent, on a thread of its own, folds them (interface names,
 * containers, socket owners, the host) and sends the deltas as IPFIX data records, paced by its exporter.
 * <p>
 * {@link #offer} never waits: an event that does not fit the ring is dropped and counted ({@link #recordsDropped} for
 * deltas), so a collector that is slow, or a pace below the rate of deltas, costs records, never the recording. A
 * message goes when it is full or its first record has waited {@link #LINGER_NS}, and when the pace allows; until
 * then the deltas wait in the ring (a full message is not taken apart: the delta that did not fit stays in the ring).
 */
public final class IpfixAgent implements Agent
{
    /** 4 MiB: about 40,000 deltas of 96 bytes in the ring, 0.8 s of the default pace. */
    public static final int DEFAULT_QUEUE_BYTES = 4 << 20;
    /** The default pace, records per second (--ipfix-rate). */
    public static final long DEFAULT_RATE = 50_000;
    /** Longest a record waits in a message that is not full. */
    static final long LINGER_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** At its close (the recorder stopping), how long the agent goes on sending what the ring holds. */
    static final long CLOSE_DRAIN_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int POLL_LIMIT = 64;

    private final OneToOneRingBuffer ring;
    private final IpfixExporter exporter;
    private final Handler handler = new Handler();
    private final AtomicLong recordsQueued = new AtomicLong();
    private final AtomicLong recordsDropped = new AtomicLong();
    private final AtomicLong eventsDropped = new AtomicLong();
    private boolean blocked;

    /** @param queueBytes the ring's capacity, a power of two */
    public IpfixAgent(final IpfixExporter exporter, final int queueBytes)
    {
        this.exporter = exporter;
        ring = new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(queueBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    public String roleName()
    {
        return "ipfix";
    }

    /**
     * Queues a journal event (the recorder's thread, one producer). Only the events the export folds are queued: flow
     * deltas, interfaces attached, socket owners and the recorder's start.
     */
    public void offer(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (templateId)
        {
            case FlowDeltaDecoder.TEMPLATE_ID ->
            {
                recordsQueued.setRelease(recordsQueued.getPlain() + 1);
                if (length > ring.maxMsgLength() || !ring.write(templateId, buffer, offset, length))
                {
                    recordsDropped.setRelease(recordsDropped.getPlain() + 1);
                }
            }
            case InterfaceAttachedDecoder.TEMPLATE_ID, SocketOwnerDecoder.TEMPLATE_ID, RecorderStartedDecoder.TEMPLATE_ID ->
            {
                if (length > ring.maxMsgLength() || !ring.write(templateId, buffer, offset, length))
                {
                    eventsDropped.setRelease(eventsDropped.getPlain() + 1);
                }
            }
            default ->
            {
                // nothing the records carry
            }
        }
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        int work = 0;
        final MessageEncoder pending = exporter.pending();
        if (blocked || (!pending.isEmpty() && nowNs - pending.firstRecordNs() >= LINGER_NS))
        {
            if (exporter.delayNs(nowNs) > 0)
            {
                return 0;
            }
            exporter.send(nowNs);
            blocked = false;
            work++;
        }
        exporter.sendTemplatesIfDue(nowNs);
        handler.nowNs = nowNs;
        return work + ring.controlledRead(handler, POLL_LIMIT);
    }

    /** Sends what the ring holds, paced, for at most {@link #CLOSE_DRAIN_NS}; what is left then is counted as dropped. */
    public void onClose()
    {
        final long deadlineNs = System.nanoTime() + CLOSE_DRAIN_NS;
        while (System.nanoTime() - deadlineNs < 0 && (ring.size() > 0 || !exporter.pending().isEmpty()))
        {
            if (doWork() == 0)
            {
                if (ring.size() == 0)
                {
                    final long delayNs = exporter.delayNs(System.nanoTime());
                    if (delayNs == 0)
                    {
                        exporter.send(System.nanoTime());
                        continue;
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
        ring.read((type, buffer, index, length) ->
        {
            if (type == FlowDeltaDecoder.TEMPLATE_ID)
            {
                recordsDropped.setRelease(recordsDropped.getPlain() + 1);
            }
        }, Integer.MAX_VALUE);
        if (!exporter.pending().isEmpty())
        {
            recordsDropped.setRelease(recordsDropped.getPlain() + exporter.pending().records());
            exporter.pending().reset();
        }
        exporter.close();
    }

    /** Deltas handed to the export. */
    public long recordsQueued()
    {
        return recordsQueued.getAcquire();
    }

    /** Deltas not exported: the ring was full (or still held them when the recorder stopped). */
    public long recordsDropped()
    {
        return recordsDropped.getAcquire();
    }

    /** Other events the ring had no room for (an interface's name, an owner, missing from later records). */
    public long eventsDropped()
    {
        return eventsDropped.getAcquire();
    }

    public IpfixExporter exporter()
    {
        return exporter;
    }

    /** Folds the queued events into records. */
    private final class Handler implements ControlledMessageHandler
    {
        private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
        private final RecorderStartedDecoder started = new RecorderStartedDecoder();
        private final SocketOwners owners = new SocketOwners();
        private final Int2ObjectHashMap<String[]> interfaces = new Int2ObjectHashMap<>();
        long nowNs;

        public Action onMessage(final int templateId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            switch (templateId)
            {
                case FlowDeltaDecoder.TEMPLATE_ID ->
                {
                    final FlowDeltaDecoder d = MessageHeader.wrap(delta, buffer, index);
                    final Owner owner = owners.of(d);
                    final String[] names = interfaces.get(d.ifindex());
                    if (!exporter.add(d, names == null ? "if" + d.ifindex() : names[0], names == null ? "" : names[1],
                        owner.pid(), owner.comm(), nowNs))
                    {
                        blocked = true;
                        return Action.ABORT;
                    }
                }
                case InterfaceAttachedDecoder.TEMPLATE_ID ->
                {
                    final InterfaceAttachedDecoder a = MessageHeader.wrap(attached, buffer, index);
                    final int ifindex = a.ifindex();
                    interfaces.put(ifindex, new String[]{a.ifname(), a.container()});
                }
                case SocketOwnerDecoder.TEMPLATE_ID -> owners.onSocketOwner(buffer, index);
                case RecorderStartedDecoder.TEMPLATE_ID ->
                {
                    if (!exporter.pending().isEmpty())
                    {
                        blocked = true; // the previous host's records go first
                        return Action.ABORT;
                    }
                    exporter.domain(IpfixExporter.domainOf(MessageHeader.wrap(started, buffer, index).host()));
                    interfaces.clear();
                    owners.clear();
                }
                default ->
                {
                }
            }
            return Action.CONTINUE;
        }
    }
}
