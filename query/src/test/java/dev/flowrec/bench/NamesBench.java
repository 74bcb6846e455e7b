package dev.flowrec.bench;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Issue 17: what naming flows from the journal's DNS answers costs a query (the join per delta, {@code --names on})
 * against {@code --names off}, on the query bench's deltas (20,000 flows on 4 interfaces) with every address of the
 * journal answered again each minute (597 addresses, TTL 300 s). Best of 3 after a warm-up, in one JVM:
 * {@code scripts/bench/names [HOURS [RATE]]} (default 0.5 h at 500 deltas/s).
 */
public final class NamesBench
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final int[] PORTS = {443, 80, 53, 22, 8080, 5432};
    private static final int ROUNDS = 3;

    private NamesBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final double hours = args.length > 0 ? Double.parseDouble(args[0]) : 0.5;
        final int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        final long deltas = (long)(hours * 3600 * rate);
        final Path journal = Path.of("target/bench-names/journal");
        BenchJournal.deleteTree(journal.getParent());
        final long answers = write(journal, deltas, SECOND_NS / rate);
        System.out.printf(Locale.ROOT, "journal: %d deltas, %d DNS answers, %.1f h at %d deltas/s%n", deltas, answers,
            hours, rate);
        final Query listing = Query.listing(Window.ALL);
        final Query grouped = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("dst_name"), 0, Query.By.bytes, 0,
            Query.NO_INSTANT);
        final Query filtered = new Query(Window.ALL, FilterParser.parse("dst name *.example.org"), List.of(), 0,
            Query.By.bytes, 0, Query.NO_INSTANT);
        System.out.printf(Locale.ROOT, "%-34s %12s %12s %8s%n", "query (best of 3, thread CPU)", "names on", "names off",
            "on/off");
        for (final Object[] q : new Object[][] {{"flow listing", listing}, {"group by dst_name", grouped},
            {"where dst name *.example.org", filtered}})
        {
            final Query query = (Query)q[1];
            final double on = best(journal, query);
            final double off = best(journal, query.withNames(false));
            System.out.printf(Locale.ROOT, "%-34s %10.1fms %10.1fms %7.2fx%n", q[0], on / 1e6, off / 1e6, on / off);
        }
    }

    private static double best(final Path journal, final Query query)
    {
        QueryEngine.run(journal, query, () -> false); // warm-up
        final var threads = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++)
        {
            final long start = threads.getCurrentThreadCpuTime();
            QueryEngine.run(journal, query, () -> false);
            best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
        }
        return best;
    }

    /** The query bench's deltas, and each minute an answer for every one of their addresses; returns the answers. */
    private static long write(final Path dir, final long deltas, final long spacingNs)
    {
        final SplittableRandom random = new SplittableRandom(42);
        long answers = 0;
        try (TestJournal journal = TestJournal.open(dir, BenchJournal.T0_NS))
        {
            journal.recorderStarted(BenchJournal.T0_NS, "bench", "k", "v", "c");
            for (int i = 1; i <= 4; i++)
            {
                journal.interfaceAttached(BenchJournal.T0_NS, i, "eth" + i, "");
            }
            long nextAnswersNs = BenchJournal.T0_NS;
            for (long i = 0; i < deltas; i++)
            {
                final long t = BenchJournal.T0_NS + i * spacingNs;
                if (t >= nextAnswersNs)
                {
                    for (int a = 0; a < 500; a++)
                    {
                        journal.now(t).dnsAnswer(t, 1 + a % 4, "host" + a + ".corp.example", "host" + a + ".corp.example",
                            300, 0x0A000000 | a);
                        answers++;
                    }
                    for (int a = 0; a < 97; a++)
                    {
                        journal.now(t).dnsAnswer(t, 1 + a % 4, "svc" + a + ".example.org", "edge" + a + ".cdn.example",
                            300, 0xC0A80000 | a);
                        answers++;
                    }
                    nextAnswersNs = t + 60 * SECOND_NS;
                }
                final int flow = random.nextInt(20_000);
                journal.now(t).delta().firstNs(t - 500_000_000L).lastNs(t)
                    .packets(1 + random.nextInt(100)).bytes(60 + random.nextInt(150_000))
                    .ipv4(0x0A000000 | flow % 500, 0xC0A80000 | flow % 97).ifindex(1 + flow % 4)
                    .srcPort(32768 + flow).dstPort(PORTS[flow % PORTS.length]).proto(flow % 5 == 0 ? 17 : 6)
                    .direction(flow & 1).tcpFlags(0x18).append();
            }
            final long endNs = BenchJournal.T0_NS + deltas * spacingNs;
            journal.now(endNs).recorderStopped(endNs, deltas + 5, "stopped");
        }
        return answers;
    }
}
