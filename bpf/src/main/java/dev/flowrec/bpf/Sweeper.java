package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs flowrec_sweep, which flushes quiet flows, through BPF_PROG_TEST_RUN: its "packet" is
 * {@code struct fr_sweep_args {u64 idle_ns; u64 reason;}}, its return value the number of flows swept, with
 * {@link #INCOMPLETE} set when it stopped before the end of the map. Reuses one frame; not thread-safe.
 */
final class Sweeper
{
    private static final int INCOMPLETE = 1 << 30;
    /** struct fr_sweep_args is 16 bytes; the frame is padded so it is a plausible packet for the kernel. */
    private static final int FRAME = 64;

    private final int programFd;
    private final MemorySegment frame;
    private final TestRunOpts run;

    /** @param arena where the frame and the run options live; it must outlive this sweeper */
    Sweeper(final int programFd, final Arena arena)
    {
        this.programFd = programFd;
        frame = arena.allocate(FRAME, 8);
        run = new TestRunOpts(arena);
    }

    SweepResult sweep(final long idleNs, final int reason)
    {
        frame.set(JAVA_LONG, 0, idleNs);
        frame.set(JAVA_LONG, 8, reason);
        final int retval = run.run(programFd, frame, 1, FlowProgram.SWEEP_PROGRAM);
        if (retval < 0)
        {
            throw new BpfException(FlowProgram.SWEEP_PROGRAM + " could not read its arguments (retval " + retval + ")");
        }
        return new SweepResult(retval & ~INCOMPLETE, (retval & INCOMPLETE) != 0);
    }
}
