package dev.flowrec.export;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * A whole export A/B in one run: each journal read twice, a survey before the rows (what every export of deltas did
 * before issue 20's second round), against what the request's format needs (one pass for a single Parquet file),
 * rounds interleaved, the best CPU time (and wall time) of each after a warm-up round.
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
                final long cpuStart = threads.getCurrentThreadCpuTime();
                final long start = System.nanoTime();
                rows = Exporter.run(request.withForce(true), twoPass == 1).rows();
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
}
