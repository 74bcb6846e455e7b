package dev.flowrec.journal;

import dev.flowrec.syscall.Libc;
import java.nio.file.Path;

/**
 * Whether a recorder is running on a journal, as a reader sees it: the recorder holds a write lock on
 * {@code DIR/recorder.lock} while it runs, and the kernel drops it when the process dies (kill -9 included), so a
 * held lock tells a running recorder from a crashed one. Read-only: the file is opened for reading, never created
 * or changed, and the lock table is only looked at ({@link Libc#lockHolder}).
 * <p>
 * Not for the recorder's own process: the probe closes the fd it opened, and closing any fd of a file drops every
 * POSIX lock the process holds on it (fcntl(2)), the recorder's lock included. Readers run in processes of their own.
 */
public final class RecorderLockProbe
{
    /** The lock file's name in the journal directory, as the recorder's RecorderLock names it. */
    public static final String FILE = "recorder.lock";
    /** {@link #holder} when no recorder holds the lock (or there is no lock file: no recorder since locks exist). */
    public static final long NONE = 0;

    private RecorderLockProbe()
    {
    }

    /**
     * @return the pid of the recorder that holds the journal's lock, -1 when one holds it without a pid to show,
     * {@link #NONE} when none does or the lock file cannot be opened.
     */
    public static long holder(final Path dir)
    {
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
