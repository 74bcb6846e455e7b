package dev.flowrec.export;

import dev.flowrec.syscall.Libc;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where an export's files go, checked before a journal is read, and published only whole.
 * <p>
 * {@code --out} is refused when it is a symbolic link (even with --force: the link's target is not the
 * export's to write), when its directory does not exist (nothing is created above it), when it exists and
 * --force is not given, and when --force would replace something that is not an output: a special file, or a
 * directory holding anything but a previous partitioned export. A single file is written as a
 * {@link StagedFile}. A partitioned export is written into a hidden directory beside {@code --out} and renamed
 * into place when complete (inside an existing empty directory it is staged there, and each top-level
 * partition moves into place complete). Files get the journals' mode, directories the same with search
 * rights. Until {@link #publish} succeeds, {@link #close} deletes everything the export created, and so does
 * a JVM shutdown (Ctrl-C) in the middle.
 */
final class Destination implements AutoCloseable
{
    private static final Set<PosixFilePermission> DEFAULT_MODE = PosixFilePermissions.fromString("rw-r-----");
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Pattern PARTITION_DIR = Pattern.compile("(host|date|hour)=[^/]*");
    private static final Pattern PART_FILE = Pattern.compile("part-[0-9]+\\.(parquet|arrow)");

    private final Path out;
    private final boolean force;
    private final Set<PosixFilePermission> fileMode;
    private final Set<PosixFilePermission> dirMode;
    private final Path staging;
    private final boolean stagedInside;
    private final List<StagedFile> files = new ArrayList<>();
    private final Thread cleanupOnExit = new Thread(this::deleteQuietly, "flowrec-export-cleanup");
    private boolean published;

    private Destination(final Path out, final boolean force, final Set<PosixFilePermission> fileMode, final Path staging,
        final boolean stagedInside)
    {
        this.out = out;
        this.force = force;
        this.fileMode = fileMode;
        this.dirMode = searchable(fileMode);
        this.staging = staging;
        this.stagedInside = stagedInside;
    }

    /** Checks {@code out} for an export of these journals; a partitioned one gets its staging directory. */
    static Destination prepare(final Path out, final boolean partitioned, final boolean force, final List<Path> journals)
        throws IOException
    {
        final Set<PosixFilePermission> mode = journalMode(journals);
        checkParent(out);
        if (Files.isSymbolicLink(out))
        {
            throw new FileSystemException(out + " is a symbolic link (to " + Files.readSymbolicLink(out)
                + "): export never writes through a link, not even with --force; give the real path");
        }
        final boolean exists = Files.exists(out, LinkOption.NOFOLLOW_LINKS);
        final boolean directory = Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS);
        if (!partitioned)
        {
            if (directory)
            {
                throw new FileSystemException("output " + out + " is a directory: give a file name, or --partition-by");
            }
            if (exists && !force)
            {
                throw new FileSystemException("output " + out + " exists (--force replaces it)");
            }
            if (exists && !Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS))
            {
                throw new FileSystemException("output " + out + " is not a regular file: not replaced, not even with --force");
            }
            return register(new Destination(out, force, mode, null, false));
        }
        if (exists && !directory)
        {
            throw new FileSystemException("output " + out + " exists and is not a directory (a partitioned export writes a directory)");
        }
        final boolean empty = !exists || isEmpty(out);
        if (!empty && !force)
        {
            throw new FileSystemException("output directory " + out + " is not empty (--force replaces a previous partitioned export)");
        }
        if (!empty)
        {
            checkPreviousExport(out);
        }
        final Path staging = exists && empty ? StagedFile.tempBeside(out.resolve("export")) : StagedFile.tempBeside(out);
        final Destination destination = new Destination(out, force, mode, staging, exists && empty);
        Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        return register(destination);
    }

    private static Destination register(final Destination destination)
    {
        Runtime.getRuntime().addShutdownHook(destination.cleanupOnExit);
        return destination;
    }

    /** A new file of this export: {@code name} under the partition path {@code key} ("" when not partitioned). */
    StagedFile file(final String key, final String name) throws IOException
    {
        final Path target;
        if (staging == null)
        {
            target = out;
        }
        else
        {
            Path dir = staging;
            for (final String level : key.split("/"))
            {
                if (!level.isEmpty())
                {
                    dir = dir.resolve(level);
                    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
                    {
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
                    }
                }
            }
            target = dir.resolve(name);
        }
        final StagedFile file = StagedFile.create(target, fileMode);
        files.add(file);
        return file;
    }

    /** Where {@code file} will be once published. */
    Path finalPath(final StagedFile file)
    {
        return staging == null ? out : out.resolve(staging.relativize(file.target()));
    }

    /** Commits a finished file: in place when not partitioned, into the staging directory otherwise. */
    void commit(final StagedFile file) throws IOException
    {
        file.commit(force && staging == null);
    }

    /** Puts a partitioned export in place (a single file is in place once committed). */
    void publish() throws IOException
    {
        if (staging != null)
        {
            finishTree(staging, dirMode);
            if (stagedInside)
            {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(staging))
                {
                    for (final Path child : children)
                    {
                        Files.move(child, out.resolve(child.getFileName()));
                    }
                }
                Files.delete(staging);
                StagedFile.fsyncDirectory(out);
            }
            else
            {
                if (Files.exists(out, LinkOption.NOFOLLOW_LINKS))
                {
                    replace();
                }
                else
                {
                    Files.move(staging, out);
                }
                StagedFile.fsyncDirectory(out.toAbsolutePath().getParent());
            }
        }
        published = true;
        Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    }

    /**
     * Puts the staged tree in the place of the existing export (--force): exchanged in one step where the file
     * system can, so that --out always holds one whole export, the old or the new; else renamed aside and back on
     * failure. The old tree is deleted last, from where the staging directory was.
     */
    private void replace() throws IOException
    {
        final int exchanged = Libc.exchange(staging.toString(), out.toString());
        if (exchanged == 0)
        {
            deleteTree(staging); // now the old export
            return;
        }
        final Path old = StagedFile.tempBeside(out);
        Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        try
        {
            Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException | RuntimeException ex)
        {
            Files.move(old, out, StandardCopyOption.ATOMIC_MOVE);
            throw ex;
        }
        deleteTree(old);
    }

    /** Unless published: deletes every temporary file and the staging directory. */
    @Override
    public void close() throws IOException
    {
        if (published)
        {
            return;
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        }
        catch (final IllegalStateException ex)
        {
            // shutting down: the hook is running or has run
        }
        IOException failure = null;
        for (final StagedFile file : files)
        {
            try
            {
                file.close();
            }
            catch (final IOException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        if (staging != null)
        {
            deleteTree(staging);
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    private void deleteQuietly()
    {
        try
        {
            close();
        }
        catch (final IOException | RuntimeException ex)
        {
            // the JVM is exiting: nothing to tell
        }
    }

    /** One line naming the file and the cause of a failure to write it. */
    static IOException failure(final Path path, final Throwable ex)
    {
        return new IOException("cannot write " + path + ": " + cause(ex), ex);
    }

    /** The errno text of an I/O failure, however the library wrapped it. */
    static String cause(final Throwable ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            if (t instanceof NoSuchFileException)
            {
                return "No such file or directory";
            }
            if (t instanceof AccessDeniedException)
            {
                return "Permission denied";
            }
            if (t instanceof NotDirectoryException)
            {
                return "Not a directory";
            }
            if (t instanceof FileSystemException fs && fs.getReason() != null)
            {
                return fs.getReason();
            }
            if (t instanceof IOException && t.getMessage() != null && t.getCause() == null)
            {
                return t.getMessage();
            }
        }
        return String.valueOf(ex.getMessage());
    }

    /** The mode of the journals' files (a cycle file, else the metadata), the strictest when several. */
    static Set<PosixFilePermission> journalMode(final List<Path> journals) throws IOException
    {
        Set<PosixFilePermission> mode = null;
        for (final Path dir : journals)
        {
            Path sample = dir.resolve("metadata.cq4t");
            try (DirectoryStream<Path> cycles = Files.newDirectoryStream(dir, "*.cq4"))
            {
                for (final Path cycle : cycles)
                {
                    sample = cycle;
                    break;
                }
            }
            catch (final IOException ex)
            {
                continue; // the export's own reading of the journal says what is wrong with it
            }
            if (Files.isRegularFile(sample, LinkOption.NOFOLLOW_LINKS))
            {
                final Set<PosixFilePermission> own = Files.getPosixFilePermissions(sample, LinkOption.NOFOLLOW_LINKS);
                if (mode == null)
                {
                    mode = EnumSet.copyOf(own.isEmpty() ? EnumSet.noneOf(PosixFilePermission.class) : own);
                }
                else
                {
                    mode.retainAll(own);
                }
            }
        }
        return mode == null ? DEFAULT_MODE : mode;
    }

    /** A file mode with search rights wherever it grants reading, and the owner's rights: 0640 → 0750. */
    static Set<PosixFilePermission> searchable(final Set<PosixFilePermission> mode)
    {
        final EnumSet<PosixFilePermission> dir = mode.isEmpty() ? EnumSet.noneOf(PosixFilePermission.class) :
            EnumSet.copyOf(mode);
        dir.add(PosixFilePermission.OWNER_READ);
        dir.add(PosixFilePermission.OWNER_WRITE);
        dir.add(PosixFilePermission.OWNER_EXECUTE);
        if (mode.contains(PosixFilePermission.GROUP_READ))
        {
            dir.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (mode.contains(PosixFilePermission.OTHERS_READ))
        {
            dir.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return dir;
    }

    private static void setMode(final Path path, final Set<PosixFilePermission> mode) throws IOException
    {
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(mode);
    }

    /** The directory --out goes into must exist and be one: an export creates no parent. */
    private static void checkParent(final Path out) throws IOException
    {
        final Path parent = out.toAbsolutePath().normalize().getParent();
        if (parent == null)
        {
            throw new FileSystemException("output " + out + " is the root directory");
        }
        final BasicFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(parent, BasicFileAttributes.class);
        }
        catch (final NoSuchFileException ex)
        {
            throw new FileSystemException("directory " + parent + " does not exist");
        }
        catch (final IOException ex)
        {
            throw new FileSystemException("directory " + parent + ": " + cause(ex));
        }
        if (!attributes.isDirectory())
        {
            throw new FileSystemException(parent + " is not a directory");
        }
    }

    private static boolean isEmpty(final Path dir) throws IOException
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            return !entries.iterator().hasNext();
        }
    }

    /** --force replaces a directory only if it holds nothing but what a partitioned export writes. */
    private static void checkPreviousExport(final Path dir) throws IOException
    {
        Files.walkFileTree(dir, new SimpleFileVisitor<>()
        {
            public FileVisitResult preVisitDirectory(final Path d, final BasicFileAttributes attrs) throws IOException
            {
                final boolean partition = PARTITION_DIR.matcher(d.getFileName().toString()).matches()
                    && dir.relativize(d).getNameCount() <= PartitionKey.values().length;
                if (!d.equals(dir) && !partition)
                {
                    throw foreign(d);
                }
                return FileVisitResult.CONTINUE;
            }

            public FileVisitResult visitFile(final Path f, final BasicFileAttributes attrs) throws IOException
            {
                if (!attrs.isRegularFile() || !PART_FILE.matcher(f.getFileName().toString()).matches())
                {
                    throw foreign(f);
                }
                return FileVisitResult.CONTINUE;
            }

            private IOException foreign(final Path p)
            {
                return new FileSystemException("output directory " + dir + " holds " + p
                    + ", which no export writes: not replaced, not even with --force");
            }
        });
    }

    /** Gives every directory of the tree its mode and makes its entries durable, bottom up. */
    private static void finishTree(final Path root, final Set<PosixFilePermission> mode) throws IOException
    {
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            public FileVisitResult postVisitDirectory(final Path d, final IOException ex) throws IOException
            {
                if (ex != null)
                {
                    throw ex;
                }
                setMode(d, mode);
                StagedFile.fsyncDirectory(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a tree this export made; links are deleted, never followed. */
    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            public FileVisitResult visitFile(final Path f, final BasicFileAttributes attrs) throws IOException
            {
                Files.deleteIfExists(f);
                return FileVisitResult.CONTINUE;
            }

            public FileVisitResult postVisitDirectory(final Path d, final IOException ex) throws IOException
            {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
