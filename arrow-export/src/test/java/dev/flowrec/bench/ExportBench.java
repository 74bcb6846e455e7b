package dev.flowrec.bench;

import dev.flowrec.export.Compression;
import dev.flowrec.export.ExportFormat;
import dev.flowrec.export.ExportPassAb;
import dev.flowrec.export.ExportRequest;
import dev.flowrec.export.Exporter;
import dev.flowrec.export.ParquetWriterAb;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.query.Query;
import dev.flowrec.query.Replay;
import dev.flowrec.query.Window;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Export throughput, deltas per second on one core, beside the raw read of the same journal (the ceiling),
 * measured in the same run: the replay alone (decode and name each delta), then exports to an Arrow IPC file,
 * an Arrow IPC stream (discarded), and Parquet (zstd, snappy, uncompressed). The journal is the benchmarks'
 * synthetic one (DELTAS deltas over 20k flows on 4 interfaces, {@link BenchJournal}), written fresh each run
 * (a cached one would hide a change of the journal's encoding) unless a directory is given. Then issue 20's
 * targets, met or MISSED; a whole Parquet and Arrow IPC file export A/B, with and without the survey pass each export of deltas made
 * before ({@link ExportPassAb}); one thread against two (batches written on a second); and the Parquet writer alone, A/B: the row-at-a-time writer of before against the
 * columnar one ({@link ParquetWriterAb}).
 * Usage: scripts/bench/export [deltas [journal-dir]]
 */
public final class ExportBench
{
    private static final int ROUNDS = 3;
    private static final double PARQUET_TARGET = 2e6;
    private static final double ARROW_TARGET = 5e6;

    private ExportBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int deltas = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        final Path dir = Path.of(args.length > 1 ? args[1] : "target/bench-export-journal");
        if (args.length < 2)
        {
            BenchJournal.deleteTree(dir);
            BenchJournal.write(dir, deltas);
        }
        final Path out = Path.of("target/bench-export-out");
        BenchJournal.deleteTree(out); // the previous run's files, not a new temporary directory per run
        Files.createDirectories(out);
        final double rawNs = best(() -> rawScan(dir));
        System.out.printf(Locale.ROOT, "journal: %s, %d deltas%n", dir, deltas);
        System.out.printf(Locale.ROOT, "%-40s %14s %10s %12s%n", "pass", "deltas/s/core", "vs raw", "output");
        line("raw read, no decoding (baseline)", deltas, rawNs, rawNs, "");
        line("replay: decode + name each delta", deltas, best(() -> replay(dir)), rawNs, "");
        final Query all = Query.listing(Window.ALL);
        final double arrow = export("export Arrow IPC file", deltas, rawNs,
            ExportRequest.toFile(List.of(dir), all, out.resolve("f.arrow"), ExportFormat.arrow));
        export("export Arrow IPC stream (discarded)", deltas, rawNs, ExportRequest.toStream(List.of(dir), all, OutputStream.nullOutputStream()));
        double parquet = 0;
        for (final Compression c : Compression.values())
        {
            final double rate = export("export Parquet " + c, deltas, rawNs, ExportRequest.toFile(List.of(dir), all,
                out.resolve("f-" + c + ".parquet"), ExportFormat.parquet).withCompression(c));
            parquet = c == Compression.zstd ? rate : parquet;
        }
        target("Parquet (zstd) export", parquet, PARQUET_TARGET);
        target("Arrow IPC file export", arrow, ARROW_TARGET);
        System.out.println();
        System.out.printf(Locale.ROOT, "Whole export, a survey pass first (before) or not (after), best of %d interleaved:%n", ROUNDS);
        System.out.printf(Locale.ROOT, "%-40s %14s %14s %8s%n", "export", "rows/s before", "rows/s after", "ratio");
        ExportPassAb.report("export Parquet zstd", ExportRequest.toFile(List.of(dir), all, out.resolve("ab.parquet"),
            ExportFormat.parquet), ROUNDS, System.out);
        ExportPassAb.report("export Arrow IPC file", ExportRequest.toFile(List.of(dir), all, out.resolve("ab.arrow"),
            ExportFormat.arrow), ROUNDS, System.out);
        System.out.println();
        System.out.printf(Locale.ROOT, "Whole export, batches written on the replay's thread (one) or a second (two), best of %d "
            + "interleaved, rows/s by:%n", ROUNDS);
        System.out.printf(Locale.ROOT, "%-40s %14s %14s %14s %12s%n", "export", "wall", "process CPU", "replay thr CPU",
            "2-core bound");
        ExportPassAb.reportThreads("export Parquet zstd", ExportRequest.toFile(List.of(dir), all, out.resolve("ab.parquet"),
            ExportFormat.parquet), ROUNDS, System.out);
        ExportPassAb.reportThreads("export Arrow IPC file", ExportRequest.toFile(List.of(dir), all, out.resolve("ab.arrow"),
            ExportFormat.arrow), ROUNDS, System.out);
        System.out.println();
        ParquetWriterAb.report(dir, out, ROUNDS, System.out);
    }

    /**
     * Issue 20's targets, rows per second of a whole export, wall time: the replay filling batches on one thread, the
     * writer (Parquet's pages and compression, Arrow's IPC) on a second; each in one pass over the journal.
     */
    private static void target(final String name, final double rate, final double target)
    {
        System.out.printf(Locale.ROOT, "target: %-30s >= %.1f M rows/s: %.2f M rows/s (%.2fx of target) %s%n", name,
            target / 1e6, rate / 1e6, rate / target, rate >= target ? "met" : "MISSED");
    }

    /**
     * Each round writes a new file: the previous round's is deleted before the timer starts ({@link
     * ExportPassAb#removeOutput}).
     * @return rows per second
     */
    private static double export(final String name, final int deltas, final double rawNs, final ExportRequest given)
    {
        final ExportRequest request = given.withForce(true);
        final double ns = best(() ->
        {
            final long start;
            try
            {
                ExportPassAb.removeOutput(request);
                start = System.nanoTime();
                Exporter.run(request);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
            return System.nanoTime() - start;
        });
        String size = "";
        try
        {
            if (request.out() != null)
            {
                size = String.format(Locale.ROOT, "%.1f B/row", Files.size(request.out()) / (double)deltas);
            }
        }
        catch (final Exception ignored)
        {
            // no size to show
        }
        line(name, deltas, ns, rawNs, size);
        return deltas / (ns / 1e9);
    }

    private static void line(final String name, final long rows, final double ns, final double rawNs, final String extra)
    {
        System.out.printf(Locale.ROOT, "%-40s %14.0f %9.2fx %12s%n", name, rows / (ns / 1e9), rawNs / ns, extra);
    }

    private interface Timed
    {
        long ns();
    }

    /** The best of ROUNDS after one warm-up, in ns. */
    private static double best(final Timed run)
    {
        run.ns();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++)
        {
            best = Math.min(best, run.ns());
        }
        return best;
    }

    private static long rawScan(final Path dir)
    {
        final long start = System.nanoTime();
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll((t, b, o, l) -> { }, 4096) > 0)
            {
                // nothing decoded
            }
        }
        return System.nanoTime() - start;
    }

    private static long replay(final Path dir)
    {
        final long start = System.nanoTime();
        final long[] sum = {0};
        Replay.run(dir, Window.ALL, (d, iface, container) -> sum[0] += d.bytes() + iface.length(), () -> false);
        return System.nanoTime() - start;
    }
}
