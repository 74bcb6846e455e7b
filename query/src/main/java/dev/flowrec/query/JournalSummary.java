package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowTimeouts;
import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agrona.DirectBuffer;

/**
 * What a journal holds: its time span, events, flows, interfaces, containers, recorder runs, losses and size, and
 * its timeline (the runs one by one, and the gaps between them).
 *
 * @param containers short id → "runtime full-id"
 * @param owners     SocketOwner events: the kernel flow entries whose process the recorder named
 * @param commands   the command names of those processes
 */
public record JournalSummary(long events, long deltas, long flows, long packets, long bytes, long firstNs, long lastNs,
    int runs, Set<String> interfaces, TreeMap<String, String> containers, Coverage coverage, long diskBytes,
    Timeline timeline, long owners, Set<String> commands)
{
    public static JournalSummary of(final Path dir)
    {
        final FlowSums flows = new FlowSums(FilterParser.ALL, 0, FlowTimeouts.DEFAULT_INACTIVE_NS, false);
        final Coverage coverage = Replay.run(dir, Window.ALL, flows, () -> false).coverage();
        final Tally t = new Tally();
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll(t, 4096) > 0)
            {
                // the handler does the work
            }
        }
        return new JournalSummary(t.events, t.deltas, flows.rows(false, new Cancellation(() -> false)).size(), t.packets,
            t.bytes, t.firstNs, t.lastNs, t.runs, t.interfaces, t.containers, coverage, Retention.allocatedBytes(dir),
            Timeline.of(dir), t.owners, t.commands);
    }

    /** Counts what one pass over the journal's events finds. */
    private static final class Tally implements EventHandler
    {
        private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
        private final ContainerSeenDecoder seen = new ContainerSeenDecoder();
        private final SocketOwnerDecoder owner = new SocketOwnerDecoder();
        private final Set<String> interfaces = new TreeSet<>();
        private final Set<String> commands = new TreeSet<>();
        private long owners;
        private final TreeMap<String, String> containers = new TreeMap<>();
        private long events;
        private long deltas;
        private long packets;
        private long bytes;
        private long firstNs = Long.MAX_VALUE;
        private long lastNs = Long.MIN_VALUE;
        private int runs;

        public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
        {
            events++;
            final long timeNs = buffer.getLong(offset + MessageHeader.ENCODED_LENGTH, MessageHeader.BYTE_ORDER);
            switch (templateId)
            {
                case FlowDeltaDecoder.TEMPLATE_ID ->
                {
                    MessageHeader.wrap(delta, buffer, offset);
                    deltas++;
                    packets += delta.packets();
                    bytes += delta.bytes();
                    firstNs = Math.min(firstNs, delta.firstNs());
                    lastNs = Math.max(lastNs, delta.lastNs());
                    return;
                }
                case InterfaceAttachedDecoder.TEMPLATE_ID ->
                    interfaces.add(MessageHeader.wrap(attached, buffer, offset).ifname());
                case ContainerSeenDecoder.TEMPLATE_ID ->
                {
                    MessageHeader.wrap(seen, buffer, offset);
                    final String id = seen.id();
                    final String shortId = seen.shortId();
                    final String runtime = seen.runtime();
                    containers.put(shortId, runtime + " " + id);
                }
                case RecorderStartedDecoder.TEMPLATE_ID -> runs++;
                case SocketOwnerDecoder.TEMPLATE_ID ->
                {
                    owners++;
                    final String comm = MessageHeader.wrap(owner, buffer, offset).comm();
                    if (!comm.isEmpty())
                    {
                        commands.add(comm);
                    }
                }
                default ->
                {
                    // counted as an event, nothing more
                }
            }
            firstNs = Math.min(firstNs, timeNs);
            lastNs = Math.max(lastNs, timeNs);
        }
    }
}
