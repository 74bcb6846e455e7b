package dev.flowrec.export;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.Retention;
import dev.flowrec.query.Query;
import dev.flowrec.query.Timeline;
import dev.flowrec.query.Window;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code export --partition-by host,date,hour --incremental}: keeps a hive-partitioned Parquet lake up to date, writing
 * only the hours that are complete in the journals and absent from the lake, each as its own partition directory,
 * exported into a staging directory beside the lake and renamed into place whole (a reader never sees a partition
 * that is not complete, and a kill at any instant leaves at most the staging directory, which the next run removes).
 * A second run with nothing new writes nothing.
 * <p>
 * An hour of a journal is complete when its end, plus {@link #LATE_MARGIN_NS} for deltas journaled late (a flush
 * interval, the idle sweep), has passed: by the clock while a recorder runs or after it stopped cleanly (a recorder
 * started later journals only later times), by its last event when the last run crashed (a restart may adopt and
 * journal what its kernel state held for earlier times). Hours before the oldest cycle file (deleted by retention)
 * are not looked at: those already in the lake stay there. A partition without host is complete when it is in every
 * journal that has that hour.
 */
public final class IncrementalLake
{
    static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);
    /** Room for late deltas: twice a flush interval of up to a minute. */
    public static final long LATE_MARGIN_NS = TimeUnit.MINUTES.toNanos(2);

    /**
     * @param written  the partitions written, relative to the lake ("host=a/date=2026-12-06/hour=13")
     * @param present  complete hours already in the lake, untouched
     * @param pending  hours not complete yet (or, with rows, empty ones are not counted)
     * @param rows     rows written
     */
    public record Result(List<String> written, int present, int pending, long rows, long elapsedNs)
    {
    }

    private IncrementalLake()
    {
    }

    /**
     * @param request the export of the journals to the lake ({@code out}), partitioned by keys that include date and
     *                hour; its window further limits the hours looked at
     * @param nowNs   the wall clock, UTC ns
     */
    public static Result run(final ExportRequest request, final long nowNs) throws IOException
    {
        final long startNs = System.nanoTime();
        final List<PartitionKey> keys = request.partitionBy();
        if (!keys.contains(PartitionKey.date) || !keys.contains(PartitionKey.hour))
        {
            throw new IllegalArgumentException("--incremental writes whole hours: --partition-by must include date and hour "
                + "(e.g. host,date,hour)");
        }
        if (!request.streamsDeltas())
        {
            throw new IllegalArgumentException("--incremental exports deltas: --group-by, --top, --interval and --at do not apply");
        }
        final Path lake = request.out().toAbsolutePath().normalize();
        if (Files.isSymbolicLink(lake) || (Files.exists(lake) && !Files.isDirectory(lake, LinkOption.NOFOLLOW_LINKS)))
        {
            throw new FileSystemException(lake + " is not a directory: --incremental keeps a partitioned lake there");
        }
        final Path parent = lake.getParent();
        if (!Files.isDirectory(parent))
        {
            throw new FileSystemException("export: directory " + parent + " does not exist");
        }
        final List<String> hosts = HostNames.of(request.journals());
        final Path staging = parent.resolve("." + lake.getFileName() + ".flowrec-incremental");
        try (FileChannel lockFile = FileChannel.open(parent.resolve("." + lake.getFileName() + ".flowrec-incremental.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = lockFile.tryLock())
        {
            if (lock == null)
            {
                throw new FileSystemException(lake + ": another incremental export of it is running");
            }
            deleteTree(staging); // what a killed run left
            if (!Files.isDirectory(lake))
            {
                Files.createDirectory(lake);
                Files.setPosixFilePermissions(lake, Destination.searchable(Destination.journalMode(request.journals())));
            }
            final Map<String, List<Integer>> missing = new TreeMap<>();
            final Map<String, Long> hourOf = new LinkedHashMap<>();
            int present = 0;
            int pending = 0;
            for (int j = 0; j < hosts.size(); j++)
            {
                final Timeline timeline = Timeline.of(request.journals().get(j));
                final long horizonNs = horizonNs(timeline, nowNs);
                final long oldestMs = Retention.oldestCycleStartMs(request.journals().get(j), JournalPaths.DEFAULT_ROLL_CYCLE);
                final long firstHourNs = Math.max(Math.floorDiv(timeline.startNs(), HOUR_NS) * HOUR_NS,
                    oldestMs < 0 ? Long.MIN_VALUE : Math.floorDiv(oldestMs * 1_000_000L + HOUR_NS - 1, HOUR_NS) * HOUR_NS);
                final Window window = request.query().window();
                // Only hours wholly inside the window: a partition is written once, so one cut by --since or --until
                // would stay cut for good.
                final long since = Math.max(window.sinceNs(), firstHourNs);
                for (long h = Math.floorDiv(since, HOUR_NS) * HOUR_NS + (Math.floorMod(since, HOUR_NS) == 0 ? 0 : HOUR_NS);
                     h < horizonNs && h <= window.untilNs() - HOUR_NS; h += HOUR_NS)
                {
                    final String path = path(keys, hosts.get(j), h);
                    if (h + HOUR_NS + LATE_MARGIN_NS > horizonNs)
                    {
                        pending++;
                        missing.remove(path); // a partition shared by journals waits for the last of them
                        hourOf.put(path, Long.MIN_VALUE);
                        continue;
                    }
                    if (Files.isDirectory(lake.resolve(path)))
                    {
                        present++;
                        continue;
                    }
                    if (hourOf.getOrDefault(path, 0L) != Long.MIN_VALUE)
                    {
                        missing.computeIfAbsent(path, p -> new ArrayList<>()).add(j);
                        hourOf.put(path, h);
                    }
                }
            }
            final List<String> written = new ArrayList<>();
            long rows = 0;
            int run = 0;
            for (final Map.Entry<String, List<Integer>> partition : missing.entrySet())
            {
                final long h = hourOf.get(partition.getKey());
                final List<Path> journals = partition.getValue().stream().map(request.journals()::get).toList();
                final Path out = staging.resolve("run-" + run++);
                Files.createDirectories(staging);
                final Query query = request.query().withWindow(new Window(Math.max(h, request.query().window().sinceNs()),
                    Math.min(h + HOUR_NS, request.query().window().untilNs())));
                final ExportResult result = Exporter.run(new ExportRequest(journals, query, out, null, request.format(),
                    keys, request.compression(), request.commandLine(), ExportProgress.NONE, request.cancelled(), false));
                rows += result.rows();
                final Path built = out.resolve(partition.getKey());
                if (Files.isDirectory(built))
                {
                    publish(built, lake.resolve(partition.getKey()));
                    written.add(partition.getKey());
                }
                deleteTree(out);
            }
            deleteTree(staging);
            return new Result(List.copyOf(written), present, pending, rows, System.nanoTime() - startNs);
        }
    }

    /** Until when the journal's hours are complete (see the class comment). */
    static long horizonNs(final Timeline timeline, final long nowNs)
    {
        final List<Timeline.Run> runs = timeline.runs();
        if (runs.isEmpty())
        {
            return Long.MIN_VALUE;
        }
        final Timeline.Run last = runs.getLast();
        return last.end() == Timeline.End.CRASHED && !timeline.recorderRunning() ? last.endNs() : nowNs;
    }

    /** The partition directory of a host's hour, as {@link Output} names it. */
    static String path(final List<PartitionKey> keys, final String host, final long hourNs)
    {
        final ZonedDateTime time = Instant.ofEpochSecond(0, hourNs).atZone(ZoneOffset.UTC);
        final StringBuilder sb = new StringBuilder();
        for (final PartitionKey key : keys)
        {
            if (!sb.isEmpty())
            {
                sb.append('/');
            }
            switch (key)
            {
                case host -> sb.append("host=").append(Output.escape(host));
                case date -> sb.append("date=").append(time.toLocalDate());
                case hour -> sb.append("hour=").append(String.format("%02d", time.getHour()));
            }
        }
        return sb.toString();
    }

    /** Renames a complete partition into the lake (one rename: atomic), its parents made first, then fsyncs. */
    private static void publish(final Path built, final Path target) throws IOException
    {
        Path dir = target.getParent();
        final List<Path> made = new ArrayList<>();
        while (!Files.isDirectory(dir))
        {
            made.addFirst(dir);
            dir = dir.getParent();
        }
        for (final Path d : made)
        {
            Files.createDirectory(d);
            Files.setPosixFilePermissions(d, Files.getPosixFilePermissions(built));
        }
        Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        StagedFile.fsyncDirectory(target.getParent());
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
