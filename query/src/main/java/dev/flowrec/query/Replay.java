package dev.flowrec.query;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.UnjournaledLoss;
import dev.flowrec.journal.schema.DnsAnswerDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Replays the flow deltas of a time window of a journal into a {@link FlowFold}. A bounded window is found
 * by seeking (binary search on time), and the interfaces, containers and loss counters as they stood there
 * come from the journal's catalog, so the cost follows the window, not the journal. Each delta is named
 * with its interface and container; losses journaled inside the window are summed into a {@link Coverage}, with the
 * parts of the window no recorder covered ({@link Timeline}). An interface that a run of the journal recorded as a
 * container's has its directions shown from the container's point of view in every run ({@link Timeline#workloadView}):
 * a run that recorded it as a plain interface ({@code --iface}) has its deltas' directions turned round here.
 * Each delta is named with the process of its flow's local socket too: the run's SocketOwner events so far, in journal
 * order, and, for a seek, those the catalog holds before the seek point ({@link SocketOwners}); and, for a fold that
 * {@link FlowFold#wantsNames wants them}, with the names the host's resolver gave its addresses, from the DnsAnswer
 * events the same way ({@link PeerNames}: the catalog holds them, so the answers in force at a window's start are
 * found by the seek, not by reading the journal from its beginning).
 */
public final class Replay implements EventHandler
{
    /** What a replay read and found. */
    public record Result(Coverage coverage, long eventsRead, int seekProbes, long deltasFolded, long elapsedNs,
        long namesEvicted, RollupUse rollups)
    {
        public Result(final Coverage coverage, final long eventsRead, final int seekProbes, final long deltasFolded,
            final long elapsedNs, final long namesEvicted)
        {
            this(coverage, eventsRead, seekProbes, deltasFolded, elapsedNs, namesEvicted, RollupUse.NONE);
        }

        /** The same, saying how many hours came from rollups. */
        Result with(final RollupUse use)
        {
            return new Result(coverage, eventsRead, seekProbes, deltasFolded, elapsedNs, namesEvicted, use);
        }

        public Result(final Coverage coverage, final long eventsRead, final int seekProbes, final long deltasFolded,
            final long elapsedNs)
        {
            this(coverage, eventsRead, seekProbes, deltasFolded, elapsedNs, 0);
        }
    }

    /** Small batches: a replay stops within one batch of its window's end. */
    private static final int POLL_LIMIT = 64;
    private static final long DEFAULT_FLUSH_NS = 1_000_000_000L;
    /** Beyond the flush interval: the idle sweep's own period and scheduling slack. */
    private static final long MARGIN_SLACK_NS = 2_000_000_000L;
    /** The most flows {@link #namedFlows} holds (about 150 bytes each) before it starts afresh. */
    private static final int MAX_NAMED_FLOWS = 1 << 21;
    private static final int MAX_UNNAMED = 4096;

    private FlowFold fold;
    private final Window window;
    private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
    private final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
    private final LossReportDecoder loss = new LossReportDecoder();
    private final RecorderStartedDecoder started = new RecorderStartedDecoder();
    private final Timeline timeline;
    private final Int2ObjectHashMap<Named> interfaces = new Int2ObjectHashMap<>();
    /** "if" + ifindex of interfaces without a name, made once each (a delta's fold and an export's dictionary). */
    private final Int2ObjectHashMap<String> unnamed = new Int2ObjectHashMap<>();
    private final SocketOwners owners = new SocketOwners();
    private final boolean named;
    private final PeerNames names = new PeerNames();
    private final FlowNames flowNames = new FlowNames();
    /**
     * Every flow of the window by its kernel key, with its first delta's names: what each of its deltas is named. A
     * followed query's replay lives on, so past {@link #MAX_NAMED_FLOWS} it starts afresh (a flow then is named again
     * at its next delta). Made at the first delta of a fold that {@link FlowFold#namesEveryDelta names every delta}.
     */
    private FlowSumsTable namedFlows;
    private final FlowDeltaDecoder turned = new FlowDeltaDecoder();
    private final MutableDirectBuffer turnedBuffer = new UnsafeBuffer(new byte[256]);
    /** Losses in the window: ring events, packets, bytes, journal events (as {@link Coverage} orders them). */
    private final long[] lost = new long[4];
    private final long[] runCounters = new long[4];
    private long maxFlushNs = DEFAULT_FLUSH_NS;
    private long stopAfterNs = Long.MAX_VALUE;
    private long deltasFolded;
    private boolean past;
    /** The reader, for the cycle of each event: set when some cycles are read from rollups, or one cycle alone. */
    private JournalReader cycles;
    /** The cycles read from their rollups instead of their deltas; null when none. */
    private RollupPlan plan;
    /** Reading only this cycle (to roll it up); Integer.MIN_VALUE for a window. */
    private int onlyCycle = Integer.MIN_VALUE;
    /** A covered cycle was reached: the rest of this poll is skipped, then {@link #jump} folds its rollups. */
    private boolean jumping;
    private int jumpCycle;
    /** Off while the catalog replays the state before a jump: its loss reports were counted where they were read. */
    private boolean counting = true;
    /** Deltas folded while DNS answers named addresses: a rollup holds no names, so it cannot stand beside them. */
    private long namedDeltas;
    /** Told of each loss report counted, and of each delta's interface naming (to roll a cycle up); may be null. */
    private CycleSink sink;
    /** The reader of a replay bounded by {@link #runUntil}: no document at or past {@link #endIndex} is read. */
    private JournalReader snapshot;
    private long endIndex = Long.MAX_VALUE;

    /** An attached interface's names, and whether its deltas' directions are turned round (see the class comment). */
    private record Named(String iface, String container, boolean turn)
    {
    }

    private Replay(final FlowFold fold, final Window window, final Timeline timeline, final boolean named)
    {
        this.fold = fold;
        this.window = window;
        this.timeline = timeline;
        this.named = named;
    }

    /** Replays every event of the journal in {@code dir}; returns what the answer may be missing. */
    public static Coverage run(final Path dir, final FlowFold fold)
    {
        return run(dir, Window.ALL, fold, () -> false).coverage();
    }

    /** Replays the window; {@code cancelled} is polled between batches (Ctrl-C in the shell). */
    public static Result run(final Path dir, final Window window, final FlowFold fold, final BooleanSupplier cancelled)
    {
        return run(dir, window, Timeline.of(dir, window), fold, cancelled);
    }

    /** As {@link #run(Path, Window, FlowFold, BooleanSupplier)}, with the journal's timeline already read. */
    public static Result run(final Path dir, final Window window, final Timeline timeline, final FlowFold fold,
        final BooleanSupplier cancelled)
    {
        return run(dir, window, timeline, fold, cancelled, null);
    }

    /**
     * As {@link #run(Path, Window, Timeline, FlowFold, BooleanSupplier)}, the cycles the plan covers folded from their
     * rollups (in journal order, between the deltas of the cycles before and after them) instead of read.
     *
     * @throws RollupPlan.Conflict when a rollup cannot give what the deltas would: ask again without rollups
     */
    static Result run(final Path dir, final Window window, final Timeline timeline, final FlowFold fold,
        final BooleanSupplier cancelled, final RollupPlan plan)
    {
        return run(dir, window, timeline, fold, cancelled, plan, Long.MAX_VALUE);
    }

    /**
     * The journal's end as it stands: the index its next document will have. An export replays the journal once, up
     * to this snapshot ({@link #runUntil}), and leaves out what a live recorder appends while it writes.
     */
    public static long end(final Path dir)
    {
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.toEnd();
            return reader.index();
        }
    }

    /** As {@link #run(Path, Window, Timeline, FlowFold, BooleanSupplier)}, reading no document at or past {@code endIndex}. */
    public static Result runUntil(final Path dir, final Window window, final Timeline timeline, final FlowFold fold,
        final BooleanSupplier cancelled, final long endIndex)
    {
        return run(dir, window, timeline, fold, cancelled, null, endIndex);
    }

    private static Result run(final Path dir, final Window window, final Timeline timeline, final FlowFold fold,
        final BooleanSupplier cancelled, final RollupPlan plan, final long endIndex)
    {
        final long startNs = System.nanoTime();
        final Replay replay = new Replay(fold, window, timeline, fold.wantsNames());
        long read = 0;
        int probes = 0;
        final Coverage coverage;
        try (JournalReader reader = JournalReader.open(dir))
        {
            if (endIndex != Long.MAX_VALUE)
            {
                replay.snapshot = reader;
                replay.endIndex = endIndex;
            }
            if (plan != null && !plan.isEmpty())
            {
                replay.plan = plan;
                replay.cycles = reader;
            }
            probes += replay.position(reader);
            if (window.hasEnd())
            {
                replay.stopAfterNs = window.untilNs() + replay.marginNs();
            }
            while (!replay.past && !cancelled.getAsBoolean())
            {
                final int n = reader.poll(replay, POLL_LIMIT);
                read += n;
                if (replay.jumping)
                {
                    replay.jump(dir, reader, cancelled);
                }
                else if (n == 0)
                {
                    break;
                }
            }
            if (replay.plan != null && replay.namedDeltas > 0)
            {
                throw new RollupPlan.Conflict("names");
            }
            final long[] lost = replay.lost;
            // Loss a recorder stopped with and could not journal is kept beside the journal: it counts here too.
            final long unjournaled = UnjournaledLoss.eventsOverlapping(dir, window.sinceNs(), window.untilNs());
            coverage = new Coverage(lost[0], lost[1], lost[2], lost[3] + unjournaled, reader.skippedEvents(),
                reader.checksumFailures(), reader.unreadableRanges());
        }
        return new Result(coverage.withGaps(timeline.gapsIn(window)), read, probes, replay.deltasFolded,
            System.nanoTime() - startNs, replay.names.evicted());
    }

    /** Seeks to the window's start, less the margin of late deltas, with the state as it stood there; returns the probes. */
    private int position(final JournalReader reader)
    {
        int probes = 0;
        if (window.hasStart())
        {
            // Deltas reach the journal up to about a flush interval late: start that much early.
            probes += reader.seek(window.sinceNs());
            reader.replayStateBefore(this::learnFlushInterval);
            probes += reader.seek(window.sinceNs() - marginNs());
            if (!reader.replayStateBefore(this))
            {
                reader.toStart(); // a journal without a catalog: its state is only in its beginning
            }
        }
        return probes;
    }

    /**
     * Opens a replay of a window with no end that stays at the end of the journal as it grows ({@code query --follow}):
     * each {@link Tail#step} folds the events appended since the previous step, so that consecutive steps count
     * every delta exactly once whenever it was journaled, however late, with no waiting for late deltas.
     */
    public static Tail tail(final Path dir, final Window window)
    {
        return tail(dir, window, false);
    }

    /** As {@link #tail(Path, Window)}; {@code named}: the folds of its steps are given the addresses' names. */
    public static Tail tail(final Path dir, final Window window, final boolean named)
    {
        if (window.hasEnd())
        {
            throw new IllegalArgumentException("a followed window has no end");
        }
        final Replay replay = new Replay(null, window, Timeline.of(dir, window), named);
        final JournalReader reader = JournalReader.open(dir);
        try
        {
            return new Tail(dir, reader, replay, replay.position(reader));
        }
        catch (final RuntimeException ex)
        {
            reader.close();
            throw ex;
        }
    }

    /** A replay kept open at the end of a growing journal. Single-threaded. */
    public static final class Tail implements AutoCloseable
    {
        private final Path dir;
        private final JournalReader reader;
        private final Replay replay;
        private int probes;
        private boolean first = true;
        private long skipped;
        private long checksumFailures;

        private Tail(final Path dir, final JournalReader reader, final Replay replay, final int probes)
        {
            this.dir = dir;
            this.reader = reader;
            this.replay = replay;
            this.probes = probes;
        }

        /**
         * Folds what the journal gained since the previous step (the first step: the window so far, with the gaps
         * and the unjournaled loss of its time); the coverage is of those events alone.
         */
        public Result step(final FlowFold fold, final BooleanSupplier cancelled)
        {
            final long startNs = System.nanoTime();
            final long foldedBefore = replay.deltasFolded;
            replay.fold = fold;
            Arrays.fill(replay.lost, 0);
            long read = 0;
            int n;
            while (!cancelled.getAsBoolean() && (n = reader.poll(replay, POLL_LIMIT)) > 0)
            {
                read += n;
            }
            final long[] lost = replay.lost;
            final Window window = replay.window;
            final long unjournaled = first ? UnjournaledLoss.eventsOverlapping(dir, window.sinceNs(), window.untilNs()) : 0;
            final Coverage coverage = new Coverage(lost[0], lost[1], lost[2], lost[3] + unjournaled,
                reader.skippedEvents() - skipped, reader.checksumFailures() - checksumFailures,
                first ? reader.unreadableRanges() : List.of())
                .withGaps(first ? replay.timeline.gapsIn(window) : List.of());
            skipped = reader.skippedEvents();
            checksumFailures = reader.checksumFailures();
            first = false;
            final Result result = new Result(coverage, read, probes, replay.deltasFolded - foldedBefore,
                System.nanoTime() - startNs, replay.names.evicted());
            probes = 0;
            return result;
        }

        public void close()
        {
            reader.close();
        }
    }

    public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (snapshot != null && snapshot.index() >= endIndex)
        {
            past = true; // appended after the snapshot
            return;
        }
        if (cycles != null && !readsCycle())
        {
            return;
        }
        switch (templateId)
        {
            case FlowDeltaDecoder.TEMPLATE_ID -> onFlowDelta(buffer, offset, length);
            case InterfaceAttachedDecoder.TEMPLATE_ID -> onAttached(MessageHeader.wrap(attached, buffer, offset));
            case LossReportDecoder.TEMPLATE_ID -> onLoss(MessageHeader.wrap(loss, buffer, offset));
            case RecorderStartedDecoder.TEMPLATE_ID -> onStarted(MessageHeader.wrap(started, buffer, offset));
            case SocketOwnerDecoder.TEMPLATE_ID -> owners.onSocketOwner(buffer, offset);
            case DnsAnswerDecoder.TEMPLATE_ID ->
            {
                if (named)
                {
                    names.onDnsAnswer(buffer, offset);
                }
            }
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

    /** Whether the event being read is to be read: false past the one cycle rolled up, or in (or after) a covered one. */
    private boolean readsCycle()
    {
        if (jumping)
        {
            return false;
        }
        final int cycle = cycles.cycle();
        if (onlyCycle != Integer.MIN_VALUE)
        {
            past |= cycle != onlyCycle;
            return !past;
        }
        if (plan.covers(cycle))
        {
            jumping = true;
            jumpCycle = cycle;
            return false;
        }
        return true;
    }

    /**
     * Folds the rollups of the covered cycles from the one reached, then moves the reader to the first document of the
     * next cycle the journal has, with the state (interfaces, owners, loss counters) as the catalog holds it there.
     */
    private void jump(final Path dir, final JournalReader reader, final BooleanSupplier cancelled)
    {
        int cycle = jumpCycle;
        jumping = false;
        final int last = reader.lastCycle();
        while (true)
        {
            int to = cycle;
            while (plan.covers(to))
            {
                to++;
            }
            deltasFolded += plan.apply(cycle, to, fold, window, lost, cancelled);
            cycle = to;
            if (cycle > last)
            {
                past = true;
                return;
            }
            if (java.nio.file.Files.exists(dev.flowrec.journal.JournalPaths.cycleFile(dir, cycle)))
            {
                if (!reader.toCycle(cycle))
                {
                    throw new RollupPlan.Conflict("cycle " + cycle + " has no first document to go on from");
                }
                break;
            }
            cycle++;
        }
        interfaces.clear();
        owners.clear();
        Arrays.fill(runCounters, 0);
        counting = false;
        try
        {
            reader.replayStateBefore(this);
        }
        finally
        {
            counting = true;
        }
        if (owners.size() > 0)
        {
            // The catalog's owners may include some that deltas in the rolled-up hours ended: only a read knows.
            throw new RollupPlan.Conflict("socket owners");
        }
    }

    /**
     * Reads one cycle of the journal in {@code dir} whole, every delta handed to {@code sink} with its interface named
     * as a replay names it, each loss report's losses told to it; the state at the cycle's start from the catalog.
     *
     * @return false when the cycle has no first document, or was damaged (a rollup of it would hide the damage)
     */
    static boolean readCycle(final Path dir, final int cycle, final Timeline timeline, final CycleSink sink)
    {
        final Replay replay = new Replay(sink, Window.ALL, timeline, true); // named: to know if names were in force
        replay.sink = sink;
        replay.onlyCycle = cycle;
        try (JournalReader reader = JournalReader.open(dir))
        {
            if (!reader.toCycle(cycle))
            {
                return false;
            }
            reader.replayStateBefore(replay::learnFlushInterval);
            replay.counting = false;
            final boolean catalog = reader.replayStateBefore(replay); // the state at the cycle's start
            replay.counting = true;
            replay.cycles = reader;
            if (!catalog && cycle != reader.firstCycle())
            {
                return false; // no catalog: the state at the cycle's start is known only to a read from the start
            }
            while (!replay.past && reader.poll(replay, POLL_LIMIT) > 0)
            {
                // every event of the cycle
            }
            sink.end(replay.owners.size() > 0, replay.namedDeltas > 0);
            return reader.skippedEvents() == 0 && reader.checksumFailures() == 0 && reader.unreadableRanges().isEmpty();
        }
    }

    /** What rolling a cycle up is told besides its deltas. */
    interface CycleSink extends FlowFold
    {
        /** Before each delta: whether its direction was turned round, and whether its interface was attached. */
        void naming(boolean turned, boolean attached);

        /** A loss report and the losses since the run's previous one. */
        void loss(long timeNs, long ringEvents, long ringPackets, long ringBytes, long journalEvents);

        /** At the end: whether socket owners were known at its end, and whether DNS answers named any delta. */
        void end(boolean ownersKnown, boolean namesInForce);
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

    private void onFlowDelta(final DirectBuffer buffer, final int offset, final int length)
    {
        final FlowDeltaDecoder delta = MessageHeader.wrap(this.delta, buffer, offset);
        // Every delta, in the window or not (an entry's first delta without an owner ends its key's); the key as the
        // kernel journaled it, before any turn.
        final Owner owner = owners.of(delta);
        if (!window.holds(delta.lastNs()))
        {
            return;
        }
        deltasFolded++;
        if (named && this.names.size() > 0)
        {
            namedDeltas++;
        }
        // Named as the kernel journaled the delta (before any turn: the addresses are the same).
        final FlowNames peers = flowNames.wrap(named && this.names.size() > 0 ? this.names : null, delta);
        if (named && this.names.size() > 0 && fold.namesEveryDelta())
        {
            // A long flow keeps its first packet's names past their TTL, whoever asks (filter, listing, export).
            if (namedFlows == null || namedFlows.size() >= MAX_NAMED_FLOWS)
            {
                namedFlows = new FlowSumsTable(fold.inactiveNs());
            }
            final int flow = namedFlows.add(FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta),
                FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta), FlowSumsTable.pack(delta.direction(),
                delta.family(), delta.proto(), delta.srcPort(), delta.dstPort()), 0, delta.ifindex(), delta.firstNs(),
                delta.lastNs(), 0, 0, delta.tcpFlags(), Owner.NONE, peers);
            peers.keep(namedFlows.srcName(flow), namedFlows.dstName(flow));
        }
        final Named names = interfaces.get(delta.ifindex());
        if (sink != null)
        {
            sink.naming(names != null && names.turn() && length <= turnedBuffer.capacity(), names != null);
        }
        if (names == null)
        {
            fold.onFlow(delta, unnamed(delta.ifindex()), "", owner, peers);
        }
        else if (names.turn() && length <= turnedBuffer.capacity())
        {
            turnedBuffer.putBytes(0, buffer, offset, length);
            final int at = MessageHeader.ENCODED_LENGTH + FlowDeltaDecoder.directionEncodingOffset();
            turnedBuffer.putByte(at, (byte)(turnedBuffer.getByte(at) ^ 1));
            fold.onFlow(MessageHeader.wrap(turned, turnedBuffer, 0), names.iface(), names.container(), owner, peers);
        }
        else
        {
            fold.onFlow(delta, names.iface(), names.container(), owner, peers);
        }
    }

    /**
     * The name of an interface the journal never named, the same String for every delta: no string made per delta,
     * and an export's dictionary finds it by identity. At most {@link #MAX_UNNAMED} are kept (a damaged journal's
     * ifindexes need not grow the map).
     */
    private String unnamed(final int ifindex)
    {
        final String name = unnamed.get(ifindex);
        if (name != null)
        {
            return name;
        }
        final String made = "if" + ifindex;
        if (unnamed.size() < MAX_UNNAMED)
        {
            unnamed.put(ifindex, made);
        }
        return made;
    }

    private void onAttached(final InterfaceAttachedDecoder event)
    {
        final String ifname = event.ifname();
        final String container = event.container();
        interfaces.put(event.ifindex(), new Named(ifname, container, container.isEmpty() && timeline.workloadView(ifname)));
    }

    /** Ifindexes, socket owners and cumulative counters belong to one recorder run. */
    private void onStarted(final RecorderStartedDecoder event)
    {
        interfaces.clear();
        owners.clear();
        Arrays.fill(runCounters, 0);
        maxFlushNs = Math.max(maxFlushNs, event.flushIntervalNs());
    }

    /** A report's losses happened since the run's previous report: they count when the report is in the window. */
    private void onLoss(final LossReportDecoder report)
    {
        final boolean inWindow = counting && report.timeNs() >= window.sinceNs() && report.timeNs() - DEFAULT_FLUSH_NS < window.untilNs();
        if (inWindow)
        {
            lost[0] += report.ringLostEvents() - runCounters[0];
            lost[1] += report.ringLostPackets() - runCounters[1];
            lost[2] += report.ringLostBytes() - runCounters[2];
            lost[3] += report.journalLostEvents() - runCounters[3];
            if (sink != null)
            {
                sink.loss(report.timeNs(), report.ringLostEvents() - runCounters[0],
                    report.ringLostPackets() - runCounters[1], report.ringLostBytes() - runCounters[2],
                    report.journalLostEvents() - runCounters[3]);
            }
        }
        runCounters[0] = report.ringLostEvents();
        runCounters[1] = report.ringLostPackets();
        runCounters[2] = report.ringLostBytes();
        runCounters[3] = report.journalLostEvents();
    }
}
