package dev.flowrec.journal;

import dev.flowrec.journal.text.Sizes;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the journal's file system has room: the writer stops writing below a reserve of free bytes, and
 * after a write that failed (a full disk surfaces as an exception, or as an InternalError for a SIGBUS on a
 * mapped page), until the reserve is free again. What is not written meanwhile is counted here too, so that
 * the suspension and its loss are one account ({@link JournalWriter#lostEvents()}).
 */
final class FreeSpace
{
    private final Path dir;
    private FileStore store;
    private boolean suspended;
    private String reason;
    private long lostEvents;
    private long firstLossNs;

    FreeSpace(final Path dir)
    {
        this.dir = dir;
    }

    boolean suspended()
    {
        return suspended;
    }

    String reason()
    {
        return suspended ? reason : null;
    }

    void failed(final Throwable ex)
    {
        suspend();
        reason = "cannot write to " + dir + ": " +
            (ex instanceof InternalError ? "a write into the mapped file failed (SIGBUS)" : JournalException.firstLine(ex));
    }

    /** Lets the last events be tried even below the free space kept: the caller has just freed the writer's reserve. */
    void resumeForLastEvents()
    {
        suspended = false;
        reason = null;
    }

    /** @return when writing was first suspended since the writer opened (epoch ns), 0 if never. */
    long firstLossNs()
    {
        return firstLossNs;
    }

    private void suspend()
    {
        suspended = true;
        if (firstLossNs == 0)
        {
            final java.time.Instant now = java.time.Instant.now();
            firstLossNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
    }

    /** Counts {@code events} that were not written (a full disk or a failed write). */
    void lost(final long events)
    {
        lostEvents += events;
    }

    /** Events not written since the writer opened. */
    long lostEvents()
    {
        return lostEvents;
    }

    /** @return whether writing was suspended or resumed by this check. */
    boolean check(final long minFreeBytes)
    {
        final long free = usableBytes();
        if (free < 0)
        {
            return false; // statvfs failed: keep the current state; a failing write still suspends
        }
        if (!suspended && free < minFreeBytes)
        {
            suspend();
            reason = "disk nearly full: " + Sizes.human(free) + " free for " + dir + ", below the " + Sizes.human(minFreeBytes) +
                " kept free (--min-free)";
            return true;
        }
        if (suspended && free >= minFreeBytes)
        {
            suspended = false;
            reason = null;
            return true;
        }
        return false;
    }

    private long usableBytes()
    {
        try
        {
            if (store == null)
            {
                store = Files.getFileStore(dir);
            }
            return store.getUsableSpace();
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
