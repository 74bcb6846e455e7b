package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.Reasons;
import dev.flowrec.bpf.RingBufferReader;
import dev.flowrec.bpf.SweepResult;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;

/**
 * The recorder's duty cycle: drain the ring buffer into the journal, sweep quiet flows out of the kernel
 * map, journal the kernel's loss counters when they move. One thread, because the journal appender is
 * single-threaded; nothing here allocates per event.
 */
final class RecorderAgent implements Agent, FlowEventHandler
{
    private static final int DRAIN_LIMIT = 8192;
    private static final long COUNTERS_PERIOD_NS = TimeUnit.SECONDS.toNanos(1);

    private final FlowProgram program;
    private final RingBufferReader ring;
    private final JournalEvents journal;
    private final long idleNs;
    private final long sweepPeriodNs;
    private final long[] counters = new long[KernelCounters.COUNT];
    private final long[] journaledCounters = new long[KernelCounters.COUNT];
    private long nextSweepNs;
    private long nextCountersNs;

    RecorderAgent(final FlowProgram program, final JournalEvents journal, final long flushIntervalNs)
    {
        this.program = program;
        this.ring = program.ringBuffer();
        this.journal = journal;
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
        int work = ring.read(this, DRAIN_LIMIT);
        final long nowNs = System.nanoTime();
        if (nowNs - nextSweepNs >= 0)
        {
            final SweepResult swept = program.sweep(idleNs, Reasons.IDLE);
            // An incomplete sweep stopped for ring space: sweep again as soon as the ring is drained.
            nextSweepNs = swept.incomplete() ? nowNs : nowNs + sweepPeriodNs;
            work += swept.removed();
        }
        if (nowNs - nextCountersNs >= 0)
        {
            nextCountersNs = nowNs + COUNTERS_PERIOD_NS;
            work += journalCountersIfMoved();
        }
        return work;
    }

    public void onFlowEvent(final FlowEventDecoder event)
    {
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
    }

    private void drain()
    {
        while (ring.read(this, DRAIN_LIMIT) > 0)
        {
            // keep draining until the ring is empty
        }
    }

    private int journalCountersIfMoved()
    {
        program.readCounters(counters);
        if (Arrays.equals(counters, journaledCounters))
        {
            return 0;
        }
        journal.lossReport(counters);
        System.arraycopy(counters, 0, journaledCounters, 0, counters.length);
        return 1;
    }
}
