package dev.flowrec.syscall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One downcall or more of each family against the real kernel: files, memory, process, clocks, text. */
class LibcTest
{
    /** statfs(2): the magic of procfs. */
    private static final long PROC_SUPER_MAGIC = 0x9fa0L;

    @TempDir
    Path dir;

    @Test
    void shouldOpenStatAndDuplicateFiles() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("f"), "x");
        final int fd = Libc.open(file.toString());
        try
        {
            assertEquals((Long)Files.getAttribute(file, "unix:ino"), Libc.inode(fd, file.toString()));
            final int copy = Libc.dup(fd, "of " + file);
            assertTrue(copy > fd, "a new fd: " + copy);
            assertEquals(Libc.inode(fd, "fd"), Libc.inode(copy, "copy"));
            Libc.close(copy);
        }
        finally
        {
            Libc.close(fd);
        }
        final int proc = Libc.openDirectory("/proc");
        try
        {
            assertEquals(PROC_SUPER_MAGIC, Libc.fileSystemType(proc, "/proc"));
        }
        finally
        {
            Libc.close(proc);
        }
    }

    @Test
    void shouldNameTheFileThatCannotBeOpened()
    {
        final String missing = dir.resolve("missing").toString();
        assertEquals(-Libc.ENOENT, Libc.tryOpen(missing));
        final SyscallException e = assertThrows(SyscallException.class, () -> Libc.open(missing));
        assertEquals("open " + missing + ": No such file or directory (errno 2)", e.getMessage());
        final SyscallException notDir = assertThrows(SyscallException.class, () -> Libc.openDirectory("/proc/self/stat"));
        assertEquals(Libc.ENOTDIR, notDir.errno());
        final SyscallException badFd = assertThrows(SyscallException.class, () -> Libc.inode(-1, "nothing"));
        assertEquals("fstat nothing: Bad file descriptor (errno 9)", badFd.getMessage());
    }

    @Test
    void shouldCountAllocatedBlocksNotTheApparentSize() throws IOException
    {
        final Path dense = Files.write(dir.resolve("dense"), new byte[64 * 1024]);
        assertTrue(Libc.allocatedBytes(dense.toString()) >= 64 * 1024, () -> "" + Libc.allocatedBytes(dense.toString()));
        final Path sparse = dir.resolve("sparse");
        try (FileChannel channel = FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[]{ 1 }), 64L << 20);
        }
        assertTrue(Libc.allocatedBytes(sparse.toString()) < 1 << 20, "64 MiB apparent, a block or two used");
        assertEquals(0, Libc.allocatedBytes(dir.resolve("gone").toString()));
    }

    @Test
    void shouldMapAFileAndUnmapIt() throws IOException
    {
        final int pageSize = Libc.pageSize();
        assertEquals(1, Integer.bitCount(pageSize), "a power of two: " + pageSize);
        final byte[] bytes = new byte[pageSize];
        Arrays.fill(bytes, (byte)7);
        final Path file = Files.write(dir.resolve("page"), bytes);
        final int fd = Libc.open(file.toString());
        try
        {
            final long address = Libc.mmap(pageSize, Libc.PROT_READ, fd, 0, "page of " + file);
            final MemorySegment page = MemorySegment.ofAddress(address).reinterpret(pageSize);
            assertArrayEquals(bytes, page.toArray(ValueLayout.JAVA_BYTE));
            Libc.munmap(address, pageSize, "page of " + file);

            final SyscallException e = assertThrows(SyscallException.class,
                () -> Libc.mmap(pageSize, Libc.PROT_READ, fd, 1, "at an unaligned offset"));
            assertEquals("mmap at an unaligned offset: Invalid argument (errno 22)", e.getMessage());
        }
        finally
        {
            Libc.close(fd);
        }
        final SyscallException e = assertThrows(SyscallException.class, () -> Libc.munmap(1, pageSize, "address 1"));
        assertEquals(Libc.EINVAL, e.errno());
    }

    @Test
    void shouldSetTheUmaskAndGiveTheOldOneBack()
    {
        final int before = Libc.umask(0077);
        try
        {
            assertEquals(0077, Libc.umask(0027));
        }
        finally
        {
            Libc.umask(before);
        }
    }

    @Test
    void shouldReadClocksWithoutAllocating()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment timespec = arena.allocate(16, 8);
            final long boot = Libc.clockGettimeNs(Libc.CLOCK_BOOTTIME, timespec);
            assertTrue(boot > 0 && Libc.clockGettimeNs(Libc.CLOCK_BOOTTIME, timespec) >= boot);
            final long wallMs = Libc.clockGettimeNs(Libc.CLOCK_REALTIME, timespec) / 1_000_000;
            assertTrue(Math.abs(wallMs - System.currentTimeMillis()) < 10_000, "realtime " + wallMs);
            final SyscallException e = assertThrows(SyscallException.class, () -> Libc.clockGettimeNs(-99, timespec));
            assertEquals("clock_gettime clock -99: failed", e.getMessage());
        }
    }

    @Test
    void shouldTellTerminalsAndErrorTexts() throws IOException
    {
        final int fd = Libc.open(Files.writeString(dir.resolve("t"), "").toString());
        try
        {
            assertFalse(Libc.isatty(fd));
        }
        finally
        {
            Libc.close(fd);
        }
        assertEquals("Operation not permitted", Libc.strerror(Libc.EPERM));
        assertEquals("No buffer space available", Libc.strerror(Libc.ENOBUFS));
    }

    @Test
    void shouldSeeWhoHoldsAWriteLockThroughAReadOnlyFd() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("recorder.lock"), "");
        final int fd = Libc.open(file.toString());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            assertEquals(0, Libc.lockHolder(fd, file.toString()), "nobody holds it yet");
            try (var lock = channel.lock())
            {
                final int holder = Libc.lockHolder(fd, file.toString());
                assertTrue(holder == ProcessHandle.current().pid() || holder == -1, "held by this JVM: " + holder);
            }
            assertEquals(0, Libc.lockHolder(fd, file.toString()), "released");
        }
        finally
        {
            Libc.close(fd);
        }
        assertThrows(SyscallException.class, () -> Libc.lockHolder(-1, "nothing"));
    }
}
