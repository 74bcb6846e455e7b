package dev.flowrec.recorder;

import dev.flowrec.bpf.DnsEventDecoder;
import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.OwnerEventDecoder;
import dev.flowrec.bpf.Reasons;
import dev.flowrec.bpf.RingBufferReader;
import dev.flowrec.bpf.SweepResult;
import dev.flowrec.journal.JournalWriter;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;

/**
 * Kernel to journal: drains the ring buffer into the journal's open batch and sweeps quiet flows out of the
 * kernel map into the ring. Its {@link #onClose()} is the heart of the orderly stop: once the filters are
 * detached (the discovery agent closes first), every flow still in the map is flushed and journaled. Nothing
 * here allocates per event.
 * <p>
 * Exactly once (DESIGN): the ring's space goes back to the kernel only up to the ring position of the last
 * committed batch ({@link JournalWriter#releasableRingPosition}), at the start of each pass.
 * A kill -9 loses the open batch, but its records are still in the (pinned) ring for the next run to read; a
 * kill after a commit and before the release leaves records the journal holds, which the next run skips.
 */
final class DrainAgent implements Agent, FlowEventHandler
{
    /** Records drained per duty cycle at most, so that the other duties keep their pace under load. */
    static final int DRAIN_LIMIT = 8192;
    /** Lets programs in flight on other CPUs finish after their filter is removed, before the final sweep. */
    private static final long DETACH_SETTLE_MS = 50;

    private final FlowProgram program;
    private final RingBufferReader ring;
    private final JournalEvents journal;
    private final JournalWriter writer;
    private final ProvisionalContainers provisional;
    private final long idleNs;
    private final long sweepPeriodNs;
    private long nextSweepNs;

    /** @param provisional asked before each delta whether its interface's container has become known */
    DrainAgent(final RecorderContext context, final ProvisionalContainers provisional)
    {
        this.program = context.program();
        this.ring = program.ringBuffer();
        this.journal = context.journal();
        this.writer = context.writer();
        this.provisional = provisional;
        // A quiet flow's residue waits at most about one flush interval (DESIGN: the durability bound).
        this.idleNs = Math.max(program.config().flushIntervalNs(), TimeUnit.MILLISECONDS.toNanos(100));
        this.sweepPeriodNs = idleNs / 2;
    }

    public String roleName()
    {
        return "drain";
    }

    public int doWork()
    {
        if (writer.suspended())
        {
            // The journal cannot take them: leave the deltas where the kernel keeps them (its flow map, the ring,
            // pinned), to be journaled when space returns or adopted after a kill; what does not fit there the
            // kernel counts as loss in its pinned counters. Drained now, they would be dropped, their count in
            // memory only until a loss report could be written.
            return 0;
        }
        return drainPass() + duties();
    }

    /**
     * The duty cycle without its drain: the sweep, when due. Apart so that the latency benchmark can run the real
     * cycle with a clock read around each event (scripts/bench/latency).
     */
    int duties()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextSweepNs < 0)
        {
            return 0;
        }
        final SweepResult swept = program.sweep(idleNs, Reasons.IDLE);
        // An incomplete sweep stopped for ring space: sweep again as soon as the ring is drained.
        nextSweepNs = swept.incomplete() ? nowNs : nowNs + sweepPeriodNs;
        return swept.removed();
    }

    /** Flushes every flow still in the kernel map into the journal; the filters are detached by now. */
    public void onClose()
    {
        sleep(DETACH_SETTLE_MS);
        SweepResult swept;
        do
        {
            swept = program.sweep(0, Reasons.FINAL);
            while (drainPass() > 0)
            {
                // keep draining until the ring is empty
            }
        }
        while (swept.incomplete());
        writer.commitDeltas();
        ring.release(writer.releasableRingPosition());
    }

    public void onFlowEvent(final FlowEventDecoder event)
    {
        provisional.beforeDelta(event.ifindex());
        journal.flowDelta(event, ring.position());
    }

    public void onOwnerEvent(final OwnerEventDecoder owner)
    {
        provisional.beforeDelta(owner.ifindex());
        journal.socketOwner(owner);
    }

    public void onDnsEvent(final DnsEventDecoder dns)
    {
        provisional.beforeDelta(dns.ifindex());
        journal.dnsResponse(dns);
    }

    /** One pass over the ring into the journal's open batch, which commits when it has lingered long enough. */
    private int drainPass()
    {
        ring.release(writer.releasableRingPosition());
        try
        {
            return ring.readHeld(this, DRAIN_LIMIT);
        }
        finally
        {
            journal.endOfPass(System.nanoTime());
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
