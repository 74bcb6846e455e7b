package dev.flowrec.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Facts about a journal directory: a Chronicle Queue directory holding one {@value #CYCLE_FILE_SUFFIX}
 * file per roll cycle (hourly by default) and a {@value #METADATA_FILE} file.
 */
public final class JournalPaths
{
    /** Suffix of Chronicle Queue cycle files. */
    public static final String CYCLE_FILE_SUFFIX = ".cq4";

    /** Chronicle Queue's per-directory metadata (roll cycle, epoch), created by a writer. */
    public static final String METADATA_FILE = "metadata.cq4t";

    /**
     * Default roll cycle: hourly, file names like {@code 20260101-13F.cq4}. A time-range query opens
     * only the hours it needs, and retention deletes whole hours.
     */
    public static final RollCycle DEFAULT_ROLL_CYCLE = RollCycles.FAST_HOURLY;

    private JournalPaths()
    {
    }

    /**
     * @return the number of cycle files in {@code dir}, 0 when there are none.
     * @throws JournalException when the directory cannot be listed.
     */
    public static int cycleFileCount(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return (int)files.filter(p -> p.getFileName().toString().endsWith(CYCLE_FILE_SUFFIX)).count();
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list journal directory " + dir + ": " + ex, ex);
        }
    }

    /** @return true when {@code dir} is a directory that holds at least one cycle file. */
    public static boolean isJournal(final Path dir)
    {
        return Files.isDirectory(dir) && cycleFileCount(dir) > 0;
    }
}
