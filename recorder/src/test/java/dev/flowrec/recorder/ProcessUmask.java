package dev.flowrec.recorder;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The process's umask, for tests that open a JournalWriter in the test JVM: the writer sets 027 for the whole
 * process, and the tests that run after them in the same JVM (which make files that other users must read,
 * or build the launcher's class path) must not inherit it. Capture before, restore after.
 */
final class ProcessUmask
{
    private static final MethodHandle UMASK = Linker.nativeLinker().downcallHandle(
        Linker.nativeLinker().defaultLookup().findOrThrow("umask"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

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
        try
        {
            return (int)UMASK.invokeExact(mask);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("umask(" + Integer.toOctalString(mask) + "): " + ex, ex);
        }
    }
}
