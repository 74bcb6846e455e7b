package dev.flowrec.recorder.discovery;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import dev.flowrec.bpf.BpfException;

/**
 * The few libc socket calls netlink needs, one downcall handle each. errno is captured in the same downcall
 * (the JVM may clobber it between two native calls). The bpf module keeps its own Libc package-private;
 * these are the calls it does not have.
 */
final class NetlinkLibc
{
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;
    static final int EBUSY = 16;
    static final int ENOENT = 2;
    static final int ESRCH = 3;

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    /** recv flag: return the datagram's real length even when it did not fit, so truncation is detectable. */
    private static final int MSG_TRUNC = 0x20;
    /** struct sockaddr_nl { u16 nl_family; u16 nl_pad; u32 nl_pid; u32 nl_groups; } */
    private static final int SOCKADDR_NL_SIZE = 12;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME =
        errnoCall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT =
        errnoCall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = errnoCall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = errnoCall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle OPEN = errnoCall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
        Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE =
        LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private NetlinkLibc()
    {
    }

    /** socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC [| SOCK_NONBLOCK], protocol). */
    static int socket(final int protocol, final boolean nonBlocking)
    {
        final int type = SOCK_RAW | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final int fd = (int)SOCKET.invokeExact(state, AF_NETLINK, type, protocol);
            if (fd < 0)
            {
                throw BpfException.errno("socket AF_NETLINK protocol " + protocol, errno(state));
            }
            return fd;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Binds to a kernel-chosen port id with the given multicast groups; returns that port id. */
    static int bind(final int fd, final int groups)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final MemorySegment address = arena.allocate(SOCKADDR_NL_SIZE, 4);
            address.set(JAVA_SHORT, 0, (short)AF_NETLINK);
            address.set(JAVA_INT, 8, groups);
            if ((int)BIND.invokeExact(state, fd, address, SOCKADDR_NL_SIZE) != 0)
            {
                throw BpfException.errno("bind netlink socket fd " + fd + " groups 0x" + Integer.toHexString(groups), errno(state));
            }
            final MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, SOCKADDR_NL_SIZE);
            if ((int)GETSOCKNAME.invokeExact(state, fd, address, length) != 0)
            {
                throw BpfException.errno("getsockname netlink socket fd " + fd, errno(state));
            }
            return address.get(JAVA_INT, 4);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    static void setReceiveBufferSize(final int fd, final int bytes)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final MemorySegment value = arena.allocateFrom(JAVA_INT, bytes);
            if ((int)SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVBUF, value, 4) != 0)
            {
                throw BpfException.errno("setsockopt SO_RCVBUF " + bytes + " on netlink socket fd " + fd, errno(state));
            }
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Sends length bytes to the kernel; returns 0 or -errno. */
    static int send(final int fd, final MemorySegment buffer, final int length, final MemorySegment state)
    {
        try
        {
            final long sent = (long)SEND.invokeExact(state, fd, buffer, (long)length, 0);
            return sent < 0 ? -errno(state) : 0;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Receives one datagram; returns its full length (may exceed the buffer: truncated) or -errno. */
    static int recv(final int fd, final MemorySegment buffer, final MemorySegment state)
    {
        try
        {
            final long received = (long)RECV.invokeExact(state, fd, buffer, buffer.byteSize(), MSG_TRUNC);
            return received < 0 ? -errno(state) : (int)received;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** Opens a file read-only, close-on-exec; returns the fd or -errno. */
    static int open(final String path)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = arena.allocate(CAPTURE);
            final int fd = (int)OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC, 0);
            return fd < 0 ? -errno(state) : fd;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** A failing close loses nothing we could act on, so its result is ignored. */
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

    static MemorySegment allocateCallState(final Arena arena)
    {
        return arena.allocate(CAPTURE);
    }

    private static int errno(final MemorySegment state)
    {
        return (int)ERRNO.get(state, 0L);
    }

    private static RuntimeException rethrow(final Throwable t)
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
}
