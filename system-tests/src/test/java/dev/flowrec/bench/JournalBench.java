package dev.flowrec.bench;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.export.ExportFormat;
import dev.flowrec.export.ExportRequest;
import dev.flowrec.export.Exporter;
import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.query.Query;
import dev.flowrec.query.Window;
import dev.flowrec.recorder.RecordingPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/**
 * Issue 7, figure 4: bytes on disk per flow event, and how the journal grows hour by hour. Synthetic ring records
 * (the kernel's 80-byte layout) go through the recorder's own writing path (JournalEvents → JournalWriter), so the
 * figure follows whatever encoding that path uses; a controlled clock rolls the hourly cycles. Each simulated second
 * holds RATE deltas and, as a recording under traffic, one loss report (the kernel's counters move every second).
 * Baselines from the same run: the ring record itself, and the same deltas as Parquet (zstd) by flowrec's exporter.
 * Usage: scripts/bench/journal [HOURS [RATE]]     (default 4 h at 500 deltas/s)
 */
public final class JournalBench
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0_NS = 1_767_225_600L * SECOND_NS; // 2026-01-01T00:00:00Z
    /** The boot clock read 1000 s at T0. */
    private static final long BOOT_TO_REALTIME_NS = T0_NS - 1000 * SECOND_NS;
    private static final double TARGET_BYTES = 48;
    /** Cycle files, directly in the journal directory (the catalog has cycle files of its own). */
    private static final Predicate<Path> CYCLE =
        p -> p.getNameCount() == 1 && p.getFileName().toString().endsWith(JournalPaths.CYCLE_FILE_SUFFIX);

    private JournalBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int hours = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        final int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        final Path work = Path.of("target/bench-journal");
        deleteTree(work);
        final Path journal = work.resolve("journal");
        final long flowEvents = record(journal, hours, rate);
        final Map<Path, Long> files = Du.allocated(journal);
        final long cycleBytes = Du.sum(files, CYCLE);
        final long[] payload = payload(journal);
        final double perEvent = cycleBytes / (double)flowEvents;
        System.out.printf(Locale.ROOT, "%nflow events: %d; other events: %d (loss reports 1/s, start, attaches)%n",
            flowEvents, payload[3]);
        System.out.printf(Locale.ROOT, "journal cycle files: %d bytes allocated (du), %d files  =>  %.1f B per flow event"
            + "   target <= %.0f B: %s%n", cycleBytes, count(files, CYCLE),
            perEvent, TARGET_BYTES, perEvent <= TARGET_BYTES ? "met" : "MISSED");
        // Readers get each delta back as a whole FlowDelta, expanded from the batch that stores it: that size is
        // what the encoding saves against, not a share of the allocated bytes.
        System.out.printf(Locale.ROOT, "  as read back: %.1f B of FlowDelta per flow event (deltas are stored in batches of"
            + " compact entries; the allocated figure above includes Chronicle's headers, index and page tails)%n",
            payload[0] / (double)flowEvents);
        System.out.printf(Locale.ROOT, "  other events' payload: %.2f B per flow event%n", payload[1] / (double)flowEvents);
        System.out.printf(Locale.ROOT, "index and metadata files (not in the figure): %s; catalog %d bytes%n",
            metadata(files), Du.sum(files, p -> p.startsWith("catalog")));
        baselines(journal, perEvent);
    }

    /** Writes HOURS hours through the recorder's path, printing the journal's growth after each; returns flow events. */
    private static long record(final Path journal, final int hours, final int rate) throws Exception
    {
        final SetTimeProvider clock = new SetTimeProvider(T0_NS);
        final RingRecords ring = new RingRecords(20_000);
        final long[] counters = new long[KernelCounters.COUNT];
        long events = 0;
        long previous = 0;
        System.out.printf(Locale.ROOT, "%4s %12s %14s %10s %14s %6s %10s%n", "hour", "flow events", "bytes (hour)",
            "B/event", "bytes (total)", "files", "B/event");
        try (JournalWriter writer = JournalWriter.open(journal, RollCycles.FAST_HOURLY, clock))
        {
            final RecordingPath path = new RecordingPath(writer, BOOT_TO_REALTIME_NS, SECOND_NS);
            path.recorderStarted(SECOND_NS, "record --all-interfaces --containers");
            for (int i = 2; i <= 5; i++)
            {
                path.interfaceAttached(i, "eth" + (i - 2), "");
            }
            for (int h = 0; h < hours; h++)
            {
                for (int s = 0; s < 3600; s++)
                {
                    final long secondNs = T0_NS + (h * 3600L + s) * SECOND_NS;
                    clock.currentTimeNanos(secondNs);
                    for (int k = 0; k < rate; k++)
                    {
                        final FlowEventDecoder d = ring.next(secondNs + k * (SECOND_NS / rate) - BOOT_TO_REALTIME_NS);
                        counters[KernelCounters.PACKETS_SEEN] += d.packets();
                        counters[KernelCounters.BYTES_SEEN] += d.bytes();
                        path.flowDelta(d);
                        // A drain pass per delta, as at a low rate: the batch commits once it has lingered (10 ms).
                        path.endOfPass(secondNs + k * (SECOND_NS / rate));
                    }
                    path.lossReport(counters);
                }
                events += (long)rate * 3600;
                final Map<Path, Long> files = Du.allocated(journal);
                final long total = Du.sum(files, CYCLE);
                System.out.printf(Locale.ROOT, "%4d %12d %14d %10.1f %14d %6d %10.1f%n", h + 1, rate * 3600L, total - previous,
                    (total - previous) / (rate * 3600.0), total, count(files, CYCLE), total / (double)events);
                previous = total;
            }
        }
        return events;
    }

    /** @return {flow-event payload bytes, other payload bytes, flow events, other events} as a reader sees them. */
    private static long[] payload(final Path journal)
    {
        final long[] sums = new long[4];
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                // Whatever template a flow event has now, the other events are these.
                final boolean other = templateId == LossReportDecoder.TEMPLATE_ID ||
                    templateId == RecorderStartedDecoder.TEMPLATE_ID
                    || templateId == InterfaceAttachedDecoder.TEMPLATE_ID;
                sums[other ? 1 : 0] += length;
                sums[other ? 3 : 2]++;
            }, 4096) > 0)
            {
                // sum everything
            }
        }
        return sums;
    }

    private static void baselines(final Path journal, final double perEvent) throws Exception
    {
        // All of it, not a window: JournalEvents stamps loss reports with the real clock, not the simulated one,
        // so a window's seek in this journal would be thrown off by them.
        final Path parquet = journal.resolveSibling("journal.parquet");
        final var result = Exporter.run(ExportRequest.toFile(List.of(journal), Query.listing(Window.ALL), parquet,
            ExportFormat.parquet));
        final double parquetPerRow = Du.allocated(parquet.getParent()).get(parquet.getFileName()) / (double)result.rows();
        System.out.printf(Locale.ROOT, "baseline: kernel ring record %d B (+8 B ring header): journal/ring = %.2fx%n",
            FlowEventDecoder.LENGTH, perEvent / FlowEventDecoder.LENGTH);
        System.out.printf(Locale.ROOT, "baseline: Parquet zstd (flowrec export, %d rows): %.1f B/row: journal/Parquet = %.2fx%n",
            result.rows(), parquetPerRow, perEvent / parquetPerRow);
    }

    private static long count(final Map<Path, Long> files, final Predicate<Path> which)
    {
        return files.keySet().stream().filter(which).count();
    }

    private static String metadata(final Map<Path, Long> files)
    {
        final StringBuilder text = new StringBuilder();
        files.entrySet().stream().filter(e -> !CYCLE.test(e.getKey()) && !e.getKey().startsWith("catalog"))
            .sorted(Map.Entry.comparingByKey())
            .forEach(e -> text.append(text.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()).append(" B"));
        return text.toString();
    }

    private static void deleteTree(final Path dir) throws Exception
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
