package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.Reasons;
import dev.flowrec.bpf.RingBufferReader;
import dev.flowrec.bpf.SweepResult;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.Retention;
import dev.flowrec.recorder.discovery.InterfaceWatcher;
import dev.flowrec.recorder.live.LiveView;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;

/**
 * The recorder's duty cycle: drain the ring buffer into the journal, follow interfaces and containers as
 * they come and go, sweep quiet flows out of the kernel map, journal the kernel's loss counters when they
 * move, publish the live view, apply retention. One thread, because the journal appender is
 * single-threaded; nothing here allocates per event.
 */
final class RecorderAgent implements Agent, FlowEventHandler
{
    /** Records drained per duty cycle at most, so that the other duties keep their pace under load. */
    static final int DRAIN_LIMIT = 8192;
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long RETENTION_PERIOD_NS = TimeUnit.MINUTES.toNanos(1);
    /** At 3 M events/s of ~92 bytes, 100 ms is ~28 MB: well inside the default 64 MB kept free. */
    private static final long SPACE_CHECK_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final FlowProgram program;
    private final RingBufferReader ring;
    private final JournalEvents journal;
    private final JournalWriter writer;
    private final Retention.Policy retention;
    private final InterfaceWatcher watcher;
    private final Attachments attachments;
    private final LiveView live;
    private final long idleNs;
    private final long sweepPeriodNs;
    private final long minFreeBytes;
    private long nextSpaceCheckNs;
    private long journaledLostEvents;
    private final long[] counters = new long[KernelCounters.COUNT];
    private final long[] journaledCounters = new long[KernelCounters.COUNT];
    private long nextSweepNs;
    private long nextSecondNs;
    private long nextRetentionNs;

    RecorderAgent(final FlowProgram program, final JournalEvents journal, final JournalWriter writer,
        final Retention.Policy retention, final InterfaceWatcher watcher, final Attachments attachments,
        final LiveView live, final long flushIntervalNs, final long minFreeBytes)
    {
        this.minFreeBytes = minFreeBytes;
        this.program = program;
        this.ring = program.ringBuffer();
        this.journal = journal;
        this.writer = writer;
        this.retention = retention;
        this.watcher = watcher;
        this.attachments = attachments;
        this.live = live;
        // A quiet flow's residue waits at most about one flush interval (DESIGN: the durability bound).
        this.idleNs = Math.max(flushIntervalNs, TimeUnit.MILLISECONDS.toNanos(100));
        this.sweepPeriodNs = idleNs / 2;
    }

    public String roleName()
    {
        return "recorder";
    }

    public int doWork()
    {
        return drainPass() + duties();
    }

    /**
     * Everything of the duty cycle but the drain. Apart so that the latency benchmark can run the real cycle
     * with a clock read around each event (scripts/bench/latency).
     */
    int duties()
    {
        int work = watcher.doWork();
        final long nowNs = System.nanoTime();
        work += attachments.retryProvisional(nowNs);
        work += attachments.scanHostNetwork(nowNs);
        if (nowNs - nextSweepNs >= 0)
        {
            final SweepResult swept = program.sweep(idleNs, Reasons.IDLE);
            // An incomplete sweep stopped for ring space: sweep again as soon as the ring is drained.
            nextSweepNs = swept.incomplete() ? nowNs : nowNs + sweepPeriodNs;
            work += swept.removed();
        }
        if (nowNs - nextSpaceCheckNs >= 0)
        {
            nextSpaceCheckNs = nowNs + SPACE_CHECK_PERIOD_NS;
            work += checkSpace();
        }
        if (nowNs - nextSecondNs >= 0)
        {
            nextSecondNs = nowNs + SECOND_NS;
            work += journalCountersIfMoved();
            live.publish();
        }
        if (nowNs - nextRetentionNs >= 0)
        {
            nextRetentionNs = nowNs + RETENTION_PERIOD_NS;
            work += writer.applyRetention(retention, System.currentTimeMillis());
        }
        return work;
    }

    public void onFlowEvent(final FlowEventDecoder event)
    {
        attachments.beforeDelta(event.ifindex());
        journal.flowDelta(event);
    }

    /** Flushes every flow still in the kernel map into the journal; called once filters are detached. */
    void flushAll()
    {
        SweepResult swept;
        do
        {
            swept = program.sweep(0, Reasons.FINAL);
            drain();
        }
        while (swept.incomplete());
        journalCountersIfMoved();
        live.publish();
    }

    private void drain()
    {
        while (drainPass() > 0)
        {
            // keep draining until the ring is empty
        }
    }

    /** One pass over the ring into the journal's open batch, which commits when it has lingered long enough. */
    private int drainPass()
    {
        try
        {
            return ring.read(this, DRAIN_LIMIT);
        }
        finally
        {
            journal.endOfPass(System.nanoTime());
        }
    }

    private int journalCountersIfMoved()
    {
        program.readCounters(counters);
        final long lostEvents = writer.lostEvents();
        if (Arrays.equals(counters, journaledCounters) && lostEvents == journaledLostEvents)
        {
            return 0;
        }
        journal.lossReport(counters, lostEvents);
        System.arraycopy(counters, 0, journaledCounters, 0, counters.length);
        journaledLostEvents = writer.suspended() ? -1 : writer.lostEvents(); // unwritten: report again once written
        return 1;
    }

    /** Suspends the journal while its disk is short of space; on resuming, journals what was lost meanwhile. */
    private int checkSpace()
    {
        final boolean wasSuspended = writer.suspended();
        if (!writer.checkSpace(minFreeBytes) && wasSuspended == writer.suspended())
        {
            return 0;
        }
        live.journalProblem(writer.suspendedReason());
        if (writer.suspended())
        {
            System.err.println("flowrec record: journal suspended, counting events as lost: " + writer.suspendedReason());
            return 1;
        }
        System.err.println("flowrec record: journal resumed; " + writer.lostEvents() + " events could not be written");
        journalCountersIfMoved();
        return 1;
    }
}
