package dev.flowrec.query;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.UnjournaledLoss;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Replays the flow deltas of a time window of a journal into a {@link FlowFold}. A bounded window is found
 * by seeking (binary search on time), and the interfaces, containers and loss counters as they stood there
 * come from the journal's catalog, so the cost follows the window, not the journal. Each delta is named
 * with its interface and container; losses journaled inside the window are summed into a {@link Coverage}, with the
 * parts of the window no recorder covered ({@link Timeline}).
 */
public final class Replay implements EventHandler
{
    /** What a replay read and found. */
    public record Result(Coverage coverage, long eventsRead, int seekProbes, long deltasFolded, long elapsedNs)
    {
    }

    /** Small batches: a replay stops within one batch of its window's end. */
    private static final int POLL_LIMIT = 64;
    private static final long DEFAULT_FLUSH_NS = 1_000_000_000L;
    /** Beyond the flush interval: the idle sweep's own period and scheduling slack. */
    private static final long MARGIN_SLACK_NS = 2_000_000_000L;

    private final FlowFold fold;
    private final Window window;
    private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
    private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
    private final LossReportDecoder loss = new LossReportDecoder();
    private final RecorderStartedDecoder started = new RecorderStartedDecoder();
    private final Int2ObjectHashMap<String[]> interfaces = new Int2ObjectHashMap<>();
    /** Losses in the window: ring events, packets, bytes, journal events (as {@link Coverage} orders them). */
    private final long[] lost = new long[4];
    private final long[] runCounters = new long[4];
    private long maxFlushNs = DEFAULT_FLUSH_NS;
    private long stopAfterNs = Long.MAX_VALUE;
    private long deltasFolded;
    private boolean past;

    private Replay(final FlowFold fold, final Window window)
    {
        this.fold = fold;
        this.window = window;
    }

    /** Replays every event of the journal in {@code dir}; returns what the answer may be missing. */
    public static Coverage run(final Path dir, final FlowFold fold)
    {
        return run(dir, Window.ALL, fold, () -> false).coverage();
    }

    /** Replays the window; {@code cancelled} is polled between batches (Ctrl-C in the shell). */
    public static Result run(final Path dir, final Window window, final FlowFold fold, final BooleanSupplier cancelled)
    {
        final long startNs = System.nanoTime();
        final Replay replay = new Replay(fold, window);
        long read = 0;
        int probes = 0;
        final Coverage coverage;
        try (JournalReader reader = JournalReader.open(dir))
        {
            if (window.hasStart())
            {
                // Deltas reach the journal up to about a flush interval late: start that much early.
                probes += reader.seek(window.sinceNs());
                reader.replayStateBefore(replay::learnFlushInterval);
                probes += reader.seek(window.sinceNs() - replay.marginNs());
                if (!reader.replayStateBefore(replay))
                {
                    reader.toStart(); // a journal without a catalog: its state is only in its beginning
                }
            }
            if (window.hasEnd())
            {
                replay.stopAfterNs = window.untilNs() + replay.marginNs();
            }
            int n;
            while (!replay.past && !cancelled.getAsBoolean() && (n = reader.poll(replay, POLL_LIMIT)) > 0)
            {
                read += n;
            }
            final long[] lost = replay.lost;
            // Loss a recorder stopped with and could not journal is kept beside the journal: it counts here too.
            final long unjournaled = UnjournaledLoss.eventsOverlapping(dir, window.sinceNs(), window.untilNs());
            coverage = new Coverage(lost[0], lost[1], lost[2], lost[3] + unjournaled, reader.skippedEvents(),
                reader.checksumFailures(), reader.unreadableRanges());
        }
        return new Result(coverage.withGaps(Timeline.of(dir, window).gapsIn(window)), read, probes, replay.deltasFolded,
            System.nanoTime() - startNs);
    }

    public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (templateId)
        {
            case FlowDeltaDecoder.TEMPLATE_ID -> onFlowDelta(MessageHeader.wrap(delta, buffer, offset));
            case InterfaceAttachedDecoder.TEMPLATE_ID -> onAttached(MessageHeader.wrap(attached, buffer, offset));
            case LossReportDecoder.TEMPLATE_ID -> onLoss(MessageHeader.wrap(loss, buffer, offset));
            case RecorderStartedDecoder.TEMPLATE_ID -> onStarted(MessageHeader.wrap(started, buffer, offset));
            default ->
            {
                // other events carry nothing a fold needs
            }
        }
        if (buffer.getLong(offset + MessageHeader.ENCODED_LENGTH, MessageHeader.BYTE_ORDER) > stopAfterNs)
        {
            past = true; // events are in time order up to the margin: nothing later can fall in the window
        }
    }

    private long marginNs()
    {
        return maxFlushNs * 2 + MARGIN_SLACK_NS;
    }

    private void learnFlushInterval(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (templateId == RecorderStartedDecoder.TEMPLATE_ID)
        {
            maxFlushNs = Math.max(DEFAULT_FLUSH_NS, MessageHeader.wrap(started, buffer, offset).flushIntervalNs());
        }
    }

    private void onFlowDelta(final FlowDeltaDecoder delta)
    {
        if (!window.holds(delta.lastNs()))
        {
            return;
        }
        deltasFolded++;
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

    private void onAttached(final InterfaceAttachedDecoder event)
    {
        interfaces.put(event.ifindex(), new String[] {event.ifname(), event.container()});
    }

    /** Ifindexes and cumulative counters belong to one recorder run. */
    private void onStarted(final RecorderStartedDecoder event)
    {
        interfaces.clear();
        java.util.Arrays.fill(runCounters, 0);
        maxFlushNs = Math.max(maxFlushNs, event.flushIntervalNs());
    }

    /** A report's losses happened since the run's previous report: they count when the report is in the window. */
    private void onLoss(final LossReportDecoder report)
    {
        final boolean inWindow = report.timeNs() >= window.sinceNs() && report.timeNs() - DEFAULT_FLUSH_NS < window.untilNs();
        if (inWindow)
        {
            lost[0] += report.ringLostEvents() - runCounters[0];
            lost[1] += report.ringLostPackets() - runCounters[1];
            lost[2] += report.ringLostBytes() - runCounters[2];
            lost[3] += report.journalLostEvents() - runCounters[3];
        }
        runCounters[0] = report.ringLostEvents();
        runCounters[1] = report.ringLostPackets();
        runCounters[2] = report.ringLostBytes();
        runCounters[3] = report.journalLostEvents();
    }
}
