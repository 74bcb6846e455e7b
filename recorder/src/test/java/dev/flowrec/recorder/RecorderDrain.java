package dev.flowrec.recorder;

import dev.flowrec.bpf.Clocks;
import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.Retention;
import dev.flowrec.recorder.discovery.InterfaceWatcher;
import dev.flowrec.recorder.live.LiveView;
import dev.flowrec.syscall.NetNs;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import net.openhft.chronicle.core.time.TimeProvider;
import org.agrona.concurrent.IdleStrategy;

/**
 * The recorder's own drain, built as {@link Recorder#record} builds it but with no interface selected: ring
 * buffer → {@link RecorderAgent#onFlowEvent} → {@link JournalEvents} (the live view folds each event) →
 * {@link JournalWriter}. For the allocation test and the drain and latency benchmarks, which feed the ring with
 * BPF_PROG_TEST_RUN instead of traffic.
 * <p>
 * The interface watcher is opened inside netnsPath, an empty namespace: in the host's, the duty cycle would see
 * every host link and remove flowrec filters found on them (a recorder's stale-filter cleanup), including those
 * of a recorder really running. Single-threaded, like the agent: use it from one thread after construction.
 */
public final class RecorderDrain implements AutoCloseable
{
    /** The agent's drain limit, for sizing per-pass arrays. */
    public static final int DRAIN_LIMIT_HINT = RecorderAgent.DRAIN_LIMIT;
    private final JournalWriter writer;
    private final InterfaceWatcher watcher;
    private final RecorderAgent agent;
    private final JournalEvents events;

    private RecorderDrain(final JournalWriter writer, final InterfaceWatcher watcher, final RecorderAgent agent,
        final JournalEvents events)
    {
        this.writer = writer;
        this.events = events;
        this.watcher = watcher;
        this.agent = agent;
    }

    /**
     * @param cycleClock picks the journal's cycle file; null for the system clock (a test pins it, so that no
     *                   hourly roll happens while allocation is measured)
     */
    public static RecorderDrain open(final FlowProgram program, final Path journal, final String netnsPath,
        final TimeProvider cycleClock)
    {
        return open(program, journal, netnsPath, cycleClock, true);
    }

    /**
     * As {@link #open(FlowProgram, Path, String, TimeProvider)}; without foldLive, events are not handed to the
     * live view (never so in the recorder: for the benchmark's breakdown of what an event costs).
     */
    public static RecorderDrain open(final FlowProgram program, final Path journal, final String netnsPath,
        final TimeProvider cycleClock, final boolean foldLive)
    {
        final JournalWriter writer = JournalWriter.open(journal, JournalPaths.DEFAULT_ROLL_CYCLE, cycleClock);
        try
        {
            final LiveView live = new LiveView();
            final EventHandler tap = foldLive ? live : (templateId, buffer, offset, length) -> { };
            final JournalEvents events = new JournalEvents(writer, tap, Clocks.bootToRealtimeOffsetNs(),
                JournalEvents.lingerNs(program.config().flushIntervalNs()));
            final Attachments attachments = new Attachments(program, events, new Selection(Set.of(), false, false, List.of()));
            final InterfaceWatcher watcher = NetNs.call(netnsPath, () -> new InterfaceWatcher(attachments));
            final RecorderAgent agent = new RecorderAgent(program, events, writer, Retention.Policy.FOREVER, watcher,
                attachments, live, program.config().flushIntervalNs(), 64L << 20);
            return new RecorderDrain(writer, watcher, agent, events);
        }
        catch (final RuntimeException ex)
        {
            writer.close();
            throw ex;
        }
    }

    /** The agent as the ring buffer's handler: what {@link RecorderAgent#doWork} drains into. */
    public FlowEventHandler handler()
    {
        return agent;
    }

    /** One real duty cycle: drain up to {@link #drainLimit()} records, then the other duties. */
    public int doWork()
    {
        return agent.doWork();
    }

    /**
     * What the agent does after each pass over the ring: the open batch of deltas commits once it has lingered.
     *
     * @return whether every delta handled so far is committed (visible to readers).
     */
    public boolean endOfPass()
    {
        events.endOfPass(System.nanoTime());
        return !writer.hasOpenBatch();
    }

    /** The duty cycle without its drain (see {@link RecorderAgent#duties}). */
    public int duties()
    {
        return agent.duties();
    }

    public int drainLimit()
    {
        return RecorderAgent.DRAIN_LIMIT;
    }

    /** A new instance of the idle strategy the recorder's duty cycle runs with. */
    public static IdleStrategy idleStrategy()
    {
        return Recorder.idleStrategy();
    }

    /** Events this drain's writer has committed (flow deltas and the few loss reports). */
    public long eventsJournaled()
    {
        return writer.eventsAppended();
    }

    public void close()
    {
        try
        {
            watcher.onClose();
        }
        finally
        {
            writer.close();
        }
    }
}
