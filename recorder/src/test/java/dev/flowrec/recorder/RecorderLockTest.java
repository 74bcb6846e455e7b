package dev.flowrec.recorder;

import dev.flowrec.journal.RecorderLockProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorder's dashboard asks the query engine about its own journal, and the engine asks whether a recorder holds
 * the journal's lock. Opening and closing the lock file in the recorder's process would drop its POSIX lock (fcntl(2)):
 * the kernel's lock table ({@code /proc/locks}) must still show the lock after the probe.
 */
class RecorderLockTest
{
    @TempDir
    Path journal;

    @Test
    void shouldKeepTheLockWhenItsOwnProcessProbesIt() throws IOException
    {
        final long pid = ProcessHandle.current().pid();
        try (RecorderLock ignored = RecorderLock.acquire(journal))
        {
            assertTrue(heldInTheKernel(pid), "locked");
            assertEquals(pid, RecorderLockProbe.holder(journal));
            assertEquals(pid, RecorderLockProbe.holder(journal.resolve("x").resolve("..")));
            assertTrue(heldInTheKernel(pid), "the probe dropped the recorder's lock");
        }
        assertFalse(heldInTheKernel(pid), "released at close");
        assertEquals(RecorderLockProbe.NONE, RecorderLockProbe.holder(journal), "a closed lock is not answered from memory");
    }

    private boolean heldInTheKernel(final long pid) throws IOException
    {
        final Object key = Files.readAttributes(journal.resolve(RecorderLockProbe.FILE), BasicFileAttributes.class)
            .fileKey(); // "(dev=...,ino=N)"
        final String text = String.valueOf(key);
        final String inode = text.substring(text.indexOf("ino=") + 4, text.length() - 1);
        for (final String line : Files.readAllLines(Path.of("/proc/locks")))
        {
            final String[] f = line.trim().split("\\s+");
            // "1: POSIX  ADVISORY  WRITE 12345 fd:01:123456 0 EOF"
            if (f.length >= 6 && f[1].equals("POSIX") && f[4].equals(Long.toString(pid)) && f[5].endsWith(":" + inode))
            {
                return true;
            }
        }
        return false;
    }
}
