package dev.flowrec.bench;

import com.sun.management.ThreadMXBean;
import dev.flowrec.bench.Drains.Drain;
import dev.flowrec.bench.Drains.Kind;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.recorder.KernelLoad;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The drain's "consumer alone" row, repeated, with the consumer thread's user and system CPU time and page faults
 * per event (from /proc/thread-self/stat): to profile the per-event cost with JFR (run it under
 * -XX:StartFlightRecording) and to compare two builds A/B. One program and one drain for all rounds, as
 * {@link DrainBench#burst}; the first round is a warm-up.
 * Usage: java ... dev.flowrec.bench.DrainAloneBench [ROUNDS, default 5] [KIND, default JOURNAL]
 */
public final class DrainAloneBench
{
    private static final long NS_PER_TICK = 10_000_000L; // USER_HZ 100
    private static final ThreadMXBean THREADS = (ThreadMXBean)ManagementFactory.getThreadMXBean();

    private DrainAloneBench()
    {
    }

    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        final Kind kind = args.length > 1 ? Kind.valueOf(args[1]) : Kind.JOURNAL;
        final FlowProgram.Config config = FlowProgram.Config.defaults().withFlushIntervalNs(0).withRingBytes(64 << 20);
        final byte[][] frames = KernelLoad.udpFrames(64);
        try (FlowProgram program = FlowProgram.load(config); Drain drain = kind.open(program))
        {
            final double[] cpuNs = new double[rounds];
            for (int round = 0; round <= rounds; round++)
            {
                final long filled = DrainBench.fill(program, frames);
                final long target = drain.events() + filled;
                final long[] before = threadStat();
                final long cpuBefore = THREADS.getCurrentThreadCpuTime();
                final long start = System.nanoTime();
                while (drain.events() < target)
                {
                    drain.doWork();
                }
                final long elapsed = System.nanoTime() - start;
                final double cpu = (THREADS.getCurrentThreadCpuTime() - cpuBefore) / (double)filled;
                final long[] after = threadStat();
                if (round > 0)
                {
                    cpuNs[round - 1] = cpu;
                }
                final double userNs = (after[1] - before[1]) * NS_PER_TICK / (double)filled;
                final double sysNs = (after[2] - before[2]) * NS_PER_TICK / (double)filled;
                System.out.printf(Locale.ROOT, "%s round %d%s: %s events/s, %.1f CPU ns per event (%.0f user + %.0f system,"
                    + " in ticks), %.4f page faults per event%n", kind, round, round == 0 ? " (warm-up)" : "",
                    DrainBench.mega(filled / (elapsed / 1e9)), cpu, userNs, sysNs, (after[0] - before[0]) / (double)filled);
            }
            Arrays.sort(cpuNs);
            System.out.printf(Locale.ROOT, "%s: CPU ns per event over %d rounds: best %.1f, median %.1f (%s events per CPU-s)%n",
                kind, rounds, cpuNs[0], cpuNs[rounds / 2], DrainBench.mega(1e9 / cpuNs[rounds / 2]));
        }
    }

    /** {minor faults, user ticks, system ticks} of the calling thread. */
    private static long[] threadStat()
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the comm: state(3) ppid ... minflt is field 10, utime 14, stime 15 (1-based in proc(5))
            return new long[] {Long.parseLong(f[7]), Long.parseLong(f[11]), Long.parseLong(f[12])};
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("reading /proc/thread-self/stat", ex);
        }
    }
}
