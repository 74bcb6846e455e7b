package dev.flowrec.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Facts about a journal directory: a Chronicle Queue directory holding one {@value #CYCLE_FILE_SUFFIX}
 * file per roll cycle (hourly by default) and a {@value #METADATA_FILE} file; whether a directory is one,
 * read from its files' first headers; and the name of a cycle's file.
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

    /** The store type a Chronicle cycle file's first header names. */
    static final String CYCLE_STORE = "SCQStore";

    /** The store type the first header of Chronicle's metadata file names. */
    static final String TABLE_STORE = "STStore";
    /** A store's first header and the start of the document after it lie within this many bytes. */
    private static final int STORE_HEADER_READ = 1024;
    /** A Chronicle header word's top two bits (not-complete, metadata) and its length below them. */
    private static final int METADATA = 0b01;
    private static final int DATA = 0b00;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;

    /** The recorder's lock file, held while a recorder writes the journal (dev.flowrec.recorder.RecorderLock). */
    public static final String LOCK_FILE = "recorder.lock";

    /** Free space a writer sets aside while it runs, so that its last events can be written on a full disk. */
    static final String RESERVE_FILE = "space-reserve";

    /** Files of flowrec's own in a journal directory, beside Chronicle's. */
    static final Set<String> OWN_FILES = Set.of(LOCK_FILE, RESERVE_FILE, UnjournaledLoss.FILE);

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

    /**
     * Refuses, in one line and at once, what a reader cannot open: a missing directory, one without cycle files,
     * one whose .cq4 files are none of them Chronicle cycle files, and a journal whose metadata.cq4t is damaged
     * (Chronicle would wait ten seconds for a lock, then throw). A missing metadata.cq4t is no obstacle: a
     * read-only queue works without it.
     *
     * @throws JournalException naming the directory and what is wrong with it.
     */
    public static void requireReadable(final Path dir)
    {
        if (!Files.isDirectory(requireReachable(dir)))
        {
            throw new JournalException("not a flowrec journal: " + dir + " (not a directory)");
        }
        if (cycleFileCount(dir) == 0)
        {
            throw new JournalException("not a flowrec journal: " + dir + " (no " + CYCLE_FILE_SUFFIX + " files)");
        }
        final Path metadata = dir.resolve(METADATA_FILE);
        if (Files.exists(metadata) && !startsWithWholeHeader(metadata, TABLE_STORE))
        {
            throw new JournalException("journal " + dir + " is damaged: its " + METADATA_FILE +
                " does not start with a whole Chronicle table store header (zeroed, overwritten or a flipped bit); move it" +
                " aside to read the cycle files without it");
        }
        try (var files = Files.list(dir))
        {
            final List<Path> cycles = files.filter(p -> p.getFileName().toString().endsWith(CYCLE_FILE_SUFFIX)).toList();
            if (cycles.stream().noneMatch(p -> startsWith(p, CYCLE_STORE)))
            {
                throw new JournalException("not a flowrec journal: " + dir + " (none of its " + cycles.size() + " " +
                    CYCLE_FILE_SUFFIX + " files is a Chronicle Queue cycle file)");
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list journal directory " + dir + ": " + ex, ex);
        }
    }

    /**
     * @return dir, once its attributes could be read; otherwise throws naming what is in the way, as it is: a
     * missing directory, a symbolic link loop, a directory the caller may not enter (a missing directory and a
     * permission problem call for different fixes).
     */
    static Path requireReachable(final Path dir)
    {
        try
        {
            Files.readAttributes(dir, BasicFileAttributes.class);
            return dir;
        }
        catch (final NoSuchFileException ex)
        {
            throw new JournalException("journal directory does not exist: " + dir, ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new JournalException("journal directory " + dir + ": permission denied (on " + ex.getFile() + ")", ex);
        }
        catch (final FileSystemException ex)
        {
            final String reason = ex.getReason() == null ? ex.getClass().getSimpleName() : ex.getReason();
            throw new JournalException("journal directory " + dir + ": " +
                (reason.contains("symbolic links") ? "symbolic link loop" : reason), ex);
        }
        catch (final IOException ex)
        {
            throw new JournalException("journal directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Whether the file's first header names the Chronicle store {@code type} (a cycle file or the metadata). */
    static boolean startsWith(final Path file, final String type)
    {
        final byte[] bytes = firstBytes(file);
        final String head = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1);
        return head.contains("header") && head.contains(type);
    }

    /**
     * Whether the file starts with a whole store header: a complete metadata header naming the Chronicle store
     * {@code type}, followed by a complete document (a cycle file's index, metadata; a table store's first entry,
     * data). Chronicle reads these headers without bounds: a flipped flag bit (metadata cleared, not-complete set) or
     * a flipped length makes it wait, for ever on a read-only queue, for a header that will not come.
     */
    static boolean startsWithWholeHeader(final Path file, final String type)
    {
        final byte[] bytes = firstBytes(file);
        final String head = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1);
        if (!head.contains("header") || !head.contains(type))
        {
            return false;
        }
        final ByteBuffer words = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int header = headerWord(words, 0);
        final int next = headerWord(words, (Integer.BYTES + (header & LENGTH_MASK) + 3) & ~3);
        return header >>> 30 == METADATA && next >>> 30 == (CYCLE_STORE.equals(type) ? METADATA : DATA) &&
            (next & LENGTH_MASK) != 0;
    }

    /** The file's first bytes, none when it cannot be read. */
    private static byte[] firstBytes(final Path file)
    {
        try (InputStream in = Files.newInputStream(file))
        {
            return in.readNBytes(STORE_HEADER_READ);
        }
        catch (final IOException ex)
        {
            return new byte[0];
        }
    }

    /** The header word at {@code position}, or -1 (not-complete and metadata set: no store has it) past the bytes read. */
    private static int headerWord(final ByteBuffer words, final int position)
    {
        return position >= 0 && position <= words.limit() - Integer.BYTES ? words.getInt(position) : -1;
    }

    /** Where the exact rollups of the journal's sealed cycles are kept, one file per cycle beside its name. */
    public static final String ROLLUP_DIRECTORY = "rollups";
    public static final String ROLLUP_SUFFIX = ".rollup";

    /** The file of an hourly cycle of the journal in {@code dir}. */
    public static Path cycleFile(final Path dir, final int cycle)
    {
        return dir.resolve(cycleFileName(DEFAULT_ROLL_CYCLE, cycle));
    }

    /** The rollup of a cycle file (DIR/rollups/20260101-13F.rollup): retention deletes it with the cycle. */
    public static Path rollupFile(final Path cycleFile)
    {
        final String name = cycleFile.getFileName().toString();
        return cycleFile.resolveSibling(ROLLUP_DIRECTORY)
            .resolve(name.substring(0, name.length() - CYCLE_FILE_SUFFIX.length()) + ROLLUP_SUFFIX);
    }

    /** The name of {@code cycle}'s file ("20260101-13F.cq4"). */
    static String cycleFileName(final RollCycle rollCycle, final int cycle)
    {
        return cycleNames(rollCycle).format(Instant.ofEpochMilli((long)cycle * rollCycle.lengthInMillis())) +
            CYCLE_FILE_SUFFIX;
    }

    /** The cycle a cycle file's name stands for; the inverse of {@link #cycleFileName}. */
    public static int cycleOf(final RollCycle rollCycle, final String fileName)
    {
        final String name = fileName.substring(0, fileName.length() - CYCLE_FILE_SUFFIX.length());
        return (int)(Instant.from(cycleNames(rollCycle).parse(name)).toEpochMilli() / rollCycle.lengthInMillis());
    }

    private static DateTimeFormatter cycleNames(final RollCycle rollCycle)
    {
        // A daily cycle's name (the catalog's "20260101F") has no hour: parsing it needs one to make an instant.
        return new DateTimeFormatterBuilder().appendPattern(rollCycle.format())
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0).parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0).toFormatter()
            .withZone(ZoneOffset.UTC);
    }
}
