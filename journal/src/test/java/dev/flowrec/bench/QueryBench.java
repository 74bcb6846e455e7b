package dev.flowrec.bench;

import dev.flowrec.journal.JournalReader;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Query throughput, events scanned per second on one core, each figure beside the raw read of the same
 * journal (the ceiling) measured in the same run. A synthetic journal: DELTAS deltas over 20k flows on 4
 * interfaces, one delta per millisecond of journal time (so ~70 minutes, several hourly cycles).
 * Usage: scripts/bench/query [deltas]
 */
public final class QueryBench
{
    private static final long T0_NS = BenchJournal.T0_NS;
    private static final int ROUNDS = 5;

    private QueryBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int deltas = args.length > 0 ? Integer.parseInt(args[0]) : 4_000_000;
        final Path dir = Path.of(args.length > 1 ? args[1] : "target/bench-journal-" + deltas);
        if (!Files.isDirectory(dir))
        {
            BenchJournal.write(dir, deltas);
        }
        final long events = best(() -> rawScan(dir))[1];
        final double rawNs = best(() -> rawScan(dir))[0];
        System.out.printf(Locale.ROOT, "journal: %s, %d events%n", dir, events);
        System.out.printf(Locale.ROOT, "%-44s %14s %10s%n", "query", "events/s/core", "vs raw");
        line("raw read, no decoding (baseline)", events, rawNs, rawNs);
        final Window all = Window.ALL;
        run(dir, "flow listing", events, rawNs, Query.listing(all));
        run(dir, "group-by src_addr where tcp and dst port 443", events, rawNs, new Query(all,
            FilterParser.parse("proto tcp and dst port 443"), GroupKey.parseList("src_addr"), 0, Query.By.bytes, 0, Query.NO_INSTANT));
        run(dir, "top 10 src_addr,dst_addr by bytes", events, rawNs, new Query(all, FilterParser.ALL,
            GroupKey.parseList("src_addr,dst_addr"), 10, Query.By.bytes, 0, Query.NO_INSTANT));
        run(dir, "time series 1m by proto", events, rawNs, new Query(all, FilterParser.ALL,
            GroupKey.parseList("proto"), 0, Query.By.bytes, 60_000_000_000L, Query.NO_INSTANT));
        final long mid = T0_NS + deltas / 2 * 1_000_000L;
        final Window minute = new Window(mid, mid + 60_000_000_000L);
        final double windowNs = best(() -> timed(dir, Query.listing(minute)))[0];
        System.out.printf(Locale.ROOT, "%-44s %11.1f ms  (the whole-journal listing: %.1f ms)%n",
            "one-minute window listing (seek)", windowNs / 1e6, best(() -> timed(dir, Query.listing(all)))[0] / 1e6);
    }

    private static void run(final Path dir, final String name, final long events, final double rawNs, final Query query)
    {
        line(name, events, best(() -> timed(dir, query))[0], rawNs);
    }

    private static void line(final String name, final long events, final double ns, final double rawNs)
    {
        System.out.printf(Locale.ROOT, "%-44s %14.0f %9.2fx%n", name, events / (ns / 1e9), rawNs / ns);
    }

    /** The best of ROUNDS (after one warm-up): {elapsed ns, events}. */
    private static long[] best(final java.util.function.Supplier<long[]> run)
    {
        run.get();
        long[] best = null;
        for (int i = 0; i < ROUNDS; i++)
        {
            final long[] r = run.get();
            if (best == null || r[0] < best[0])
            {
                best = r;
            }
        }
        return best;
    }

    private static long[] timed(final Path dir, final Query query)
    {
        final long start = System.nanoTime();
        final var answer = QueryEngine.run(dir, query, () -> false);
        return new long[] {System.nanoTime() - start, answer.scan().eventsRead()};
    }

    private static long[] rawScan(final Path dir)
    {
        final long start = System.nanoTime();
        long n = 0;
        try (JournalReader reader = JournalReader.open(dir))
        {
            int read;
            while ((read = reader.poll((t, b, o, l) -> { }, 4096)) > 0)
            {
                n += read;
            }
        }
        return new long[] {System.nanoTime() - start, n};
    }
}
