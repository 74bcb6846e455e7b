package dev.flowrec.query;

import dev.flowrec.journal.CatalogEvents;
import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.RecorderLockProbe;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.PinOutcome;
import dev.flowrec.journal.schema.PinnedStateDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.RecorderStoppedDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * What time a journal covers: its recorder runs (from a RecorderStarted to its RecorderStopped, or, without one, to
 * its last event: a crash, unless the last run's recorder still holds the journal's lock), its extent (the first
 * run's start) and the hours retention deleted; and from these the {@link Gap}s of a window. The runs come from the
 * journal's catalog, which retention leaves alone, so they are known even where the cycle files are gone; a crashed
 * run's last event is found by reading the journal from its last catalogued event (a loss report, journaled every
 * second while anything moves) to the next start.
 */
public final class Timeline
{
    /** How a run ended. */
    public enum End
    {
        STOPPED, CRASHED, RUNNING
    }

    /**
     * One recorder run.
     *
     * @param endNs      its stop, or for a crash its last event; {@link Long#MAX_VALUE} while running
     * @param interfaces the interfaces it attached, "name" or "name@container", in order, each once
     * @param adoption   what it did at its start with the kernel state a crashed run left pinned (a PinnedState
     *                   outcome: ADOPTED, MISMATCH_READ, ...), null when it found none
     */
    public record Run(long startNs, long endNs, End end, int pid, String host, List<String> interfaces, String adoption)
    {
        /** Whether this run journaled what a dead run's filters counted while no recorder ran. */
        public boolean adoptedDowntime()
        {
            return PinOutcome.ADOPTED.name().equals(adoption) || PinOutcome.MISMATCH_READ.name().equals(adoption);
        }
    }

    private static final long DEFAULT_FLUSH_NS = 1_000_000_000L;
    /** Beyond two flush intervals: the idle sweep's period and scheduling slack (as {@link Replay}'s margin). */
    private static final long MARGIN_SLACK_NS = 2_000_000_000L;
    /** A first cycle file that starts later than the first run by more than this was preceded by deleted ones. */
    private static final long CLOCK_SLACK_NS = 1_000_000_000L;
    private static final int POLL_LIMIT = 256;

    private final List<Run> runs;
    private final List<Gap> gaps;
    private final long startNs;
    private final boolean recorderRunning;

    private Timeline(final List<Run> runs, final List<Gap> gaps, final long startNs, final boolean recorderRunning)
    {
        this.runs = runs;
        this.gaps = gaps;
        this.startNs = startNs;
        this.recorderRunning = recorderRunning;
    }

    /** Reads the runs of the journal in {@code dir} (its catalog, or all of it when it has none) and its lock. */
    public static Timeline of(final Path dir)
    {
        final boolean running = RecorderLockProbe.holder(dir) != RecorderLockProbe.NONE;
        final Runs found = new Runs();
        final boolean catalogued = CatalogEvents.replay(dir, found);
        try (JournalReader reader = JournalReader.open(dir))
        {
            if (!catalogued)
            {
                reader.toStart(); // a journal without a catalog: every event, deltas included, tells its runs
                while (reader.poll(found, POLL_LIMIT) > 0)
                {
                    // the handler does the work
                }
            }
            else
            {
                for (int i = 0; i < found.runs.size(); i++)
                {
                    final RunBuilder run = found.runs.get(i);
                    if (run.stopNs == Long.MIN_VALUE && (i + 1 < found.runs.size() || !running))
                    {
                        run.lastNs = lastEventNs(reader, run);
                    }
                }
            }
        }
        final long oldestMs = Retention.oldestCycleStartMs(dir, JournalPaths.DEFAULT_ROLL_CYCLE);
        final long retainedFromNs = oldestMs < 0 ? Long.MIN_VALUE : oldestMs * 1_000_000L;
        return build(found, running, retainedFromNs);
    }

    /** @return the runs, oldest first. */
    public List<Run> runs()
    {
        return runs;
    }

    /** @return every gap of the journal, in order of start: before its start and after its end included (open). */
    public List<Gap> gaps()
    {
        return gaps;
    }

    /** @return the journal's first event; {@link Long#MAX_VALUE} for an empty journal. */
    public long startNs()
    {
        return startNs;
    }

    /** @return whether a recorder holds the journal's lock now. */
    public boolean recorderRunning()
    {
        return recorderRunning;
    }

