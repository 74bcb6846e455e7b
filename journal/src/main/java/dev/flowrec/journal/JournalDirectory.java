package dev.flowrec.journal;

import dev.flowrec.syscall.Libc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The trust a root daemon needs before it writes into a directory it was told about: {@link #prepare} creates a new
 * journal directory (0750) or accepts one that is already a flowrec journal, owned by this process's user and
 * writable by nobody else, holding nothing but what a journal holds and no symbolic link; anything else is refused in
 * one line, and nothing is changed. Chronicle opens and creates its files by path, following links; it cannot be
 * told otherwise, so the directory is made safe first: once it is ours and writable by nobody else, nobody else can
 * plant a link in it. The window left is the directory's own path between this check and Chronicle's open: a parent
 * that others may write without the sticky bit (they could rename the checked directory away and put a link in its
 * place) is refused too, and {@link #requireSame} checks, after Chronicle opened, that the path is still the
 * directory that was checked.
 */
final class JournalDirectory
{
    /** File systems whose files are the kernel's, not data: a journal there is a mistake (or an attack). */
    private static final Set<String> SPECIAL = Set.of("proc", "sysfs", "bpf", "cgroup", "cgroup2", "debugfs", "tracefs",
        "securityfs", "devpts", "devtmpfs", "pstore", "configfs", "fusectl", "mqueue", "hugetlbfs", "efivarfs", "binfmt_misc",
        "autofs", "nsfs", "rpc_pipefs");
    private static final String CATALOG_METADATA = JournalPaths.METADATA_FILE;
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS =
        Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private JournalDirectory()
    {
    }

    /** What {@link #prepare} found: the directory's identity, to check again once Chronicle has opened it. */
    record Checked(Path dir, Object fileKey, boolean created)
    {
    }

    /**
     * Creates {@code dir} (and missing parents) or checks the existing one, as the class says.
     *
     * @throws JournalException naming the directory, what is wrong and, where it helps, what to do.
     */
    static Checked prepare(final Path dir)
    {
        final Path abs = dir.toAbsolutePath();
        requireOrdinaryFileSystem(abs);
        requireAncestorsSafe(abs);
        boolean created = false;
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS))
        {
            created = create(abs);
        }
        final PosixFileAttributes attributes = attributes(abs);
        if (attributes.isSymbolicLink())
        {
            throw refuse(abs, "is a symbolic link; give the directory it points to, if that is meant to be the journal");
        }
        if (!attributes.isDirectory())
        {
            throw refuse(abs, "is not a directory");
        }
        requireOwnedAndPrivate(abs, attributes);
        if (!created)
        {
            requireJournalContents(abs, abs, false);
        }
        return new Checked(abs, attributes.fileKey(), created);
    }

    /** After Chronicle opened the checked directory by its path: still the same directory, not a link put there since. */
    static void requireSame(final Checked checked)
    {
        final PosixFileAttributes now = attributes(checked.dir());
        if (now.isSymbolicLink() || !checked.fileKey().equals(now.fileKey()))
        {
            throw refuse(checked.dir(), "was replaced while the journal was being opened");
        }
    }

    private static boolean create(final Path abs)
    {
        try
        {
            final Path parent = abs.getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
            try
            {
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(JournalFiles.DIRECTORY));
            }
            catch (final FileAlreadyExistsException ex)
            {
                return false; // made meanwhile: checked as any existing directory
            }
            // The umask may have taken more. Not through a link put in its place since: that chmod fails.
            Files.getFileAttributeView(abs, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(JournalFiles.DIRECTORY);
            return true;
        }
        catch (final IOException | SecurityException ex)
        {
            throw new JournalException("journal directory " + abs + " is not writable (cannot create it: " +
                JournalWriter.reason(ex) + ")", ex);
        }
    }

    private static void requireOrdinaryFileSystem(final Path abs)
    {
        Path existing = abs;
        while (existing != null && !Files.exists(existing))
        {
            existing = existing.getParent();
        }
        if (existing == null)
        {
            return;
        }
        try
        {
            final String type = Files.getFileStore(existing).type();
            if (SPECIAL.contains(type))
            {
                throw refuse(abs, "is on a " + type + " file system, which holds the kernel's files, not a journal");
            }
        }
        catch (final IOException ex)
        {
            throw refuse(abs, "cannot tell its file system: " + ex.getMessage());
        }
    }

    private static void requireOwnedAndPrivate(final Path path, final PosixFileAttributes attributes)
    {
        final int owner = uid(path);
        final int self = Libc.effectiveUid();
        if (owner != self)
        {
            throw refuse(path, "is owned by uid " + owner + ", not by this recorder's user (uid " + self + ")");
        }
        if (attributes.permissions().stream().anyMatch(WRITABLE_BY_OTHERS::contains))
        {
            throw refuse(path, "is writable by group or others (" + PosixFilePermissions.toString(attributes.permissions()) +
                "); a journal is written by its recorder alone: chmod go-w");
        }
    }

    /**
     * Chronicle opens the journal by its path again at every roll, so whoever may rename an entry of any directory
     * above it can swap the journal for a link into a place of their choosing, and root writes there: as sshd's
     * StrictModes, every existing ancestor must be owned by root, by this recorder's user or by the user who ran it
     * through sudo (who may act as root anyway), and none may be writable by others (or by a group other than
     * root's) without the sticky bit, which keeps others from renaming what is not theirs.
     */
    private static void requireAncestorsSafe(final Path abs)
    {
        final int self = Libc.effectiveUid();
        final int sudoUser = sudoUid();
        for (Path ancestor = abs.getParent(); ancestor != null; ancestor = ancestor.getParent())
        {
            if (!Files.exists(ancestor))
            {
                continue; // created by this recorder
            }
            try
            {
                final int owner = (Integer)Files.getAttribute(ancestor, "unix:uid");
                final int group = (Integer)Files.getAttribute(ancestor, "unix:gid");
                final int mode = (Integer)Files.getAttribute(ancestor, "unix:mode");
                final boolean sticky = (mode & 01000) != 0;
                if (owner != 0 && owner != self && owner != sudoUser)
                {
                    throw refuse(abs, "lies in " + ancestor + ", owned by uid " + owner + ", who could swap the journal " +
                        "directory for a link; give one under directories that root or this recorder's user owns, " +
                        "such as /var/lib/flowrec/journal");
                }
                if (!sticky && ((mode & 0002) != 0 || ((mode & 0020) != 0 && group != 0)))
                {
                    throw refuse(abs, "lies in " + ancestor + ", which " + ((mode & 0002) != 0 ? "every user" :
                        "group " + group) + " may write without the sticky bit: anyone could swap the journal directory " +
                        "for a link");
                }
            }
            catch (final IOException ex)
            {
                throw refuse(abs, "cannot read the owner and mode of " + ancestor + ": " + ex.getMessage());
            }
        }
    }

    /** The uid that ran this process through sudo, -1 if none. */
    private static int sudoUid()
    {
        final String uid = System.getenv("SUDO_UID");
        try
        {
            return uid == null ? -1 : Integer.parseInt(uid);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** Every entry is one a journal holds, a regular file or the catalog directory, ours and private; no link. */
    private static void requireJournalContents(final Path journal, final Path dir, final boolean catalog)
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path entry : entries)
            {
                final PosixFileAttributes attributes = attributes(entry);
                final String name = entry.getFileName().toString();
                if (attributes.isSymbolicLink())
                {
                    throw refuse(journal, "holds a symbolic link, " + entry + "; a journal holds none");
                }
                if (!catalog && name.equals(Catalog.DIRECTORY) && attributes.isDirectory())
                {
                    requireOwnedAndPrivate(entry, attributes);
                    requireJournalContents(journal, entry, true);
                    continue;
                }
                if (!attributes.isRegularFile() || !recognised(entry, name, catalog))
                {
                    throw refuse(journal, "is not a flowrec journal: it holds " + entry +
                        ", which a journal does not (record into a new or empty directory)");
                }
                requireOwnedAndPrivate(entry, attributes);
            }
        }
        catch (final IOException ex)
        {
            throw refuse(journal, "cannot list " + dir + ": " + ex.getMessage());
        }
    }

    private static boolean recognised(final Path file, final String name, final boolean catalog)
    {
        if (name.endsWith(JournalPaths.CYCLE_FILE_SUFFIX))
        {
            return JournalPaths.startsWith(file, JournalPaths.CYCLE_STORE);
        }
        if (name.equals(CATALOG_METADATA))
        {
            return JournalPaths.startsWith(file, JournalPaths.TABLE_STORE);
        }
        return !catalog && JournalPaths.OWN_FILES.contains(name);
    }

    private static PosixFileAttributes attributes(final Path path)
    {
        try
        {
            return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final NoSuchFileException ex)
        {
            throw new JournalException("journal directory does not exist: " + path, ex);
        }
        catch (final IOException ex)
        {
            throw refuse(path, "cannot read its attributes: " + ex.getMessage());
        }
    }

    private static int uid(final Path path)
    {
        try
        {
            return (Integer)Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException ex)
        {
            throw refuse(path, "cannot read its owner: " + ex.getMessage());
        }
    }

    private static JournalException refuse(final Path path, final String why)
    {
        return new JournalException("refusing journal directory " + path + ": " + why);
    }
}
