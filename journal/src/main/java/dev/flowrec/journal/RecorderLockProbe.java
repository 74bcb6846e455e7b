package dev.flowrec.journal;

import dev.flowrec.syscall.Libc;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a recorder is running on a journal, as a reader sees it: the recorder holds a write lock on
 * {@code DIR/recorder.lock} while it runs, and the kernel drops it when the process dies (kill -9 included), so a
 * held lock tells a running recorder from a crashed one. Read-only: the file is opened for reading, never created
 * or changed, and the lock table is only looked at ({@link Libc#lockHolder}).
 * <p>
 * In the recorder's own process (its dashboard asks the query engine about its own journal) the probe must not open
 * the file at all: closing any fd of a file drops every POSIX lock the process holds on it (fcntl(2)), the recorder's
 * lock included, and a second recorder could then start on the journal. The recorder registers the journal it locks
 * ({@link #lockedHere}) and the probe answers for it from memory.
 */
public final class RecorderLockProbe
{
    /** Journal directories (absolute, normalized) this process holds the lock of. */
    private static final Set<Path> LOCKED_HERE = ConcurrentHashMap.newKeySet();

    /** The lock file's name in the journal directory, as the recorder's RecorderLock names it. */
    public static final String FILE = "recorder.lock";
    /** {@link #holder} when no recorder holds the lock (or there is no lock file: no recorder since locks exist). */
    public static final long NONE = 0;

    private RecorderLockProbe()
    {
    }

    /** This process now holds the lock of the journal in {@code dir}: {@link #holder} answers without opening it. */
    public static void lockedHere(final Path dir)
    {
        LOCKED_HERE.add(dir.toAbsolutePath().normalize());
    }

    /** This process released the lock of the journal in {@code dir}. */
    public static void releasedHere(final Path dir)
    {
        LOCKED_HERE.remove(dir.toAbsolutePath().normalize());
    }

    /**
     * @return the pid of the recorder that holds the journal's lock, -1 when one holds it without a pid to show,
     * {@link #NONE} when none does or the lock file cannot be opened.
     */
    public static long holder(final Path dir)
    {
        if (!LOCKED_HERE.isEmpty() && LOCKED_HERE.contains(dir.toAbsolutePath().normalize()))
        {
            return ProcessHandle.current().pid();
        }
        final String file = dir.resolve(FILE).toString();
        final int fd = Libc.tryOpen(file);
        if (fd < 0)
        {
            return NONE;
        }
        try
        {
            return Libc.lockHolder(fd, file);
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
