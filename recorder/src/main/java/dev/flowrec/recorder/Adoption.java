package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.OrphanedMaps;
import dev.flowrec.bpf.PinnedMaps;
import dev.flowrec.bpf.PinnedMeta;
import dev.flowrec.bpf.RingBufferReader;
import dev.flowrec.journal.JournalTail;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.PinOutcome;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.syscall.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a starting recorder does with the kernel state its instance pinned ({@link PinnedMaps}), in the order the
 * recorder calls it: {@link #prepare} before the program loads (adoptable state is reused by the load; foreign or
 * dropped state is held open by fd and unpinned, so that the load starts fresh), {@link #begin} once it is loaded
 * (the owner's baseline in the meta map, the loss baseline, the ring position the journal already holds),
 * {@link #journal} right after RecorderStarted, {@link #drainOrphan} once this run's filters have replaced the dead
 * run's (what a foreign state counted is read then, when nothing counts into it any more), and {@link #stopped}
 * on a clean stop (unpins: nothing is left to adopt).
 * <p>
 * Why the loss baseline: a LossReport counts from its run's RecorderStarted, but an adopted counters map counts
 * from the maps' creation. The meta map keeps the counters at the owner's baseline; the new base adds what the
 * owner journaled on top of it (its last LossReport, read from the journal's tail), so that neither loss nor
 * packets seen are counted twice, and what was counted after that report, while no recorder ran, is this run's.
 */
final class Adoption implements AutoCloseable
{
    /** Lets programs in flight on other CPUs finish after their filter is replaced, before reading their maps. */
    private static final long REPLACE_SETTLE_MS = 50;

    private final Instance instance;
    private final Path pinDir;
    private final RecorderErrors errors;
    private final FlowProgram.Config config;
    private PinOutcome outcome;
    private PinnedMeta orphanMeta;
    private OrphanedMaps orphan;
    private long previousPid;
    private long flowsFound;
    private long ringSkippedBytes;
    private long ringPendingBytes;
    private long orphanRingPosition = FlowDeltaBatch.NO_RING_POSITION;
    private long[] orphanJournaled;
    private String detail = "";
    /** The open pin directory whose flock makes this recorder the instance's only one, for the whole run; -1 unpinned. */
    private int instanceLockFd = -1;

    private Adoption(final Instance instance, final Path pinDir, final FlowProgram.Config config, final RecorderErrors errors)
    {
        this.instance = instance;
        this.pinDir = pinDir;
        this.config = config;
        this.errors = errors;
    }

    /**
     * Looks at what the instance pinned. Adoptable state is left for the load to reuse; state of another layout
     * or size, or any with fresh, is opened by fd, unpinned, and said in one line.
     */
    static Adoption prepare(final Instance instance, final boolean fresh, final FlowProgram.Config config,
        final RecorderErrors errors)
    {
        final String unavailable = PinnedMaps.unavailable();
        if (unavailable != null)
        {
            final Adoption unpinned = new Adoption(instance, null, config, errors);
            unpinned.detail = unavailable;
            return unpinned;
        }
        final Adoption adoption = new Adoption(instance, instance.pinDir(), config, errors);
        adoption.inspect(fresh);
        return adoption;
    }

    private void inspect(final boolean fresh)
    {
        lockInstance();
        final PinnedMaps.Inspection found = PinnedMaps.inspect(pinDir, config);
        if (found.found())
        {
            previousPid = found.meta() == null ? 0 : found.meta().pid();
            if (found.adoptable() && !fresh)
            {
                outcome = PinOutcome.ADOPTED;
            }
            else
            {
                orphanMeta = found.meta();
                orphan = OrphanedMaps.open(pinDir, orphanMeta);
                flowsFound = orphan.flowCount();
                PinnedMaps.unpinMaps(pinDir);
                outcome = fresh ? PinOutcome.DROPPED : orphan.readable() ? PinOutcome.MISMATCH_READ : PinOutcome.MISMATCH_UNREADABLE;
                detail = fresh ? "--fresh" : found.mismatch();
                errors.say(fresh ?
                    "dropped the pinned kernel state of instance " + instance.name() + " (--fresh): " + flowsFound +
                        " flows and the ring's records not journaled, counted as lost" :
                    "pinned kernel state of instance " + instance.name() + " not adoptable (" + found.mismatch() + "): " +
                        (outcome == PinOutcome.MISMATCH_READ ? "journaling its " + flowsFound + " flows and ring records, " :
                            flowsFound + " flows unreadable, counted as lost; ") + "starting fresh");
            }
        }
    }

    /**
     * Takes the instance: an exclusive flock on its pin directory, held until this recorder ends (or dies). Two
     * recorders of one instance would share one ring and one set of filters, each moving the other's consumer
     * position and replacing the other's filters: the second refuses in one line.
     */
    private void lockInstance()
    {
        try
        {
            Files.createDirectories(pinDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("creating the pin directory " + pinDir + ": " + ex.getMessage(), ex);
        }
        final int fd = Libc.openDirectory(pinDir.toString());
        if (!Libc.tryLockExclusive(fd, pinDir.toString()))
        {
            Libc.close(fd);
            final PinnedMeta meta = PinnedMaps.inspect(pinDir, config).meta();
            throw new IllegalStateException("instance " + instance.name() + " is being recorded by another recorder" +
                (meta == null ? "" : " (pid " + meta.pid() + ")") + ": give this one its own --instance");
        }
        instanceLockFd = fd;
    }

    /** Releases the instance and what a failed start left open of a dropped state. */
    @Override
    public void close()
    {
        if (orphan != null)
        {
            orphan.close();
            orphan = null;
        }
        if (instanceLockFd >= 0)
        {
            Libc.close(instanceLockFd);
            instanceLockFd = -1;
        }
    }

    /** Where the program's maps are pinned, null when they are not (no bpffs here). */
    String pinDir()
    {
        return pinDir == null ? null : pinDir.toString();
    }

    /**
     * Takes ownership of the loaded (adopted or fresh) maps: the meta map's owner and baseline, this run's loss
     * baseline, and the ring position from which this run journals.
     *
     * @return the time to journal RecorderStarted with: at or after the owner's start written in the meta map.
     */
    long begin(final FlowProgram program, final JournalWriter writer, final LossBaseline loss)
    {
        final long nowNs = JournalEvents.nowNs();
        if (pinDir == null)
        {
            // Said once the program is loaded: a start that fails says its one line, nothing else.
            errors.say("warning: kernel state not pinned (" + detail + "): a crash loses what the filters count until the restart");
            return nowNs;
        }
        final long pid = ProcessHandle.current().pid();
        if (orphanMeta != null)
        {
            final JournalTail tail = writer.tail(orphanMeta.ringSinceNs());
            orphanRingPosition = tail.ringPosition();
            orphanJournaled = journaled(orphanMeta, tail);
        }
        if (outcome != PinOutcome.ADOPTED)
        {
            program.writeMeta(new PinnedMeta(PinnedMeta.LAYOUT_VERSION, config.maxFlows(), config.ringBytes(), pid,
                nowNs, nowNs, new long[KernelCounters.COUNT]));
            return nowNs;
        }
        final PinnedMeta meta = program.readMeta();
        final JournalTail tail = writer.tail(meta.ringSinceNs());
        final long[] base = journaled(meta, tail);
        loss.base(base);
        program.writeMeta(meta.ownedBy(pid, nowNs, base));
        final RingBufferReader ring = program.ringBuffer();
        if (tail.ringPosition() != FlowDeltaBatch.NO_RING_POSITION)
        {
            final long consumer = ring.consumerPosition();
            final long producer = ring.producerPosition();
            ringSkippedBytes = ring.skipTo(tail.ringPosition());
            if (ringSkippedBytes < 0)
            {
                ringSkippedBytes = 0;
                errors.count();
                detail = "the journal's ring position " + tail.ringPosition() + " is not between the ring's consumer " +
                    consumer + " and producer " + producer + " positions: reading the ring from its consumer position";
                errors.say(detail);
            }
        }
        writer.startRingPosition(ring.position());
        ringPendingBytes = ring.producerPosition() - ring.position();
        flowsFound = program.flowCount();
        return nowNs;
    }

    /** The counters of a pinned state that its runs journaled: its owner's base plus the owner's last loss report. */
    private static long[] journaled(final PinnedMeta meta, final JournalTail tail)
    {
        final long[] counters = meta.base().clone();
        if (tail.lastRunLossReport() != null && tail.lastRunStartNs() >= meta.ownerSinceNs())
        {
            final LossReportDecoder report = MessageHeader.wrap(new LossReportDecoder(), tail.lastRunLossReport(), 0);
            counters[KernelCounters.PACKETS_SEEN] += report.packetsSeen();
            counters[KernelCounters.BYTES_SEEN] += report.bytesSeen();
            counters[KernelCounters.RB_LOST_EVENTS] += report.ringLostEvents();
            counters[KernelCounters.RB_LOST_PACKETS] += report.ringLostPackets();
            counters[KernelCounters.RB_LOST_BYTES] += report.ringLostBytes();
            counters[KernelCounters.RB_DEFERRED] += report.ringDeferred();
            counters[KernelCounters.MAP_FULL] += report.mapFull();
            counters[KernelCounters.NON_IP] += report.nonIp();
            counters[KernelCounters.MALFORMED] += report.malformed();
            counters[KernelCounters.TOO_DEEP] += Templates.tooDeep(report);
        }
        return counters;
    }

    /** Journals the PinnedState event (right after RecorderStarted) when pinned state was found. */
    void journal(final JournalEvents journal)
    {
        if (outcome == null)
        {
            return;
        }
        final boolean adopted = outcome == PinOutcome.ADOPTED;
        journal.pinnedState(outcome, previousPid, adopted || outcome == PinOutcome.MISMATCH_READ ? flowsFound : 0,
            adopted || outcome == PinOutcome.MISMATCH_READ ? 0 : flowsFound, ringSkippedBytes, ringPendingBytes,
            instance.name(), pinDir.toString(), detail);
        if (adopted)
        {
            errors.say("adopted the pinned kernel state of instance " + instance.name() + " (pid " + previousPid + "): " +
                flowsFound + " flows, " + ringPendingBytes + " ring bytes to journal, " + ringSkippedBytes +
                " already journaled");
        }
    }

    /**
     * Reads what a foreign or dropped state counted, now that this run's filters replaced the dead run's: its
     * flows and ring records as deltas (MISMATCH_READ), or their number as lost; its counters beyond what its runs
     * journaled go into this run's loss reports, and the meta map's base goes down by as much, so that a run
     * that adopts this run's maps after a crash does not take them for counts of these maps. Then drops it.
     */
    void drainOrphan(final FlowProgram program, final JournalEvents journal, final LossBaseline loss)
    {
        if (orphan == null)
        {
            return;
        }
        try
        {
            Thread.sleep(REPLACE_SETTLE_MS);
            final long[] counters = new long[KernelCounters.COUNT];
            if (orphan.readCounters(counters) && orphanJournaled != null)
            {
                for (int i = 0; i < counters.length; i++)
                {
                    loss.addExtra(i, Math.max(0, counters[i] - orphanJournaled[i]));
                }
            }
            if (outcome == PinOutcome.MISMATCH_READ)
            {
                orphan.drainRing(journal::flowDelta, orphanRingPosition);
                orphan.drainFlows(journal::flowDelta);
            }
            else
            {
                countLost(loss);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            orphan.close();
            orphan = null;
            final PinnedMeta meta = program.readMeta();
            program.writeMeta(meta.ownedBy(meta.pid(), meta.ownerSinceNs(), loss.adoptersBase()));
        }
    }

    /**
     * What a dropped or unreadable state held, as this run's loss: its ring's records are counted by their headers,
     * which are the kernel's whatever the layout, and with their packets and bytes where the layout is this
     * flowrec's; an unreadable flow map's flows by their keys.
     */
    private void countLost(final LossBaseline loss)
    {
        final boolean readable = orphan.readable();
        final long[] lost = new long[3];
        final FlowEventHandler count = e ->
        {
            lost[0]++;
            if (readable)
            {
                lost[1] += e.packets();
                lost[2] += e.bytes();
            }
        };
        orphan.drainRing(count, orphanRingPosition);
        if (readable)
        {
            orphan.drainFlows(count);
        }
        else
        {
            lost[0] += flowsFound;
        }
        loss.addExtra(KernelCounters.RB_LOST_EVENTS, lost[0]);
        loss.addExtra(KernelCounters.RB_LOST_PACKETS, lost[1]);
        loss.addExtra(KernelCounters.RB_LOST_BYTES, lost[2]);
    }

    /** A clean stop: everything is journaled and detached, nothing is left to adopt. */
    void stopped()
    {
        if (pinDir != null)
        {
            PinnedMaps.unpin(pinDir);
        }
    }
}
