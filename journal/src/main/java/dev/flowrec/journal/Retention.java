package dev.flowrec.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.RollCycle;

import dev.flowrec.syscall.Libc;

/**
 * Keeps a journal bounded by deleting whole cycle files, oldest first: those whose hour (or other cycle)
 * ended longer ago than the retention age, then more while the journal is larger than its size bound.
 * Never deleted, whatever the names say: the cycle being written (the newest that starts at or before now) and any
 * cycle dated after now (a clock stepped back leaves such files; sorting by name alone, the cycle being written
 * came first among those to delete). A cycle dated after now is reported and left alone.
 */
public final class Retention
{
    /** @param retainMs keep cycles that ended within this long; 0 = no age bound.
     *  @param maxBytes keep the journal's disk usage under this; 0 = no size bound. */
    public record Policy(long retainMs, long maxBytes)
    {
        public static final Policy FOREVER = new Policy(0, 0);

        public boolean bounded()
        {
            return retainMs > 0 || maxBytes > 0;
        }
    }

    private record Cycle(Path file, long startMs, long endMs, long bytes)
    {
    }

    private Retention()
    {
    }

    /** As {@link #apply(Path, RollCycle, Policy, long, Consumer)}, cycles dated after now left alone in silence. */
    public static int apply(final Path dir, final RollCycle rollCycle, final Policy policy, final long nowMs)
    {
        return apply(dir, rollCycle, policy, nowMs, future -> { });
    }

    /**
     * Deletes what the policy says must go; returns the number of cycle files deleted.
     *
     * @param onFuture told of each cycle file dated after now, which is left alone
     */
    public static int apply(final Path dir, final RollCycle rollCycle, final Policy policy, final long nowMs,
        final Consumer<Path> onFuture)
    {
        if (!policy.bounded())
        {
            return 0;
        }
        final List<Cycle> cycles = cycles(dir, rollCycle);
        long total = cycles.stream().mapToLong(Cycle::bytes).sum();
        final List<Cycle> past = new ArrayList<>(cycles.size());
        for (final Cycle c : cycles)
        {
            if (c.startMs() > nowMs)
            {
                onFuture.accept(c.file());
            }
            else
            {
                past.add(c);
            }
        }
        int deleted = 0;
        for (int i = 0; i < past.size() - 1; i++) // the last one that started is being written
        {
            final Cycle c = past.get(i);
            final boolean tooOld = policy.retainMs() > 0 && nowMs - c.endMs() > policy.retainMs();
            final boolean tooBig = policy.maxBytes() > 0 && total > policy.maxBytes();
            if (!tooOld && !tooBig)
            {
                break;
            }
            delete(c.file());
            total -= c.bytes();
            deleted++;
        }
        return deleted;
    }

    /** Disk usage of the journal's cycle files (they are sparse: allocated blocks, not apparent size). */
    public static long diskBytes(final Path dir, final RollCycle rollCycle)
    {
        return cycles(dir, rollCycle).stream().mapToLong(Cycle::bytes).sum();
    }

    /**
     * Disk usage of the whole journal directory as du(1) counts it ({@code du -s -B1}): the allocated blocks of the
     * directory and of everything in it (cycle files, metadata, catalog, lock), links not followed.
     */
    public static long allocatedBytes(final Path dir)
    {
        try (Stream<Path> all = Files.walk(dir))
        {
            return all.mapToLong(p -> Libc.allocatedBytes(p.toString())).sum();
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            throw new JournalException("cannot list journal directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The start of the oldest cycle file left, in epoch ms; -1 when there is none. Retention deletes oldest first, so
     * whatever the journal held before it is gone (its catalog still knows the recorder runs of that time).
     */
    public static long oldestCycleStartMs(final Path dir, final RollCycle rollCycle)
    {
        final List<Cycle> cycles = cycles(dir, rollCycle);
        return cycles.isEmpty() ? -1 : cycles.getFirst().endMs() - rollCycle.lengthInMillis();
    }

    private static List<Cycle> cycles(final Path dir, final RollCycle rollCycle)
    {
        final DateTimeFormatter format = DateTimeFormatter.ofPattern(rollCycle.format());
        final List<Cycle> cycles = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = file.getFileName().toString();
                if (!name.endsWith(JournalPaths.CYCLE_FILE_SUFFIX))
                {
                    continue;
                }
                final long startMs = startMs(format, name.substring(0, name.length() - JournalPaths.CYCLE_FILE_SUFFIX.length()));
                if (startMs >= 0)
                {
                    cycles.add(new Cycle(file, startMs, startMs + rollCycle.lengthInMillis(),
                        Libc.allocatedBytes(file.toString())));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list journal directory " + dir + ": " + ex.getMessage(), ex);
        }
        cycles.sort(Comparator.comparingLong(Cycle::endMs));
        return cycles;
    }

    private static long startMs(final DateTimeFormatter format, final String cycleName)
    {
        try
        {
            return LocalDateTime.parse(cycleName, format).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        catch (final DateTimeParseException ex)
        {
            return -1; // not a cycle of this roll cycle: leave it alone
        }
    }

    private static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(JournalPaths.rollupFile(file)); // first: a rollup never outlives its cycle
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot delete expired journal cycle " + file + ": " + ex.getMessage(), ex);
        }
    }
}
