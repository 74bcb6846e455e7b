package dev.flowrec.recorder;

import dev.flowrec.syscall.Libc;

/**
 * The process's umask, for tests that open a JournalWriter in the test JVM: the writer sets 027 for the whole
 * process, and the tests that run after them in the same JVM (which make files that other users must read,
 * or build the launcher's class path) must not inherit it. Capture before, restore after.
 */
final class ProcessUmask
{
    private ProcessUmask()
    {
    }

    /** @return the current umask (umask(2) can only be read by setting it: set back at once). */
    static int get()
    {
        final int current = set(0);
        set(current);
        return current;
    }

    /** @return the umask before. */
    static int set(final int mask)
    {
        return Libc.umask(mask);
    }
}
