package dev.flowrec.recorder;

import dev.flowrec.bpf.Clocks;
import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.syscall.NetNs;
import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.Retention;
import dev.flowrec.recorder.discovery.InterfaceWatcher;
import dev.flowrec.recorder.live.LiveView;
import dev.flowrec.recorder.live.LiveViewAgent;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.openhft.chronicle.core.time.TimeProvider;
import org.agrona.concurrent.IdleStrategy;

/**
 * The recorder's own agents, built as {@link Recorder#record} builds them but with no interface selected: ring
 * buffer → {@link DrainAgent#onFlowEvent} → {@link JournalEvents} (the live view folds each event) →
 * {@link JournalWriter}, with the discovery, journal and live view agents beside it. For the allocation test and
 * the drain and latency benchmarks, which feed the ring with BPF_PROG_TEST_RUN instead of traffic.
 * <p>
 * The interface watcher is opened inside netnsPath, an empty namespace: in the host's, the duty cycle would see
 * every host link and remove flowrec filters found on them (a recorder's stale-filter cleanup), including those
 * of a recorder really running. Single-threaded, like the agents: use it from one thread after construction.
 */
public final class RecorderDrain implements AutoCloseable
{
    /** The agent's drain limit, for sizing per-pass arrays. */
    public static final int DRAIN_LIMIT_HINT = DrainAgent.DRAIN_LIMIT;
    private final JournalWriter writer;
    private final JournalEvents events;
    private final DiscoveryAgent discovery;
    private final DrainAgent drain;
    private final JournalAgent journal;
    private final LiveViewAgent live;

    private RecorderDrain(final RecorderContext context, final DiscoveryAgent discovery)
    {
        this.writer = context.writer();
        this.events = context.journal();
        this.discovery = discovery;
        this.drain = new DrainAgent(context, discovery.provisional());
        this.journal = new JournalAgent(context);
        this.live = new LiveViewAgent(context.live());
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
            final long flushIntervalNs = program.config().flushIntervalNs();
            final JournalEvents events = new JournalEvents(writer, tap, Clocks.bootToRealtimeOffsetNs(),
                JournalEvents.lingerNs(flushIntervalNs));
            final Recorder.Config config = new Recorder.Config(new Selection(Set.of(), false, false, List.of()), journal,
                flushIntervalNs, program.config().maxFlows(), program.config().ringBytes(), Optional.empty(), false,
                Retention.Policy.FOREVER, 64L << 20, "");
            final RecorderContext context = new RecorderContext(config, program, writer, events, live,
                new RecorderErrors(line -> System.err.println("drain: " + line)));
            final DiscoveryAgent discovery = new DiscoveryAgent(context,
                listener -> NetNs.call(netnsPath, () -> new InterfaceWatcher(listener)), link -> Optional.empty());
            return new RecorderDrain(context, discovery);
        }
        catch (final RuntimeException ex)
        {
            writer.close();
            throw ex;
        }
    }

    /** The agent as the ring buffer's handler: what {@link DrainAgent#doWork} drains into. */
    public FlowEventHandler handler()
    {
        return drain;
    }

    /** One real duty cycle: every agent's, the drain reading up to {@link #drainLimit()} records. */
    public int doWork()
    {
        return discovery.doWork() + drain.doWork() + journal.doWork() + live.doWork();
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

    /** The duty cycle without its drain (see {@link DrainAgent#duties}). */
    public int duties()
    {
        return discovery.doWork() + drain.duties() + journal.doWork() + live.doWork();
    }

    public int drainLimit()
    {
        return DrainAgent.DRAIN_LIMIT;
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

    /** Stops watching (nothing was attached) and closes the journal; no orderly stop is journaled. */
    public void close()
    {
        try
        {
            discovery.onClose();
        }
        finally
        {
            writer.close();
        }
    }
}
