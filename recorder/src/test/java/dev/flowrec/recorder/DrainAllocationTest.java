package dev.flowrec.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.bpf.RingBufferReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's hot path allocates nothing per event: real kernel records (the TC program run by
 * BPF_PROG_TEST_RUN in packet mode) drained by the recorder's own agent into a real journal on disk, the live
 * view folding each one. Allocation is counted (the thread's allocated bytes), never timed.
 */
class DrainAllocationTest
{
    private static final int FLOWS = 64;
    private static final int PER_FLOW = 1600;
    private static final int EVENTS = FLOWS * PER_FLOW; // 102,400: fits the 16 MiB ring (~190k records) undrained
    private static final int WARM_UP_ROUNDS = 6;
    /**
     * What 100k events may allocate in all: a bound far below one byte per event (102 KB) but with room for a
     * one-off (a TLAB refill accounting step, a lazily made object of Chronicle or Agrona). An allocation per
     * event, even a 16-byte one, is 1.6 MB here: it fails by three orders of magnitude.
     */
    private static final long MAX_BYTES = 4096;

    @TempDir
    Path tmp;

    @Test
    void shouldJournalKernelRecordsWithoutAllocating()
    {
        final byte[][] frames = KernelLoad.udpFrames(FLOWS);
        // The cycle clock is pinned mid-hour: a roll to a new cycle file allocates, and is not per event.
        final SetTimeProvider cycleClock = new SetTimeProvider(Instant.parse("2026-01-01T10:30:00Z"));
        try (NetnsFixture net = new NetnsFixture();
            FlowProgram program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0));
            RecorderDrain drain = RecorderDrain.open(program, tmp.resolve("journal"), NetnsFixture.path(net.netns("drain")),
                cycleClock))
        {
            final RingBufferReader ring = program.ringBuffer();
            for (int round = 0; round < WARM_UP_ROUNDS; round++)
            {
                KernelLoad.push(program, frames, PER_FLOW);
                drain(ring, drain);
            }
            final long journaledBefore = drain.eventsJournaled();
            KernelLoad.push(program, frames, PER_FLOW);

            final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long before = threads.getCurrentThreadAllocatedBytes();
            final long drained = drain(ring, drain);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            final long[] counters = new long[KernelCounters.COUNT];
            program.readCounters(counters);
            assertEquals(0, counters[KernelCounters.RB_LOST_EVENTS], "the ring never filled");
            assertEquals(EVENTS, drained);
            assertEquals(EVENTS, drain.eventsJournaled() - journaledBefore);
            System.out.printf("drain: allocated %d bytes for %d kernel records journaled, %.4f B/event%n",
                allocated, drained, allocated / (double)drained);
            assertTrue(allocated < MAX_BYTES, "allocated " + allocated + " bytes for " + drained + " events");
        }
    }

    /** As the agent's drain passes: each read of the ring, then the end of the pass (the batch commits). */
    private static long drain(final RingBufferReader ring, final RecorderDrain drain)
    {
        long records = 0;
        int read;
        while ((read = ring.read(drain.handler(), drain.drainLimit())) > 0)
        {
            records += read;
            drain.endOfPass();
        }
        return records;
    }
}
