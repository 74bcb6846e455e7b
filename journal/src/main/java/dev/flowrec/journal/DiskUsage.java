package dev.flowrec.journal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Bytes a file really occupies on disk (st_blocks × 512, as du counts). Chronicle preallocates cycle files
 * sparsely (tens of MB apparent, a few KB used), so a size bound on apparent sizes would delete live data
 * for nothing; Java's file attributes do not expose st_blocks, so this asks libc's stat(2).
 */
final class DiskUsage
{
    /** struct stat on x86_64 Linux: 144 bytes, st_blocks at offset 64. */
    private static final long STAT_SIZE = 144;
    private static final long ST_BLOCKS_OFFSET = 64;
    private static final MethodHandle STAT = Linker.nativeLinker().downcallHandle(
        Linker.nativeLinker().defaultLookup().findOrThrow("stat"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private DiskUsage()
    {
    }

    /** @return bytes allocated to the file, 0 when it is gone. */
    static long bytes(final Path file)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            final int rc = (int)STAT.invokeExact(arena.allocateFrom(file.toString()), stat);
            return rc == 0 ? stat.get(JAVA_LONG, ST_BLOCKS_OFFSET) * 512L : 0;
        }
        catch (final Throwable ex)
        {
            throw new JournalException("stat " + file + ": " + ex, ex);
        }
    }
}
