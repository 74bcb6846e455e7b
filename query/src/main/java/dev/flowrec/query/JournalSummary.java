package dev.flowrec.query;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agrona.DirectBuffer;

/** What a journal holds: its time span, events, flows, interfaces, containers, recorder runs, losses and size. */
public final class JournalSummary implements EventHandler
{
    private final FlowSums flows = new FlowSums(dev.flowrec.query.filter.FilterParser.ALL, 0);
    private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
    private final Set<String> interfaces = new TreeSet<>();
    private final TreeMap<String, String> containers = new TreeMap<>();
    private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
    private final ContainerSeenDecoder seen = new ContainerSeenDecoder();
    private final LossReportDecoder loss = new LossReportDecoder();
    private long events;
    private long deltas;
    private long packets;
    private long bytes;
    private long firstNs = Long.MAX_VALUE;
    private long lastNs = Long.MIN_VALUE;
    private int runs;
    private long diskBytes;
    private Coverage coverage;

    private JournalSummary()
    {
    }

    public static JournalSummary of(final Path dir)
    {
        final JournalSummary summary = new JournalSummary();
        final Replay.Result replay = Replay.run(dir, Window.ALL, summary.flows, () -> false);
        summary.coverage = replay.coverage();
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll(summary, 4096) > 0)
            {
                // the handler does the work
            }
        }
        summary.diskBytes = Retention.diskBytes(dir, JournalPaths.DEFAULT_ROLL_CYCLE);
        return summary;
    }

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
            case LossReportDecoder.TEMPLATE_ID -> MessageHeader.wrap(loss, buffer, offset);
            default ->
            {
                // counted as an event, nothing more
            }
        }
        firstNs = Math.min(firstNs, timeNs);
        lastNs = Math.max(lastNs, timeNs);
    }

    public long events()
    {
        return events;
    }

    public long deltas()
    {
        return deltas;
    }

    public long flows()
    {
        return flows.rows().size();
    }

    public long packets()
    {
        return packets;
    }

    public long bytes()
    {
        return bytes;
    }

    public long firstNs()
    {
        return firstNs;
    }

    public long lastNs()
    {
        return lastNs;
    }

    public int runs()
    {
        return runs;
    }

    public Set<String> interfaces()
    {
        return interfaces;
    }

    /** Short id → "runtime full-id". */
    public TreeMap<String, String> containers()
    {
        return containers;
    }

    public Coverage coverage()
    {
        return coverage;
    }

    public long diskBytes()
    {
        return diskBytes;
    }
}
