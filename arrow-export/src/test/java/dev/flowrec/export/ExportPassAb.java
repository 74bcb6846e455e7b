package dev.flowrec.export;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.util.Locale;

/**
 * A whole export A/B in one run: each journal read twice, a survey before the rows (what every export of deltas did
 * before issue 20's second round), against what the request's format needs (one pass for a single Parquet file),
 * rounds interleaved, the best CPU time (and wall time) of each after a warm-up round, batches written on the replay's
 * thread (its CPU time is then the export's). And a whole export written on one thread against two
 * ({@link #reportThreads}).
 */
public final class ExportPassAb
{
    private ExportPassAb()
    {
    }

    /** Prints rows per CPU second and per wall second of both, and the ratio after/before of each. */
    public static void report(final String name, final ExportRequest request, final int rounds, final PrintStream out)
        throws IOException
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long[] cpu = {Long.MAX_VALUE, Long.MAX_VALUE};
        final long[] wall = {Long.MAX_VALUE, Long.MAX_VALUE};
        long rows = 0;
        for (int i = 0; i <= rounds; i++)
        {
            for (int twoPass = 1; twoPass >= 0; twoPass--)
            {
                removeOutput(request);
                final long cpuStart = threads.getCurrentThreadCpuTime();
                final long start = System.nanoTime();
                rows = Exporter.run(request.withForce(true), twoPass == 1, false).rows();
                if (i > 0) // the first round warms up
                {
                    wall[twoPass] = Math.min(wall[twoPass], System.nanoTime() - start);
                    cpu[twoPass] = Math.min(cpu[twoPass], threads.getCurrentThreadCpuTime() - cpuStart);
                }
            }
        }
        out.printf(Locale.ROOT, "%-40s %14.0f %14.0f %7.2fx  (CPU; wall %.0f -> %.0f rows/s, %.2fx)%n", name,
            rows / (cpu[1] / 1e9), rows / (cpu[0] / 1e9), cpu[1] / (double)cpu[0], rows / (wall[1] / 1e9),
            rows / (wall[0] / 1e9), wall[1] / (double)wall[0]);
    }

    /**
     * One thread against two (full batches sealed and written on a second thread), rounds interleaved, best of each after
     * a warm-up round: wall time, the process's CPU time (JIT and GC included) and the replay thread's. On a machine with
     * two idle cores the wall time of two threads tends to the larger of the replay thread's CPU time and the rest.
     */
    public static void reportThreads(final String name, final ExportRequest request, final int rounds,
        final PrintStream out) throws IOException
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        final long[] wall = {Long.MAX_VALUE, Long.MAX_VALUE};
        final long[] cpu = {Long.MAX_VALUE, Long.MAX_VALUE};
        final long[] replayCpu = {Long.MAX_VALUE, Long.MAX_VALUE};
        long rows = 0;
        for (int i = 0; i <= rounds; i++)
        {
            for (int two = 0; two <= 1; two++)
            {
                removeOutput(request);
                final long processStart = os.getProcessCpuTime();
                final long threadStart = threads.getCurrentThreadCpuTime();
                final long start = System.nanoTime();
                rows = Exporter.run(request.withForce(true), false, two == 1).rows();
                if (i > 0) // the first round warms up
                {
                    wall[two] = Math.min(wall[two], System.nanoTime() - start);
                    cpu[two] = Math.min(cpu[two], os.getProcessCpuTime() - processStart);
                    replayCpu[two] = Math.min(replayCpu[two], threads.getCurrentThreadCpuTime() - threadStart);
                }
            }
        }
        for (int two = 0; two <= 1; two++)
        {
            out.printf(Locale.ROOT, "%-40s %14.0f %14.0f %14.0f %12.0f%n", name + (two == 1 ? ", two threads" : ", one thread"),
                rows / (wall[two] / 1e9), rows / (cpu[two] / 1e9), rows / (replayCpu[two] / 1e9),
                rows / (Math.max(replayCpu[two], cpu[two] - replayCpu[two]) / 1e9));
        }
        out.printf(Locale.ROOT, "%-40s %14.2fx %13.2fx %13.2fx %11.2fx  (load average %.2f)%n", name + ", two/one",
            wall[0] / (double)wall[1], cpu[0] / (double)cpu[1], replayCpu[0] / (double)replayCpu[1],
            Math.max(replayCpu[0], cpu[0] - replayCpu[0]) / (double)Math.max(replayCpu[1], cpu[1] - replayCpu[1]),
            os.getSystemLoadAverage());
    }

    /**
     * Deletes the previous round's output file, outside the timed export: replacing it (--force) would time the
     * kernel's freeing of the old file's pages and blocks in the rename (~80 ms for a 232 MB Arrow file here).
     */
    public static void removeOutput(final ExportRequest request) throws IOException
    {
        if (request.out() != null)
        {
            Files.deleteIfExists(request.out());
        }
    }
}
