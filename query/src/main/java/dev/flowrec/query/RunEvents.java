package dev.flowrec.query;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.PinnedStateDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.RecorderStoppedDecoder;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import dev.flowrec.query.filter.KnownNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.agrona.DirectBuffer;

/** The reading behind a {@link Timeline}: the runs in a journal's (or its catalog's) events, and a crashed run's last event. */
final class RunEvents
{
    private static final long DEFAULT_FLUSH_NS = 1_000_000_000L;
    /** Beyond two flush intervals: the idle sweep's period and scheduling slack (as {@link Replay}'s margin). */
    private static final long MARGIN_SLACK_NS = 2_000_000_000L;
    private static final int POLL_LIMIT = 256;

    private RunEvents()
    {
    }

    /**
     * The time of a crashed run's last event: the journal read from a margin before its last catalogued event up to
     * the next run's RecorderStarted (or the end, or anything as late as the next start: its RecorderStarted may be in
     * hours retention deleted). Deltas are journaled up to about two flush intervals late.
     */
    static long lastEventNs(final JournalReader reader, final RunBuilder run, final long nextStartNs)
    {
        reader.seek(run.lastNs - 2 * run.flushNs - MARGIN_SLACK_NS);
        final Tail tail = new Tail(run, nextStartNs);
        while (!tail.done && reader.poll(tail, POLL_LIMIT) > 0)
        {
            // the handler does the work
        }
        return tail.lastNs;
    }

    /** The time an event stands for: a delta's last packet, any other event's own time. */
    private static long timeOf(final int templateId, final DirectBuffer buffer, final int offset, final FlowDeltaDecoder delta)
    {
        return templateId == FlowDeltaDecoder.TEMPLATE_ID ? MessageHeader.wrap(delta, buffer, offset).lastNs() :
            buffer.getLong(offset + MessageHeader.ENCODED_LENGTH, MessageHeader.BYTE_ORDER);
    }

    static final class RunBuilder
    {
        final long startNs;
        final int pid;
        final String host;
        final long flushNs;
        final List<String> interfaces = new ArrayList<>();
        /** The interfaces and containers it attached and identified and its sockets' commands, for a filter's names. */
        final KnownNames.Builder names = new KnownNames.Builder();
        long lastNs;
        long stopNs = Long.MIN_VALUE;
        String adoption;

        private RunBuilder(final long startNs, final int pid, final String host, final long flushNs)
        {
            this.startNs = startNs;
            this.pid = pid;
            this.host = host;
            this.flushNs = Math.max(DEFAULT_FLUSH_NS, flushNs);
            this.lastNs = startNs;
        }
    }

    /** Finds the runs in the journal's (or its catalog's) events. */
    static final class Runs implements EventHandler
    {
        private final RecorderStartedDecoder started = new RecorderStartedDecoder();
        private final RecorderStoppedDecoder stopped = new RecorderStoppedDecoder();
        private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
        private final PinnedStateDecoder pinned = new PinnedStateDecoder();
        private final ContainerSeenDecoder seen = new ContainerSeenDecoder();
        private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        private final SocketOwnerDecoder owner = new SocketOwnerDecoder();
        final List<RunBuilder> runs = new ArrayList<>();
        /** Names journaled outside any run (a journal without RecorderStarted events, as tests write). */
        final KnownNames.Builder looseNames = new KnownNames.Builder();
        /** The interfaces any run recorded as a container's (directions from the container's point of view). */
        final Set<String> workloadViewInterfaces = new HashSet<>();
        private RunBuilder current;
        long firstNs = Long.MAX_VALUE;

        public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
        {
            final long timeNs = timeOf(templateId, buffer, offset, delta);
            firstNs = Math.min(firstNs, templateId == FlowDeltaDecoder.TEMPLATE_ID ? delta.firstNs() : timeNs);
            switch (templateId)
            {
                case RecorderStartedDecoder.TEMPLATE_ID ->
                {
                    MessageHeader.wrap(started, buffer, offset);
                    current = new RunBuilder(timeNs, started.pid(), started.host(), started.flushIntervalNs());
                    runs.add(current);
                    return;
                }
                case RecorderStoppedDecoder.TEMPLATE_ID ->
                {
                    if (current != null)
                    {
                        current.stopNs = MessageHeader.wrap(stopped, buffer, offset).timeNs();
                        current.lastNs = Math.max(current.lastNs, timeNs);
                        current = null;
                    }
                    return;
                }
                case InterfaceAttachedDecoder.TEMPLATE_ID -> onAttached(MessageHeader.wrap(attached, buffer, offset));
                case ContainerSeenDecoder.TEMPLATE_ID ->
                {
                    MessageHeader.wrap(seen, buffer, offset);
                    final String id = seen.id();
                    final String shortId = seen.shortId();
                    seen.skipRuntime();
                    seen.skipCgroupPath();
                    (current != null ? current.names : looseNames).seen(id, shortId, seen.netnsName());
                }
                case SocketOwnerDecoder.TEMPLATE_ID ->
                    (current != null ? current.names : looseNames).command(MessageHeader.wrap(owner, buffer, offset).comm());
                case PinnedStateDecoder.TEMPLATE_ID ->
                {
                    if (current != null && current.adoption == null)
                    {
                        current.adoption = MessageHeader.wrap(pinned, buffer, offset).outcome().name();
                    }
                }
                default ->
                {
                    // its time is all that matters here
                }
            }
            if (current != null)
            {
                current.lastNs = Math.max(current.lastNs, timeNs);
            }
        }

        private void onAttached(final InterfaceAttachedDecoder event)
        {
            final String name = event.ifname();
            final String container = event.container();
            if (!container.isEmpty())
            {
                workloadViewInterfaces.add(name);
            }
            (current != null ? current.names : looseNames).attached(name, container);
            if (current != null)
            {
                final String shown = container.isEmpty() ? name : name + "@" + container;
                if (!current.interfaces.contains(shown))
                {
                    current.interfaces.add(shown);
                }
            }
        }
    }

    /** A crashed run's last event: everything from the seek point up to the next run's start. */
    private static final class Tail implements EventHandler
    {
        private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        private final long runStartNs;
        private final long nextStartNs;
        private long lastNs;
        private boolean done;

        private Tail(final RunBuilder run, final long nextStartNs)
        {
            this.runStartNs = run.startNs;
            this.nextStartNs = nextStartNs;
            this.lastNs = run.lastNs;
        }

        public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
        {
            if (done)
            {
                return;
            }
            final long timeNs = timeOf(templateId, buffer, offset, delta);
            if (templateId == RecorderStartedDecoder.TEMPLATE_ID && timeNs > runStartNs || timeNs >= nextStartNs)
            {
                done = true; // the next run: the crashed one was dead before it started (one recorder per journal)
            }
            else if (timeNs >= runStartNs)
            {
                lastNs = Math.max(lastNs, timeNs);
            }
        }
    }
}