    /**
     * The parts of {@code window} the journal does not cover. An open side of the window means "as far as the
     * journal goes": it adds nothing before the journal's start or after its end, unless the whole window lies there.
     */
    public List<Gap> gapsIn(final Window window)
    {
        final List<Gap> in = new ArrayList<>();
        for (final Gap gap : gaps)
        {
            final boolean outside = switch (gap.kind())
            {
                case BEFORE_JOURNAL -> window.hasStart() || window.untilNs() <= gap.endNs();
                case AFTER_JOURNAL -> window.hasEnd() || window.sinceNs() >= gap.startNs();
                default -> true;
            };
            final Gap part = outside ? gap.clip(window.sinceNs(), window.untilNs()) : null;
            if (part != null)
            {
                in.add(part);
            }
        }
        return in;
    }

    private static Timeline build(final Runs found, final boolean running, final long retainedFromNs)
    {
        final List<Run> runs = new ArrayList<>();
        for (int i = 0; i < found.runs.size(); i++)
        {
            final RunBuilder r = found.runs.get(i);
            final boolean last = i == found.runs.size() - 1;
            final End end = r.stopNs != Long.MIN_VALUE ? End.STOPPED : last && running ? End.RUNNING : End.CRASHED;
            final long endNs = switch (end)
            {
                case STOPPED -> r.stopNs;
                case CRASHED -> r.lastNs;
                case RUNNING -> Long.MAX_VALUE;
            };
            runs.add(new Run(r.startNs, endNs, end, r.pid, r.host, List.copyOf(r.interfaces), r.adoption));
        }
        final List<Gap> gaps = new ArrayList<>();
        final long startNs = found.firstNs;
        if (startNs != Long.MAX_VALUE)
        {
            gaps.add(new Gap(Long.MIN_VALUE, startNs, Gap.Kind.BEFORE_JOURNAL, false, startNs, false));
            if (retainedFromNs - startNs > CLOCK_SLACK_NS)
            {
                gaps.add(new Gap(startNs, retainedFromNs, Gap.Kind.RETENTION, false, startNs, false));
            }
        }
        for (int i = 0; i + 1 < runs.size(); i++)
        {
            final Run run = runs.get(i);
            final Run next = runs.get(i + 1);
            if (run.endNs() < next.startNs())
            {
                final boolean crashed = run.end() == End.CRASHED;
                gaps.add(new Gap(run.endNs(), next.startNs(), crashed ? Gap.Kind.CRASH : Gap.Kind.NOT_RECORDED,
                    crashed && next.adoptedDowntime(), run.endNs(), crashed));
            }
        }
        if (!runs.isEmpty() && !running)
        {
            final Run last = runs.getLast();
            gaps.add(new Gap(last.endNs(), Long.MAX_VALUE, Gap.Kind.AFTER_JOURNAL, false, last.endNs(),
                last.end() == End.CRASHED));
        }
        gaps.sort((a, b) -> Long.compare(a.startNs(), b.startNs()));
        return new Timeline(List.copyOf(runs), List.copyOf(gaps), startNs, running);
    }

    /**
     * The time of a crashed run's last event: the journal read from a margin before its last catalogued event up to
     * the next run's RecorderStarted (or the end). Deltas are journaled up to about two flush intervals late.
     */
    private static long lastEventNs(final JournalReader reader, final RunBuilder run)
    {
        reader.seek(run.lastNs - 2 * run.flushNs - MARGIN_SLACK_NS);
        final Tail tail = new Tail(run);
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

    private static final class RunBuilder
    {
        private final long startNs;
        private final int pid;
        private final String host;
        private final long flushNs;
        private final List<String> interfaces = new ArrayList<>();
        private long lastNs;
        private long stopNs = Long.MIN_VALUE;
        private String adoption;

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
    private static final class Runs implements EventHandler
    {
        private final RecorderStartedDecoder started = new RecorderStartedDecoder();
        private final RecorderStoppedDecoder stopped = new RecorderStoppedDecoder();
        private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
        private final PinnedStateDecoder pinned = new PinnedStateDecoder();
        private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        private final List<RunBuilder> runs = new ArrayList<>();
        private RunBuilder current;
        private long firstNs = Long.MAX_VALUE;

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
            if (current != null)
            {
                final String name = event.ifname();
                final String container = event.container();
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
        private long lastNs;
        private boolean done;

        private Tail(final RunBuilder run)
        {
            this.runStartNs = run.startNs;
            this.lastNs = run.lastNs;
        }

        public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
        {
            if (done)
            {
                return;
            }
            final long timeNs = timeOf(templateId, buffer, offset, delta);
            if (templateId == RecorderStartedDecoder.TEMPLATE_ID && timeNs > runStartNs)
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
