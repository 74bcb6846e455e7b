package dev.flowrec.syscall;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library's file, memory, namespace and clock calls, one downcall handle per function (netlink's
 * socket calls are in {@link NetlinkSocket}). Calls that report failure through errno capture it in the same
 * downcall: the JVM may run code that clobbers errno between two native calls. A failure is thrown as a
 * {@link SyscallException} naming the call and its target; calls on a hot or expected-to-fail path return
 * -errno instead. Longer than most classes on purpose: it is the one table of the process's libc handles
 * (cilium/ebpf's internal/unix), each wrapper a few lines of the same shape, and splitting it would only
 * spread that table over several files.
 */
public final class Libc
{
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    /** madvise(2): fault the range's pages in, writable, as writes would, without writing (Linux 5.14). */
    public static final int MADV_POPULATE_WRITE = 23;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_BOOTTIME = 7;
    public static final long CGROUP2_SUPER_MAGIC = 0x63677270L;

    private static final int O_RDONLY = 0;
    private static final int O_NOFOLLOW = 0x20000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_DIRECTORY = 0x10000;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int MAP_SHARED = 1;
    private static final int SYNC_FILE_RANGE_WRITE = 2;
    private static final long MAP_FAILED = -1L;
    /** struct stat on x86_64: 144 bytes, st_ino the u64 at 8, st_blocks (512-byte units) the i64 at 64. */
    private static final long STAT_SIZE = 144;
    private static final long STAT_INO_OFFSET = 8;
    private static final long STAT_BLOCKS_OFFSET = 64;
    /** struct statfs on x86_64: 120 bytes, f_type the long at 0. */
    private static final long STATFS_SIZE = 120;
    /** struct flock on x86_64: 32 bytes, l_type the short at 0, l_whence at 2, l_start and l_len the longs at 8 and 16, l_pid the int at 24. */
    private static final long FLOCK_SIZE = 32;
    private static final long FLOCK_PID_OFFSET = 24;
    private static final int F_OFD_GETLK = 36;
    private static final int AT_FDCWD = -100;
    private static final int RENAME_EXCHANGE = 2;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = errnoCall("open",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FCNTL = errnoCall("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL_FLOCK = errnoCall("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle RENAMEAT2 = errnoCall("renameat2",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FLOCK = errnoCall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FSTAT = errnoCall("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FSTATFS = errnoCall("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle STAT = call("stat", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle UMASK = call("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = errnoCall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = errnoCall("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    /** The address as a long, not a MemorySegment: a call on the journal's write path allocates nothing. */
    private static final MethodHandle MADVISE = call("madvise", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SYNC_FILE_RANGE = call("sync_file_range",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle IF_NAMETOINDEX = errnoCall("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle CLOCK_GETTIME = call("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETPAGESIZE = call("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = call("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle ISATTY = call("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle VSNPRINTF = call("vsnprintf",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle STRERROR = call("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc()
    {
    }

    /** Opens a file read-only, close-on-exec; returns the fd. */
    public static int open(final String path)
    {
        return check(tryOpen(path), "open", path);
    }

    /**
     * Opens a file read-only, close-on-exec, unless the path's last component is a symbolic link (O_NOFOLLOW):
     * the fd, or -errno.
     */
    public static int tryOpenNoFollow(final String path)
    {
        return open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    }

    /** Opens a directory read-only, close-on-exec (ENOTDIR for anything else); returns the fd. */
    public static int openDirectory(final String path)
    {
        return check(open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open", path);
    }

    /** As {@link #open(String)}, for a path that may be gone: the fd, or -errno. */
    public static int tryOpen(final String path)
    {
        return open(path, O_RDONLY | O_CLOEXEC);
    }

    /** Closes an fd; a failing close loses nothing we could act on, so its result is ignored. */
    public static void close(final int fd)
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

    /** Reads up to buffer's size from fd (retrying on EINTR); returns the bytes read, 0 at the end. */
    public static long read(final int fd, final MemorySegment buffer, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            while (true)
            {
                final long n = (long)READ.invokeExact(state, fd, buffer, buffer.byteSize());
                if (n >= 0)
                {
                    return n;
                }
                if (errno(state) != EINTR)
                {
                    throw new SyscallException("read", target, errno(state));
                }
            }
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** A new close-on-exec fd for the same open file as fd (fcntl F_DUPFD_CLOEXEC); the caller owns it. */
    public static int dup(final int fd, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final int copy = (int)FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, 0);
            return check(copy < 0 ? -errno(state) : copy, "fcntl", "F_DUPFD_CLOEXEC " + target);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * Who holds a lock on the file behind fd that a write lock on the whole file would conflict with (fcntl
     * F_OFD_GETLK: it reads the kernel's lock table and takes nothing, so a read-only fd will do). Traditional
     * (POSIX) record locks count whoever holds them, this process included.
     *
     * @return 0 when nobody does; the holder's pid for a POSIX lock; -1 for an open file description lock (no pid).
     */
    public static int lockHolder(final int fd, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final MemorySegment flock = arena.allocate(FLOCK_SIZE, 8); // zeroed: l_whence SEEK_SET, l_start 0, l_len 0 (all), l_pid 0
            flock.set(ValueLayout.JAVA_SHORT, 0, F_WRLCK);
            final int rc = (int)FCNTL_FLOCK.invokeExact(state, fd, F_OFD_GETLK, flock);
            check(rc < 0 ? -errno(state) : 0, "fcntl", "F_OFD_GETLK " + target);
            return flock.get(ValueLayout.JAVA_SHORT, 0) == F_UNLCK ? 0 : flock.get(JAVA_INT, FLOCK_PID_OFFSET);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * renameat2(a, b, RENAME_EXCHANGE): swaps two existing paths in one step, so that neither is ever missing.
     *
     * @return 0, or -errno (EINVAL or ENOSYS where the file system cannot exchange; the caller falls back).
     */
    public static int exchange(final String a, final String b)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final int rc = (int)RENAMEAT2.invokeExact(state, AT_FDCWD, arena.allocateFrom(a), AT_FDCWD,
                arena.allocateFrom(b), RENAME_EXCHANGE);
            return rc < 0 ? -errno(state) : 0;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * flock(fd, LOCK_EX | LOCK_NB): a lock on the open file, on any file system and on a directory opened read-only
     * (which fcntl's write locks refuse), released when the last fd to the open file closes.
     *
     * @return whether this fd now holds the lock; false when another open file holds it.
     */
    public static boolean tryLockExclusive(final int fd, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final int rc = (int)FLOCK.invokeExact(state, fd, LOCK_EX | LOCK_NB);
            if (rc < 0 && errno(state) == EAGAIN) // EWOULDBLOCK
            {
                return false;
            }
            check(rc < 0 ? -errno(state) : 0, "flock", "LOCK_EX " + target);
            return true;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** st_ino of the file behind fd (fstat). */
    public static long inode(final int fd, final String target)
    {
        return statField(FSTAT, STAT_SIZE, STAT_INO_OFFSET, fd, "fstat", target);
    }

    /** f_type of the file system fd is on, a *_SUPER_MAGIC (fstatfs). */
    public static long fileSystemType(final int fd, final String target)
    {
        return statField(FSTATFS, STATFS_SIZE, 0, fd, "fstatfs", target);
    }

    /**
     * Bytes a file really occupies on disk (st_blocks × 512, as du counts), 0 when it is gone: Java's file
     * attributes give only the apparent size, which a sparse file overstates.
     */
    public static long allocatedBytes(final String path)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            final int rc = (int)STAT.invokeExact(arena.allocateFrom(path), stat);
            return rc == 0 ? stat.get(JAVA_LONG, STAT_BLOCKS_OFFSET) * 512L : 0;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Sets the process's file mode creation mask (Java has no umask); returns the one before. Never fails. */
    public static int umask(final int mask)
    {
        try
        {
            return (int)UMASK.invokeExact(mask);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Moves the calling OS thread into the namespace behind fd; target names that namespace. */
    public static void setns(final int fd, final int nstype, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            check((int)SETNS.invokeExact(state, fd, nstype) != 0 ? -errno(state) : 0, "setns", target);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Maps length bytes of fd at offset, shared; returns the address. */
    public static long mmap(final long length, final int prot, final int fd, final long offset, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final MemorySegment address =
                (MemorySegment)MMAP.invokeExact(state, MemorySegment.NULL, length, prot, MAP_SHARED, fd, offset);
            check(address.address() == MAP_FAILED ? -errno(state) : 0, "mmap", target);
            return address.address();
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    public static void munmap(final long address, final long length, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            check((int)MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length) != 0 ? -errno(state) : 0,
                "munmap", target);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * madvise(2) on the mapped range at address (page-aligned) for length bytes; 0, or -1 when the advice was not
     * taken (errno is not read: for advice that only saves time, as {@link #MADV_POPULATE_WRITE}). Allocates nothing.
     */
    public static int madvise(final long address, final long length, final int advice)
    {
        try
        {
            return (int)MADVISE.invokeExact(address, length, advice) == 0 ? 0 : -1;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * sync_file_range(2) with SYNC_FILE_RANGE_WRITE: starts the write-back of the range's dirty pages without waiting
     * for it; 0, or -1 when it was not started (errno is not read: it only saves a later fsync's time, and that fsync
     * reports any failure to write).
     */
    public static int startWriteback(final int fd, final long offset, final long length)
    {
        try
        {
            return (int)SYNC_FILE_RANGE.invokeExact(fd, offset, length, SYNC_FILE_RANGE_WRITE) == 0 ? 0 : -1;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** The interface's index in the calling thread's network namespace, or -errno (ENODEV: no such interface). */
    public static int ifNameToIndex(final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final int ifindex = (int)IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
            return ifindex != 0 ? ifindex : errno(state) == 0 ? -ENODEV : -errno(state);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Reads a clock into a caller-owned struct timespec { long tv_sec; long tv_nsec; }: allocates nothing. */
    public static long clockGettimeNs(final int clock, final MemorySegment timespec)
    {
        try
        {
            if ((int)CLOCK_GETTIME.invokeExact(clock, timespec) != 0)
            {
                throw new SyscallException("clock_gettime", "clock " + clock, "failed");
            }
            return timespec.get(JAVA_LONG, 0) * 1_000_000_000L + timespec.get(JAVA_LONG, 8);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    public static int pageSize()
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

    /**
     * The effective uid: the owner of the files this process creates. Not the owner of /proc/self, which is a link
     * owned by root, nor of /proc/PID, which is root's when the process is not dumpable (gained capabilities).
     */
    public static int effectiveUid()
    {
        try
        {
            return (int)GETEUID.invokeExact();
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Whether fd is a terminal (System.console() speaks for stdin and stdout only). */
    public static boolean isatty(final int fd)
    {
        try
        {
            return (int)ISATTY.invokeExact(fd) == 1;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Formats a C format string and its va_list (a print callback's arguments) into buffer; see vsnprintf(3). */
    public static int vsnprintf(final MemorySegment buffer, final MemorySegment format, final MemorySegment args)
    {
        try
        {
            return (int)VSNPRINTF.invokeExact(buffer, buffer.byteSize(), format, args);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    public static String strerror(final int errno)
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

    /** Room for the errno a downcall made with {@code captureCallState("errno")} leaves behind. */
    public static MemorySegment callState(final Arena arena)
    {
        return arena.allocate(CAPTURE);
    }

    public static int errno(final MemorySegment callState)
    {
        return (int)ERRNO.get(callState, 0L);
    }

    /** For a downcall's catch: unchecked exceptions and errors as they are, anything else wrapped. */
    public static RuntimeException rethrow(final Throwable t)
    {
        if (t instanceof RuntimeException re)
        {
            return re;
        }
        if (t instanceof Error e)
        {
            throw e;
        }
        return new SyscallException("native call failed", "", "", 0, t);
    }

    static MethodHandle errnoCall(final String name, final FunctionDescriptor descriptor, final Linker.Option... more)
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

    /** Returns result, or throws "call target: strerror (errno N)" when it is a -errno. */
    private static int check(final int result, final String call, final String target)
    {
        if (result < 0)
        {
            throw new SyscallException(call, target, -result);
        }
        return result;
    }

    /** One long of the struct an fstat-like call fills in. */
    private static long statField(final MethodHandle handle, final long structSize, final long offset, final int fd,
        final String call, final String target)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final MemorySegment struct = arena.allocate(structSize, 8);
            check((int)handle.invokeExact(state, fd, struct) != 0 ? -errno(state) : 0, call, target);
            return struct.get(JAVA_LONG, offset);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    private static int open(final String path, final int flags)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = callState(arena);
            final int fd = (int)OPEN.invokeExact(state, arena.allocateFrom(path), flags, 0);
            return fd < 0 ? -errno(state) : fd;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }
}
