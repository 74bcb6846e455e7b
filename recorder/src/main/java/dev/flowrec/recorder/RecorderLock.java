package dev.flowrec.recorder;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.RecorderLockProbe;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One recorder per journal: an exclusive lock on {@code DIR/recorder.lock}, holding the owner's pid, so that a
 * second recorder on the same journal refuses in one line naming the first instead of interleaving two runs.
 * The kernel drops the lock when its process dies (kill -9 included), so a stale file never blocks a restart; the
 * file stays, rewritten by the next owner. Opened without following a symbolic link.
 */
final class RecorderLock implements AutoCloseable
{
    static final String FILE = JournalPaths.LOCK_FILE;

    private final FileChannel channel;
    private final FileLock lock;
    private final Path journal;

    private RecorderLock(final FileChannel channel, final FileLock lock, final Path journal)
    {
        this.journal = journal;
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalStateException naming the pid that records the journal already, or why the lock failed. */
    static RecorderLock acquire(final Path journal)
    {
        final Path file = journal.resolve(FILE);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            final FileLock lock = tryLock(channel);
            if (lock == null)
            {
                throw new IllegalStateException("journal " + journal + " is being recorded by pid " + owner(channel));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            RecorderLockProbe.lockedHere(journal); // this process's readers (the dashboard) must not open the file
            return new RecorderLock(channel, lock, journal);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new IllegalStateException("lock " + file + ": " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    public void close()
    {
        RecorderLockProbe.releasedHere(journal);
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("unlock " + FILE + ": " + ex.getMessage(), ex);
        }
    }

    /** null when another process holds it; a lock held by this JVM is held by this pid. */
    private static FileLock tryLock(final FileChannel channel) throws IOException
    {
        try
        {
            return channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            return null;
        }
    }

    private static String owner(final FileChannel channel) throws IOException
    {
        final ByteBuffer text = ByteBuffer.allocate(32);
        channel.read(text, 0);
        final String pid = new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII).strip();
        return pid.chars().allMatch(Character::isDigit) && !pid.isEmpty() ? pid : "(unknown)";
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignored)
        {
            // the failure being reported matters more
        }
    }
}
