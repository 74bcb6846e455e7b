package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Raw libc bindings, one downcall handle per function. Calls that report failure through errno capture it
 * in the same downcall: the JVM may run code that clobbers errno between two native calls.
 */
final class Libc
{
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int O_DIRECTORY = 0x10000;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final long CGROUP2_SUPER_MAGIC = 0x63677270L;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int CLONE_NEWNET = 0x40000000;
    static final int CLOCK_REALTIME = 0;
    static final int CLOCK_BOOTTIME = 7;
    static final int ENOENT = 2;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;
    static final int EINVAL = 22;

    private static final long MAP_FAILED = -1L;
    /** struct stat on x86_64: 144 bytes, st_ino the u64 at 8. */
    private static final long STAT_SIZE = 144;
    private static final long STAT_INO_OFFSET = 8;
    /** struct statfs on x86_64: 120 bytes, f_type the long at 0. */
    private static final long STATFS_SIZE = 120;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = errnoCall("open",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = errnoCall("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FSTAT = errnoCall("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FSTATFS = errnoCall("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = errnoCall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = errnoCall("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle IF_NAMETOINDEX = errnoCall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle CLOCK_GETTIME = call("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETPAGESIZE = call("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = call("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc()
    {
    }

    /** Opens a file read-only, close-on-exec; returns the fd. */
    static int open(final String path)
    {
        return open(path, O_RDONLY | O_CLOEXEC);
    }

    /** Opens a directory read-only, close-on-exec (O_DIRECTORY: ENOTDIR for anything else); returns the fd. */
    static int openDirectory(final String path)
    {
        return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }

    private static int open(final String path, final int flags)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final int fd = (int)OPEN.invokeExact(state, arena.allocateFrom(path), flags, 0);
            if (fd < 0)
            {
                throw BpfException.errno("open " + path, errno(state));
            }
            return fd;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** A new close-on-exec fd for the same open file as fd; the caller owns it. */
    static int dup(final int fd, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final int copy = (int)FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, 0);
            if (copy < 0)
            {
                throw BpfException.errno(what, errno(state));
            }
            return copy;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** st_ino of the file behind fd. */
    static long inode(final int fd, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            if ((int)FSTAT.invokeExact(state, fd, stat) != 0)
            {
                throw BpfException.errno(what, errno(state));
            }
            return stat.get(JAVA_LONG, STAT_INO_OFFSET);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** f_type of the file system fd is on (a *_SUPER_MAGIC). */
    static long fileSystemType(final int fd, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final MemorySegment statfs = arena.allocate(STATFS_SIZE, 8);
            if ((int)FSTATFS.invokeExact(state, fd, statfs) != 0)
            {
                throw BpfException.errno(what, errno(state));
            }
            return statfs.get(JAVA_LONG, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Closes an fd; a failing close loses nothing we could act on, so its result is ignored. */
    static void close(final int fd)
    {
        try
        {
            final int ignored = (int)CLOSE.invokeExact(fd);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Moves the calling OS thread into the namespace behind fd. */
    static void setns(final int fd, final int nstype, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            if ((int)SETNS.invokeExact(state, fd, nstype) != 0)
            {
                throw BpfException.errno(what, errno(state));
            }
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Maps length bytes of fd at offset, shared; returns the address. */
    static long mmap(final long length, final int prot, final int fd, final long offset, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final MemorySegment address =
                (MemorySegment)MMAP.invokeExact(state, MemorySegment.NULL, length, prot, MAP_SHARED, fd, offset);
            if (address.address() == MAP_FAILED)
            {
                throw BpfException.errno(what, errno(state));
            }
            return address.address();
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void munmap(final long address, final long length, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            if ((int)MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length) != 0)
            {
                throw BpfException.errno(what, errno(state));
            }
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Returns the interface's index in the calling thread's network namespace, or 0 with errno. */
    static int ifNameToIndex(final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            return (int)IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Reads a clock into a caller-owned struct timespec { long tv_sec; long tv_nsec; }. */
    static long clockGettimeNs(final int clock, final MemorySegment timespec)
    {
        try
        {
            if ((int)CLOCK_GETTIME.invokeExact(clock, timespec) != 0)
            {
                throw new BpfException("clock_gettime(" + clock + ") failed");
            }
            return timespec.get(JAVA_LONG, 0) * 1_000_000_000L + timespec.get(JAVA_LONG, 8);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static int pageSize()
    {
        try
        {
            return (int)GETPAGESIZE.invokeExact();
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static String strerror(final int errno)
    {
        try
        {
            // glibc returns a static string for every known errno and a per-thread buffer otherwise.
            final MemorySegment text = (MemorySegment)STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        }
        catch (final Throwable t)
        {
            return "errno " + errno;
        }
    }

    static int errno(final MemorySegment captureState)
    {
        return (int)ERRNO.get(captureState, 0L);
    }

    static StructLayout captureLayout()
    {
        return CAPTURE;
    }

    static RuntimeException rethrow(final Throwable t)
    {
        if (t instanceof RuntimeException re)
        {
            return re;
        }
        if (t instanceof Error e)
        {
            throw e;
        }
        return new BpfException("native call failed", t);
    }

    private static MethodHandle errnoCall(final String name, final FunctionDescriptor descriptor, final Linker.Option... more)
    {
        final Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
    }

    private static MethodHandle call(final String name, final FunctionDescriptor descriptor)
    {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor);
    }
}
