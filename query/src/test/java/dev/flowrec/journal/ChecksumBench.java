package dev.flowrec.journal;

import dev.flowrec.bench.BenchJournal;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Issue 13, item 4: what the journal's CRC32C trailers cost, with and without them in the same run, rounds
 * interleaved so that the machine's drift falls on both; times are the main thread's CPU time, which a loaded
 * machine stretches less than wall time. Without: the writer writes a zero trailer without computing
 * it, the reader delivers without checking (the package-private switches {@link DocumentAppender#computeChecksums},
 * {@link DocumentReader#verifyChecksums}, for this bench only); so the ratio is the CRC's computation, the 4 bytes per
 * document being written in both.
 * <ul>
 * <li>drain: the journal's side of the drain, {@link JournalWriter#appendDelta} of encoded FlowDeltas, a commit per
 *     drain pass of 64 deltas (the recorder's batches), into a fresh journal each round; bytes allocated per delta.</li>
 * <li>full scan: journals of the same deltas in three document shapes, read end to end by a bare
 *     {@link JournalReader} (the raw read) and by the query engine (a group-by, and a top-N), whose per-delta work
 *     dilutes the trailer's share: one FlowDelta per document (a 92-byte document, as journals of schema 1 and some
 *     tests hold them), batches of {@value #LINGERED} (what the recorder's 10 ms linger packs at 1,000 deltas/s, the
 *     export bench's rate: the shape {@link BenchJournal} writes) and batches of {@value #PASS}. The trailer is paid
 *     per document, so its ratio is the one-delta journal's at worst.</li>
 * </ul>
 * Usage: scripts/bench/checksum [DELTAS_PER_DRAIN_ROUND [SCAN_DELTAS [ROUNDS]]]   (default 2,000,000, 5,000,000, 5)
 */
public final class ChecksumBench
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final int PASS = 64;
    private static final int LINGERED = 11;
    private static final double GOAL = 1.03;

    private ChecksumBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int drainDeltas = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        final int scanDeltas = args.length > 1 ? Integer.parseInt(args[1]) : 5_000_000;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        final Path work = Path.of("target/bench-checksum").toAbsolutePath();
        BenchJournal.deleteTree(work);
        System.out.printf(Locale.ROOT, "checksum bench: %d rounds each, interleaved; best of the rounds, the thread's CPU time (every part runs on the"
            + " main thread; the machine's load lengthens wall time, not this); %d cores, load %s%n",
            rounds, Runtime.getRuntime().availableProcessors(), loadAverage());

        final long[][] drain = new long[2][rounds];
        final double[] allocated = new double[2];
        for (int round = -1; round < rounds; round++) // round -1 warms up both
        {
            for (int on = 0; on < 2; on++)
            {
                DocumentAppender.computeChecksums = on == 1;
                final Path dir = work.resolve("drain-" + round + "-" + on);
                final long before = THREADS.getCurrentThreadAllocatedBytes();
                final long ns = append(dir, drainDeltas);
                final long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
                if (round >= 0)
                {
                    drain[on][round] = ns;
                    allocated[on] = Math.max(allocated[on], bytes / (double)drainDeltas);
                }
                BenchJournal.deleteTree(dir);
            }
        }
        DocumentAppender.computeChecksums = true;
        System.out.printf(Locale.ROOT, "%n%-58s %12s %12s %8s %10s%n", "", "without CRC", "with CRC", "ratio", "B/delta");
        row("drain: appendDelta, a commit per " + PASS + " deltas (deltas/CPU-s)", drainDeltas, drain, allocated);

        final int[] shapes = {1, LINGERED, PASS};
        final Path[] scanned = new Path[shapes.length];
        for (int s = 0; s < shapes.length; s++)
        {
            scanned[s] = work.resolve("scan-" + shapes[s]);
            append(scanned[s], scanDeltas, shapes[s]);
        }
        final Query groupBy = new Query(Window.ALL, FilterParser.parse("proto tcp"), GroupKey.parseList("dst_port,iface"), 0,
            Query.By.bytes, 0, Query.NO_INSTANT);
        final Query top = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("src_addr,dst_addr"), 10,
            Query.By.bytes, 0, Query.NO_INSTANT);
        final long[][][] raw = new long[shapes.length][2][rounds];
        final long[][][] grouped = new long[shapes.length][2][rounds];
        final long[][][] topN = new long[shapes.length][2][rounds];
        final double[][] rawAllocated = new double[shapes.length][2];
        for (int round = -1; round < rounds; round++)
        {
            for (int s = 0; s < shapes.length; s++)
            {
                for (int on = 0; on < 2; on++)
                {
                    DocumentReader.verifyChecksums = on == 1;
                    final long before = THREADS.getCurrentThreadAllocatedBytes();
                    final long rawNs = rawScan(scanned[s], scanDeltas);
                    final long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
                    final long groupedNs = engine(scanned[s], groupBy);
                    final long topNs = engine(scanned[s], top);
                    if (round >= 0)
                    {
                        raw[s][on][round] = rawNs;
                        grouped[s][on][round] = groupedNs;
                        topN[s][on][round] = topNs;
                        rawAllocated[s][on] = Math.max(rawAllocated[s][on], bytes / (double)scanDeltas);
                    }
                }
            }
        }
        DocumentReader.verifyChecksums = true;
        for (int s = 0; s < shapes.length; s++)
        {
            final String shape = shapes[s] == 1 ? "1 delta/document" : shapes[s] + " deltas/document";
            row("full scan, " + shape + ", raw read (deltas/CPU-s)", scanDeltas, raw[s], rawAllocated[s]);
            row("full scan, " + shape + ", engine group-by (deltas/CPU-s)", scanDeltas, grouped[s], null);
            row("full scan, " + shape + ", engine top-10 (deltas/CPU-s)", scanDeltas, topN[s], null);
            System.out.printf(Locale.ROOT, "  the trailer's cost: %.1f ns per document in the raw read (best rounds)%n",
                (min(raw[s][1]) - min(raw[s][0])) / (double)scanDeltas * shapes[s]);
        }
        System.out.printf(Locale.ROOT, "(ratio: time with CRC / time without, best rounds; goal <= %.2f)%n", GOAL);
        crcAlone();
        BenchJournal.deleteTree(work);
    }

    /**
     * The CRC32C alone, as the reader computes it over a scratch copy: ns per 92-byte document (one FlowDelta) and
     * per 2.5 KB document (a 64-delta batch).
     */
    private static void crcAlone()
    {
        final DocumentChecksum checksum = new DocumentChecksum();
        final org.agrona.ExpandableDirectByteBuffer buffer = new org.agrona.ExpandableDirectByteBuffer(1 << 20);
        final int documents = 2_000_000;
        int sink = 0;
        for (final int length : new int[] {Templates.FLOW_DELTA_LENGTH, 2_500})
        {
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++)
            {
                final long startNs = System.nanoTime();
                for (int i = 0; i < documents; i++)
                {
                    sink += checksum.ofBuffer(buffer, (i * 4096) & ((1 << 19) - 1), length);
                }
                best = Math.min(best, System.nanoTime() - startNs);
            }
            System.out.printf(Locale.ROOT, "CRC32C alone: %.1f ns per %d-byte document (%.2f GB/s)%n",
                best / (double)documents, length, documents * (double)length / best);
        }
        System.out.printf(Locale.ROOT, "(%d)%n", sink & 1);
    }

    private static long min(final long[] ns)
    {
        return Arrays.stream(ns).min().orElseThrow();
    }

    private static void row(final String what, final long deltas, final long[][] ns, final double[] allocated)
    {
        final long without = Arrays.stream(ns[0]).min().orElseThrow();
        final long with = Arrays.stream(ns[1]).min().orElseThrow();
        final double ratio = with / (double)without;
        System.out.printf(Locale.ROOT, "%-58s %10.2f M %10.2f M %7.3fx %10s  %s%n", what, deltas * 1e3 / without,
            deltas * 1e3 / with, ratio, allocated == null ? "" : String.format(Locale.ROOT, "%.4f", allocated[1]),
            ratio <= GOAL ? "goal met" : "GOAL MISSED");
    }

    /** Appends {@code deltas} encoded FlowDeltas (3 in 4 IPv4) as a drain does; @return the time taken. */
    private static long append(final Path dir, final int deltas)
    {
        return append(dir, deltas, PASS);
    }

    /**
     * Appends {@code deltas} encoded FlowDeltas (3 in 4 IPv4), committed {@code perDocument} to a batch, or each a
     * FlowDelta document of its own when 1; @return the time taken.
     */
    private static long append(final Path dir, final int deltas, final int perDocument)
    {
        final SplittableRandom random = new SplittableRandom(42);
        final FlowDeltaEncoder delta = new FlowDeltaEncoder();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            final long startNs = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < deltas; i++)
            {
                final int flow = random.nextInt(20_000);
                final long t = BenchJournal.T0_NS + i * 1_000L;
                MessageHeader.wrapAndApplyHeader(delta, buffer, 0).firstNs(t - 500_000_000L).lastNs(t)
                    .packets(1 + flow % 100).bytes(60 + flow * 7L).ifindex(1 + flow % 4).srcPort(32768 + flow % 20000)
                    .dstPort(flow % 3 == 0 ? 53 : 443).proto((short)(flow % 3 == 0 ? 17 : 6)).direction((short)(flow & 1))
                    .tcpFlags((short)0x18);
                if (flow % 4 == 0)
                {
                    FlowDeltas.addresses(delta, 0x20010db800000000L, flow, 0x20010db8ffff0000L, 1).family(FlowDeltas.FAMILY_IPV6);
                }
                else
                {
                    FlowDeltas.addressesV4(delta, 0x0A000000 | flow % 500, 0xC0A80000 | flow % 97);
                }
                if (perDocument == 1)
                {
                    writer.claim(Templates.FLOW_DELTA_LENGTH).putBytes(0, buffer, 0, Templates.FLOW_DELTA_LENGTH);
                    writer.commit();
                    continue;
                }
                writer.appendDelta(delta);
                if (i % perDocument == perDocument - 1)
                {
                    writer.commitDeltas();
                }
            }
            writer.commitDeltas();
            return THREADS.getCurrentThreadCpuTime() - startNs;
        }
    }

    private static long rawScan(final Path dir, final long expected)
    {
        final long[] packets = new long[1];
        final EventHandler handler = (templateId, buffer, offset, length) ->
            packets[0] += buffer.getLong(offset + MessageHeader.ENCODED_LENGTH + 16, MessageHeader.BYTE_ORDER);
        try (JournalReader reader = JournalReader.open(dir))
        {
            long read = 0;
            int n;
            final long startNs = THREADS.getCurrentThreadCpuTime();
            while ((n = reader.poll(handler, 4096)) > 0)
            {
                read += n;
            }
            final long ns = THREADS.getCurrentThreadCpuTime() - startNs;
            if (read != expected || reader.checksumFailures() != 0 || packets[0] == 0)
            {
                throw new IllegalStateException("read " + read + " of " + expected + ", " + reader.checksumFailures() +
                    " checksum failures");
            }
            return ns;
        }
    }

    private static long engine(final Path dir, final Query query)
    {
        final long startNs = THREADS.getCurrentThreadCpuTime();
        final int rows = QueryEngine.run(dir, query, () -> false).rows().size();
        if (rows == 0)
        {
            throw new IllegalStateException("no rows: " + query);
        }
        return THREADS.getCurrentThreadCpuTime() - startNs;
    }

    private static String loadAverage()
    {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
