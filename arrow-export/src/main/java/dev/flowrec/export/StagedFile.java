package dev.flowrec.export;

import dev.flowrec.syscall.Libc;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * One output file written where no reader can see it half-done: a new temporary file beside the target (same
 * directory, so same file system), created exclusively (O_EXCL, which follows no link), written (its write-back
 * started as it grows, {@link #writeBehind}), fsync'd, given
 * its mode, then put into place by a link that fails if the target exists (or, with {@code replace}, a rename
 * over it) and the directory fsync'd. Until {@link #commit} succeeds, {@link #close} deletes the temporary file:
 * a failed export leaves neither a truncated nor an empty file. The writers get {@link #file()} or
 * {@link #parquetFile()}, which they do not close: only the commit does, after the fsync.
 */
final class StagedFile implements AutoCloseable
{
    private final Path target;
    private final Path temp;
    private final Set<PosixFilePermission> mode;
    private final FileChannel file;
    /**
     * A second, read-only descriptor of the file, only for {@link #writeBehind}'s hints (FileChannel has no
     * sync_file_range); -1 when it could not be opened (no hints then) or once closed. Closed under the lock: a
     * shutdown hook may close this file while the exporting thread does.
     */
    private int hintFd;
    private long writtenBack;
    private boolean committed;

    private StagedFile(final Path target, final Path temp, final Set<PosixFilePermission> mode, final FileChannel file,
        final int hintFd)
    {
        this.target = target;
        this.temp = temp;
        this.mode = mode;
        this.file = file;
        this.hintFd = hintFd;
    }

    /** A temporary file beside {@code target}, mode 0600 until the commit gives it {@code mode}. */
    static StagedFile create(final Path target, final Set<PosixFilePermission> mode) throws IOException
    {
        final Path temp = tempBeside(target);
        final FileChannel file = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        // By name again, for hints only: were the name swapped meanwhile, a hint would start another file's write-back
        // and the commit's fsync, through the channel, would still make this one durable.
        final int fd = Libc.tryOpenNoFollow(temp.toString());
        return new StagedFile(target, temp, mode, file, Math.max(fd, -1));
    }

    /** {@code DIR/.NAME.flowrec-XXXXXXXX}: hidden, so that a glob over the directory does not pick it up. */
    static Path tempBeside(final Path target)
    {
        return target.resolveSibling("." + target.getFileName() + ".flowrec-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
    }

    Path target()
    {
        return target;
    }

    Path temp()
    {
        return temp;
    }

    /**
     * The file itself, for a writer that goes back to what it wrote (an Arrow file's schema message): the writer must
     * not close it, the commit does.
     */
    FileChannel file()
    {
        return file;
    }

    /** The file, for a writer that closes what it is given (Parquet's stream): closing it closes nothing. */
    WritableByteChannel channel()
    {
        return new WritableByteChannel()
        {
            public int write(final ByteBuffer src) throws IOException
            {
                return file.write(src);
            }

            public boolean isOpen()
            {
                return file.isOpen();
            }

            public void close()
            {
            }
        };
    }

    /** The file, for parquet-java (which would otherwise open the path itself, following links and truncating). */
    OutputFile parquetFile()
    {
        return new OutputFile()
        {
            public PositionOutputStream create(final long blockSizeHint)
            {
                return stream();
            }

            public PositionOutputStream createOrOverwrite(final long blockSizeHint)
            {
                return stream();
            }

            public boolean supportsBlockSize()
            {
                return false;
            }

            public long defaultBlockSize()
            {
                return 0;
            }

            public String getPath()
            {
                return target.toString();
            }
        };
    }

    private PositionOutputStream stream()
    {
        final OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel()), 1 << 16);
        return new PositionOutputStream()
        {
            private long position;

            public long getPos()
            {
                return position;
            }

            public void write(final int b) throws IOException
            {
                out.write(b);
                position++;
            }

            public void write(final byte[] b, final int off, final int len) throws IOException
            {
                out.write(b, off, len);
                position += len;
            }

            public void flush() throws IOException
            {
                out.flush();
            }

            public void close() throws IOException
            {
                out.flush();
            }
        };
    }

    /**
     * Starts writing back to disk what was written since the last call, without waiting for it (sync_file_range), so
     * that the commit's fsync finds little left to write: on this machine the fsync of a 232 MB Arrow file took ~150 ms
     * after its last batch, and ~1 ms when each batch's write-back was started as it was written. A writer calls it
     * after each large write, on the thread that writes.
     */
    synchronized void writeBehind() throws IOException
    {
        final long end = file.position();
        if (hintFd >= 0 && end > writtenBack)
        {
            Libc.startWriteback(hintFd, writtenBack, end - writtenBack); // a hint: the commit's fsync reports failures
            writtenBack = end;
        }
    }

    /**
     * Makes the written file the target: fsync, mode, then a link to the target name (refused if something is
     * there) or, with {@code replace}, a rename over it; then the temporary name goes and the directory is fsync'd.
     */
    void commit(final boolean replace) throws IOException
    {
        file.force(true);
        file.close();
        closeHintFd();
        Files.getFileAttributeView(temp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(mode);
        if (replace)
        {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        else
        {
            boolean linked = false;
            try
            {
                Files.createLink(target, temp);
                linked = true;
            }
            catch (final FileAlreadyExistsException ex)
            {
                throw new FileAlreadyExistsException(target.toString(), null, "exists (--force replaces it)");
            }
            catch (final FileSystemException | UnsupportedOperationException ex)
            {
                // a file system without hard links: a rename that first checks that the target is absent
                Files.move(temp, target);
            }
            if (linked)
            {
                Files.delete(temp);
            }
        }
        committed = true;
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    /** Deletes the temporary file unless committed. */
    @Override
    public void close() throws IOException
    {
        if (!committed)
        {
            try
            {
                file.close();
            }
            finally
            {
                closeHintFd();
                Files.deleteIfExists(temp);
            }
        }
    }

    private synchronized void closeHintFd()
    {
        if (hintFd >= 0)
        {
            Libc.close(hintFd);
            hintFd = -1;
        }
    }

    /** Makes a directory's entries (a rename, a new file) durable. */
    static void fsyncDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
