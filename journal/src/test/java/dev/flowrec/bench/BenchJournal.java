package dev.flowrec.bench;

import dev.flowrec.journal.TestJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The synthetic journal of the benchmarks (query, export): deltas over 20k flows on 4 interfaces, evenly spaced
 * in journal time (one per ms unless told), so that deltas × spacing is the journal's length; one recorder run,
 * started and stopped. The deltas are packed into documents as the recorder packs them (FlowDeltaBatch, a drain
 * pass per delta, each batch committed once it has lingered {@link #LINGER_NS}): the reader's cost per document
 * (Chronicle's, the CRC32C trailer's) falls on as many deltas as in a recorder's journal at the same rate, 6 a
 * document at 500 deltas/s, 11 at 1,000/s, and the reader expands batches as it does a recorder's.
 */
public final class BenchJournal
{
    public static final long T0_NS = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
    /** The recorder's batch linger at the default 1 s flush interval (JournalEvents.lingerNs: 1 %, at most 10 ms). */
    public static final long LINGER_NS = 10_000_000L;
    private static final int[] PORTS = {443, 80, 53, 22, 8080, 5432};

    private BenchJournal()
    {
    }

    public static void write(final Path dir, final int deltas)
    {
        write(dir, deltas, 1_000_000L);
    }

    public static void write(final Path dir, final long deltas, final long spacingNs)
    {
        final SplittableRandom random = new SplittableRandom(42);
        try (TestJournal journal = TestJournal.open(dir, T0_NS))
        {
            journal.recorderStarted(T0_NS, "bench", "k", "v", "c");
            for (int i = 1; i <= 4; i++)
            {
                journal.interfaceAttached(T0_NS, i, "eth" + i, "");
            }
            for (long i = 0; i < deltas; i++)
            {
                final long t = T0_NS + i * spacingNs;
                final int flow = random.nextInt(20_000);
                journal.now(t).delta().firstNs(t - 500_000_000L).lastNs(t)
                    .packets(1 + random.nextInt(100)).bytes(60 + random.nextInt(150_000))
                    .ipv4(0x0A000000 | flow % 500, 0xC0A80000 | flow % 97).ifindex(1 + flow % 4)
                    .srcPort(32768 + flow).dstPort(PORTS[flow % PORTS.length]).proto(flow % 5 == 0 ? 17 : 6)
                    .direction(flow & 1).tcpFlags(0x18).appendToBatch().endOfPass(t, LINGER_NS);
            }
            // Stopped, as a recorder stops: a run without its RecorderStopped is a crash, whose last event every
            // answer looks for from the run's last catalogued event (a recorder's loss reports, every second), here
            // its start: the whole journal.
            final long endNs = T0_NS + deltas * spacingNs;
            journal.now(endNs).recorderStopped(endNs, deltas + 5, "stopped");
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists: benchmarks write their journals fresh. */
    public static void deleteTree(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            try (Stream<Path> walk = Files.walk(dir))
            {
                for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.delete(p);
                }
            }
        }
    }
}
