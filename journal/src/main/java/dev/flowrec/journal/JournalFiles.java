package dev.flowrec.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import dev.flowrec.syscall.Libc;

/**
 * A journal records who talked to whom: its directories are 0750 and its files 0640 whatever the umask, so
 * that only its owner writes it and only the owner's group reads it. A writer sets the process's umask to
 * 027 (Java has no umask: {@link Libc#umask}), so every file Chronicle creates later, cycle files rolled
 * hours on included, is born restricted. What existed before is left as it is (JournalDirectory refuses a journal
 * that others may write): a writer changes no mode of anything it did not create.
 */
final class JournalFiles
{
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-x---");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r-----");
    private static final int UMASK = 0027;

    private JournalFiles()
    {
    }

    /** Files this process creates from now on are at most 0640, directories 0750. */
    static void restrictUmask()
    {
        Libc.umask(UMASK);
    }
}
