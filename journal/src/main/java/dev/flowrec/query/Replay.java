package dev.flowrec.query;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.FlowDelta;
import dev.flowrec.journal.schema.InterfaceAttached;
import dev.flowrec.journal.schema.LossReport;
import dev.flowrec.journal.schema.RecorderStarted;
import java.nio.file.Path;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Replays a journal into a {@link FlowFold}: names each delta's interface and container from the
 * attach events before it, and sums the losses journaled on the way into a {@link Coverage}.
 */
public final class Replay implements EventHandler
{
    private static final int POLL_LIMIT = 4096;

    private final FlowFold fold;
    private final FlowDelta delta = new FlowDelta();
    private final InterfaceAttached attached = new InterfaceAttached();
    private final LossReport loss = new LossReport();
    private final Int2ObjectHashMap<String[]> interfaces = new Int2ObjectHashMap<>();
    private final Coverage coverage = new Coverage();
    private long runLostEvents;
    private long runLostPackets;
    private long runLostBytes;
    private long runJournalLost;

    private Replay(final FlowFold fold)
    {
        this.fold = fold;
    }

    /** Replays every event of the journal in {@code dir}; returns what the answer may be missing. */
    public static Coverage run(final Path dir, final FlowFold fold)
    {
        final Replay replay = new Replay(fold);
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll(replay, POLL_LIMIT) > 0)
            {
                // the handler does the work
            }
            replay.coverage.skippedEvents = reader.skippedEvents();
        }
        return replay.coverage;
    }

    public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (templateId)
        {
            case FlowDelta.TEMPLATE_ID -> onFlowDelta(delta.wrap(buffer, offset));
            case InterfaceAttached.TEMPLATE_ID -> onAttached(attached.wrap(buffer, offset));
            case LossReport.TEMPLATE_ID -> onLoss(loss.wrap(buffer, offset));
            case RecorderStarted.TEMPLATE_ID -> onStarted();
            default ->
            {
                // other events carry nothing a flow listing needs
            }
        }
    }

    private void onFlowDelta(final FlowDelta delta)
    {
        final String[] names = interfaces.get(delta.ifindex());
        if (names == null)
        {
            fold.onFlow(delta, "if" + delta.ifindex(), "");
        }
        else
        {
            fold.onFlow(delta, names[0], names[1]);
        }
    }

    private void onAttached(final InterfaceAttached event)
    {
        interfaces.put(event.ifindex(), new String[] {event.ifname(), event.container()});
    }

    /** Ifindexes and cumulative counters belong to one recorder run. */
    private void onStarted()
    {
        interfaces.clear();
        runLostEvents = 0;
        runLostPackets = 0;
        runLostBytes = 0;
        runJournalLost = 0;
    }

    private void onLoss(final LossReport report)
    {
        coverage.ringLostEvents += report.ringLostEvents() - runLostEvents;
        coverage.ringLostPackets += report.ringLostPackets() - runLostPackets;
        coverage.ringLostBytes += report.ringLostBytes() - runLostBytes;
        coverage.journalLostEvents += report.journalLostEvents() - runJournalLost;
        runLostEvents = report.ringLostEvents();
        runLostPackets = report.ringLostPackets();
        runLostBytes = report.ringLostBytes();
        runJournalLost = report.journalLostEvents();
    }
}
