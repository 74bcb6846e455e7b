package dev.flowrec.journal;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import net.openhft.chronicle.queue.impl.StoreFileListener;

/**
 * A journal records who talked to whom: its directories are 0750 and its files 0640 whatever the umask, so
 * that only its owner writes it and only the owner's group reads it. Cycle files are restricted as Chronicle
 * creates them (a {@link StoreFileListener}), the rest when a writer opens the journal.
 */
final class JournalFiles implements StoreFileListener
{
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-x---");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r-----");
    static final JournalFiles LISTENER = new JournalFiles();

    private JournalFiles()
    {
    }

    /** Restricts a journal (or catalog) directory and the files directly in it. */
    static void restrict(final Path dir)
    {
        set(dir, DIRECTORY);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path entry : entries)
            {
                if (Files.isRegularFile(entry))
                {
                    set(entry, FILE);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list journal directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    public void onAcquired(final int cycle, final File file)
    {
        set(file.toPath(), FILE);
    }

    public void onReleased(final int cycle, final File file)
    {
        // nothing to do when a cycle file is released
    }

    private static void set(final Path path, final Set<PosixFilePermission> permissions)
    {
        try
        {
            Files.setPosixFilePermissions(path, permissions);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot restrict permissions of " + path + ": " + ex.getMessage(), ex);
        }
    }
}
