package dev.flowrec.bench;

import dev.flowrec.export.ExportFormat;
import dev.flowrec.export.ExportRequest;
import dev.flowrec.export.Exporter;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Issue 7, figure 5: events scanned per second on one core by flowrec's engine, beside two baselines measured in
 * the same run: the raw journal read (no decoding, the ceiling for a full scan) and DuckDB (in-process, one thread)
 * answering the same questions from the same deltas exported to Parquet by flowrec's own exporter. The journal is
 * written fresh each run (a cached one would hide a change of the journal's encoding): HOURS hours of journal time
 * at RATE deltas per second over 20k flows on 4 interfaces, rolled hourly. Answers are checked equal before timing.
 * Usage: scripts/bench/query [HOURS [RATE]]     (default 4 h at 500 deltas/s: 7.2 M deltas)
 */
public final class QueryBench
{
    private static final int ROUNDS = 3;
    /** DuckDB's own default row group size: min/max statistics every ~2 minutes of this journal. */
    private static final int DUCKDB_ROW_GROUP_ROWS = 122_880;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private QueryBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final double hours = args.length > 0 ? Double.parseDouble(args[0]) : 4;
        final int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        final long deltas = (long)(hours * 3600 * rate);
        final Path work = Path.of("target/bench-query");
        BenchJournal.deleteTree(work);
        final Path journal = work.resolve("journal");
        final Path exported = work.resolve("flowrec-export.parquet");
        final Path rewritten = work.resolve("duckdb-rowgroups.parquet");

        BenchJournal.write(journal, deltas, SECOND_NS / rate);
        final long exportNs = -System.nanoTime();
        Exporter.run(ExportRequest.toFile(List.of(journal), Query.listing(Window.ALL), exported, ExportFormat.parquet));
        try (DuckDb one = DuckDb.open(1); DuckDb all = DuckDb.open(0))
        {
            one.rewrite(exported, rewritten, DUCKDB_ROW_GROUP_ROWS);
            System.out.printf(Locale.ROOT, "journal: %d deltas, %.1f h of journal time at %d/s, 20k flows, hourly cycles%n",
                deltas, hours, rate);
            describe(one, "flowrec export (zstd)", exported, exportNs + System.nanoTime());
            describe(one, "DuckDB rewrite (zstd), timed against", rewritten, 0);

            // A minute past the middle of the journal, away from the hour boundaries where cycles roll.
            final long mid = BenchJournal.T0_NS + (long)(hours * 3600 * 0.57) * SECOND_NS;
            final List<Question> questions = Question.all(new Window(mid, mid + 60 * SECOND_NS));
            for (final Question q : questions)
            {
                check(one, q, journal, rewritten);
            }
            check(one, questions.getLast(), journal, exported);
            table(journal, deltas, questions, one, all, rewritten, exported);
        }
    }

    private static void table(final Path journal, final long deltas, final List<Question> questions, final DuckDb one,
        final DuckDb all, final Path parquet, final Path exported) throws Exception
    {
        final Best raw = best(() -> rawScan(journal));
        final double rawNs = raw.ns();
        System.out.println("DuckDB: in-process JDBC, threads=1 for the per-core figure; the last column is its default"
            + " (one thread per core, 2 here, shared with other work): extra information, not the baseline.");
        System.out.println("Times are wall clock, best of " + ROUNDS + "; fr/DuckDB cpu compares this thread's CPU time,"
            + " steadier when the machine is shared.");
        System.out.printf(Locale.ROOT, "%-46s %9s %9s %12s %7s %12s %9s %8s %15s %10s%n", "query", "flowrec",
            "DuckDB-1t", "flowrec ev/s", "vs raw", "DuckDB ev/s", "fr÷DuckDB", "(cpu)", "target", "DuckDB-2t");
        System.out.printf(Locale.ROOT, "%-46s %7.1fms %9s %12.0f %6.2fx   (raw read cpu %.1f ms)%n",
            "raw journal read, no decoding (ceiling)", rawNs / 1e6, "", deltas / (rawNs / 1e9), 1.0, raw.cpuNs() / 1e6);
        for (final Question q : questions)
        {
            final long scanned = QueryEngine.run(journal, q.query(), () -> false).scan().eventsRead();
            final Best fr = best(() -> engine(journal, q.query()));
            final Best d1 = best(() -> duck(one, q, parquet));
            final Best d2 = best(() -> duck(all, q, parquet));
            // Per core: a full scan reads every delta; the windowed query reads what its seek lands on.
            final long events = q.windowed() ? scanned : deltas;
            final boolean met = q.windowed() ? fr.ns() < d1.ns() : fr.ns() <= 2 * d1.ns();
            System.out.printf(Locale.ROOT, "%-46s %7.1fms %7.1fms %12.0f %6.2fx %12s %8.2fx %7.2fx %15s %8.1fms%n",
                q.name(), fr.ns() / 1e6, d1.ns() / 1e6, events / (fr.ns() / 1e9), rawNs / deltas * events / fr.ns(),
                q.windowed() ? "-" : String.format(Locale.ROOT, "%.0f", deltas / (d1.ns() / 1e9)), d1.ns() / fr.ns(),
                d1.cpuNs() / fr.cpuNs(), (q.windowed() ? ">1x " : ">=0.5x ") + (met ? "met" : "MISSED"), d2.ns() / 1e6);
            if (q.windowed())
            {
                System.out.printf(Locale.ROOT, "  flowrec scanned %d of %d events; DuckDB-1t on the exporter's own file "
                    + "(one row group per ~128 MiB): %.1f ms%n", scanned, deltas, best(() -> duck(one, q, exported)).ns() / 1e6);
            }
        }
    }

    /** Fails the run when the two engines answer differently: a benchmark comparing different answers is wrong. */
    private static void check(final DuckDb db, final Question q, final Path journal, final Path parquet) throws Exception
    {
        final Digest theirs = db.digest(q, parquet);
        final Answer answer = QueryEngine.run(journal, q.query(), () -> false);
        final Digest ours = Digest.of(answer, db.columns(q, parquet));
        if (!ours.equals(theirs))
        {
            throw new IllegalStateException("answers differ for " + q.name() + " on " + parquet.getFileName()
                + "\n  flowrec: " + ours + "\n  DuckDB:  " + theirs);
        }
        System.out.printf(Locale.ROOT, "agree (%s): %-44s %d rows, %d flows, %d packets, %d bytes%n",
            parquet.getFileName(), q.name(), ours.rows(), ours.flows(), ours.packets(), ours.bytes());
    }

    private static void describe(final DuckDb db, final String what, final Path file, final long ns) throws Exception
    {
        final long[] shape = db.shape(file);
        System.out.printf(Locale.ROOT, "%s: %s, %.1f MB, %d rows, %d row groups%s%n", what, file, Files.size(file) / 1e6,
            shape[0], shape[1], ns > 0 ? String.format(Locale.ROOT, ", written in %.1f s", ns / 1e9) : "");
    }

    private interface Timed
    {
        long ns() throws Exception;
    }

    /**
     * The best of ROUNDS after one warm-up: wall time, and this thread's CPU time, which is what a query costs when
     * other work shares the cores (DuckDB with one thread runs its pipeline on the calling thread).
     */
    private record Best(double ns, double cpuNs)
    {
    }

    private static Best best(final Timed run) throws Exception
    {
        run.ns();
        long wall = Long.MAX_VALUE;
        long cpu = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++)
        {
            final long cpuStart = THREADS.getCurrentThreadCpuTime();
            wall = Math.min(wall, run.ns());
            cpu = Math.min(cpu, THREADS.getCurrentThreadCpuTime() - cpuStart);
        }
        return new Best(wall, cpu);
    }

    private static long engine(final Path journal, final Query query)
    {
        final long start = System.nanoTime();
        QueryEngine.run(journal, query, () -> false);
        return System.nanoTime() - start;
    }

    private static long duck(final DuckDb db, final Question q, final Path parquet) throws Exception
    {
        final long start = System.nanoTime();
        db.digest(q, parquet);
        return System.nanoTime() - start;
    }

    private static long rawScan(final Path journal)
    {
        final long start = System.nanoTime();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((t, b, o, l) -> { }, 4096) > 0)
            {
                // nothing decoded: the ceiling
            }
        }
        return System.nanoTime() - start;
    }
}
