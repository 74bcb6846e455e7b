package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.journal.JournalException;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.UnjournaledLoss;
import dev.flowrec.recorder.live.LiveView;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;

/**
 * The journal's upkeep: journals the kernel's loss counters when they move, suspends the journal while its disk is
 * short of space, applies retention, has the sealed hours rolled up ({@link RollupWriting}). Its {@link #onClose()} ends the run's journal: the last loss counters, then
 * the stopped event (the drain agent, closing before it, has journaled every flow).
 */
final class JournalAgent implements Agent
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long RETENTION_PERIOD_NS = TimeUnit.MINUTES.toNanos(1);
    /**
     * The first rollup pass waits a retention period: not at start-up, while the drain catches up and the JIT compiles,
     * and not at all in a run shorter than that (a pass of hours to roll up replays each of them).
     */
    private static final long FIRST_ROLLUP_DELAY_NS = RETENTION_PERIOD_NS;
    /** At 3 M events/s of ~92 bytes, 100 ms is ~28 MB: well inside the default 64 MB kept free. */
    private static final long SPACE_CHECK_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final FlowProgram program;
    private final JournalWriter writer;
    private final JournalEvents journal;
    private final LiveView live;
    private final RecorderErrors errors;
    private final Recorder.Config config;
    private final LossBaseline loss;
    private final long[] counters = new long[KernelCounters.COUNT];
    private final long[] report = new long[KernelCounters.COUNT];
    private final long[] journaledCounters = new long[KernelCounters.COUNT];
    private long journaledLostEvents;
    private long nextSecondNs;
    private long nextSpaceCheckNs;
    private long nextRetentionNs;
    private final long firstRollupNs = System.nanoTime() + FIRST_ROLLUP_DELAY_NS;
    private final RollupWriting rollups;

    JournalAgent(final RecorderContext context)
    {
        this.program = context.program();
        this.writer = context.writer();
        this.journal = context.journal();
        this.live = context.live();
        this.errors = context.errors();
        this.config = context.config();
        this.loss = context.loss();
        this.rollups = new RollupWriting(writer.dir());
        live.metricsAppendix(rollups::metrics);
    }

    public String roleName()
    {
        return "journal";
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        int work = 0;
        if (nowNs - nextSpaceCheckNs >= 0)
        {
            nextSpaceCheckNs = nowNs + SPACE_CHECK_PERIOD_NS;
            work += checkSpace();
        }
        if (nowNs - nextSecondNs >= 0)
        {
            nextSecondNs = nowNs + SECOND_NS;
            work += journalCountersIfMoved();
        }
        if (nowNs - nextRetentionNs >= 0)
        {
            nextRetentionNs = nowNs + RETENTION_PERIOD_NS;
            work += writer.applyRetention(config.retention(), System.currentTimeMillis(), errors::say);
            if (nowNs - firstRollupNs >= 0)
            {
                work += rollups.poke(); // the sealed hours' rollups, off this thread
            }
            final String failure = rollups.failure();
            if (failure != null)
            {
                errors.say(failure);
            }
        }
        return work;
    }

    /**
     * Ends the run's journal. On a full disk the space set aside at open is freed first, so that the last loss
     * report and the stopped event are written if at all possible; loss that still could not be journaled is
     * recorded beside the journal ({@code unjournaled-loss}, which every reader adds) and the stop fails, naming it.
     */
    public void onClose()
    {
        rollups.close();
        writer.releaseReserve();
        journalCountersIfMoved();
        journal.recorderStopped("stopped");
        final long lost = writer.lostEvents();
        if (lost == 0)
        {
            return;
        }
        final long unjournaled = journaledLostEvents < 0 ? lost : lost - journaledLostEvents;
        if (unjournaled == 0)
        {
            errors.say("stopped; " + lost + " events could not be written while the disk was short of space " +
                "(journaled as loss)");
            return;
        }
        writer.recordUnjournaledLoss(unjournaled, JournalEvents.nowNs());
        throw new JournalException("stopped with " + lost + " events lost on a full disk, " + unjournaled +
            " of them not journaled: recorded in " + writer.dir().resolve(UnjournaledLoss.FILE) + ", which readers count");
    }

    private int journalCountersIfMoved()
    {
        if (writer.suspended())
        {
            return 0; // a loss report is cumulative: the first one written when space returns says it all
        }
        program.readCounters(counters);
        loss.apply(counters, report); // what a dropped or foreign pinned state counted moves it too
        final int dns = journal.dnsCountersIfMoved(report[KernelCounters.DNS_LOST]);
        if (program.config().dns())
        {
            live.dnsUnsolicited(report[KernelCounters.DNS_UNSOLICITED]);
        }
        if (program.config().owners())
        {
            live.ownerCounts(report[KernelCounters.OWNER_FOUND], report[KernelCounters.OWNER_NONE]);
        }
        final long lostEvents = writer.lostEvents();
        if (Arrays.equals(report, journaledCounters) && lostEvents == journaledLostEvents)
        {
            return dns;
        }
        journal.lossReport(report, lostEvents);
        System.arraycopy(report, 0, journaledCounters, 0, report.length);
        journaledLostEvents = writer.suspended() ? -1 : writer.lostEvents(); // unwritten: report again once written
        return 1;
    }

    /** Suspends the journal while its disk is short of space; on resuming, journals what was lost meanwhile. */
    private int checkSpace()
    {
        final boolean wasSuspended = writer.suspended();
        if (!writer.checkSpace(config.minFreeBytes()) && wasSuspended == writer.suspended())
        {
            return 0;
        }
        live.journalProblem(writer.suspendedReason());
        if (writer.suspended())
        {
            errors.say("journal suspended, flows left in the kernel meanwhile (what it cannot hold is counted as lost): " +
                writer.suspendedReason());
            return 1;
        }
        errors.say("journal resumed; " + writer.lostEvents() + " events could not be written");
        journalCountersIfMoved();
        return 1;
    }
}
