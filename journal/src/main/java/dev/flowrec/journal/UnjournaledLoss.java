package dev.flowrec.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss a recorder could not journal even at its stop (its disk stayed full past the space set aside for the last
 * events): one line per stop in {@code DIR/}{@value #FILE}, {@code FROM_NS TO_NS EVENTS}, the span in which the
 * events went unwritten and how many. Every reader adds the entries that overlap its window to the loss it reports,
 * so no answer about that span calls itself complete; the recorder's next start says it is there. Kept beside the
 * journal, never in it: a journal that could not take one more event could not take this either.
 */
public final class UnjournaledLoss
{
    public static final String FILE = "unjournaled-loss";

    /** One stop's loss: events not written between fromNs and toNs (epoch ns). */
    public record Entry(long fromNs, long toNs, long events)
    {
        boolean overlaps(final long sinceNs, final long untilNs)
        {
            return fromNs < untilNs && toNs >= sinceNs;
        }
    }

    private UnjournaledLoss()
    {
    }

    /** Appends an entry and syncs it to disk; the file is created 0640 (the writer's umask), never through a link. */
    static void append(final Path dir, final Entry entry)
    {
        final Path file = dir.resolve(FILE);
        final byte[] line = (entry.fromNs() + " " + entry.toNs() + " " + entry.events() + "\n").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS))
        {
            channel.write(ByteBuffer.wrap(line));
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot record " + entry.events() + " unjournaled lost events in " + file + ": " +
                JournalWriter.reason(ex), ex);
        }
    }

    /** @return the entries of the journal in dir, none when it has no such file; a line that does not parse is skipped. */
    public static List<Entry> read(final Path dir)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(dir.resolve(FILE), StandardCharsets.US_ASCII);
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot read " + dir.resolve(FILE) + ": " + ex.getMessage(), ex);
        }
        final List<Entry> entries = new ArrayList<>(lines.size());
        for (final String line : lines)
        {
            final String[] f = line.trim().split(" ");
            try
            {
                if (f.length == 3)
                {
                    entries.add(new Entry(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            }
            catch (final NumberFormatException ignored)
            {
                // a line cut short by a full disk: its loss is unknown, the rest still counts
            }
        }
        return entries;
    }

    /** @return the events lost unjournaled in spans overlapping [sinceNs, untilNs). */
    public static long eventsOverlapping(final Path dir, final long sinceNs, final long untilNs)
    {
        long events = 0;
        for (final Entry e : read(dir))
        {
            events += e.overlaps(sinceNs, untilNs) ? e.events() : 0;
        }
        return events;
    }
}
