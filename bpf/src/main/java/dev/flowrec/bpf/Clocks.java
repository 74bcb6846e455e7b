package dev.flowrec.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.flowrec.syscall.Libc;

/**
 * The kernel's clocks, read with clock_gettime. The BPF program stamps events with boot time
 * ({@code bpf_ktime_get_boot_ns}), which keeps counting through suspend and never steps; wall-clock time
 * is boot time plus {@link #bootToRealtimeOffsetNs()}, taken once at start and journaled.
 */
public final class Clocks
{
    private static final int OFFSET_SAMPLES = 16;

    /** One struct timespec per thread, so that reading a clock allocates nothing. */
    private static final ThreadLocal<MemorySegment> TIMESPEC =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    private Clocks()
    {
    }

    public static long realtimeNs()
    {
        return Libc.clockGettimeNs(Libc.CLOCK_REALTIME, TIMESPEC.get());
    }

    public static long boottimeNs()
    {
        return Libc.clockGettimeNs(Libc.CLOCK_BOOTTIME, TIMESPEC.get());
    }

    /**
     * realtime - boottime. Each sample brackets one realtime read between two boottime reads; the sample with
     * the tightest bracket was least disturbed (preemption, a page fault) and gives the offset.
     */
    public static long bootToRealtimeOffsetNs()
    {
        long bestWidth = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < OFFSET_SAMPLES; i++)
        {
            final long before = boottimeNs();
            final long realtime = realtimeNs();
            final long after = boottimeNs();
            if (after - before < bestWidth)
            {
                bestWidth = after - before;
                offset = realtime - (before + (after - before) / 2);
            }
        }
        return offset;
    }
}
