package dev.flowrec.syscall;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A netlink socket in the network namespace of the thread that opened it (a socket keeps that namespace for
 * life, whatever thread uses it later). Owns its fd, one request buffer and one reusable receive buffer;
 * single-threaded. What goes in the messages (rtnetlink's links, say) is the caller's business: this is the
 * plumbing, with the socket calls it needs.
 */
public final class NetlinkSocket implements AutoCloseable
{
    /** {@link #receive()}: nothing queued on a non-blocking socket. */
    public static final int AGAIN = 0;
    /** {@link #receive()}: messages were lost (ENOBUFS or a datagram larger than the buffer); resynchronise. */
    public static final int OVERRUN = -1;
    /** Room in {@link #request()}. */
    public static final int REQUEST_BYTES = 64;

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    /** recv flag: return the datagram's real length even when it did not fit, so truncation is detectable. */
    private static final int MSG_TRUNC = 0x20;
    /** struct sockaddr_nl { u16 nl_family; u16 nl_pad; u32 nl_pid; u32 nl_groups; } */
    private static final int SOCKADDR_NL_SIZE = 12;
    /** Dump datagrams are at most 32 KiB; notifications are single messages of a few KiB. */
    private static final int BUFFER_BYTES = 64 * 1024;

    private static final MethodHandle SOCKET =
        Libc.errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND =
        Libc.errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME =
        Libc.errnoCall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT =
        Libc.errnoCall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND =
        Libc.errnoCall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV =
        Libc.errnoCall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER_BYTES, 8);
    private final MemorySegment request = arena.allocate(REQUEST_BYTES, 8);
    private final MemorySegment callState = Libc.callState(arena);
    private final int fd;
    private final int portId;
    private final int groups;
    private boolean closed;

    private NetlinkSocket(final int fd, final int portId, final int groups)
    {
        this.fd = fd;
        this.portId = portId;
        this.groups = groups;
    }

    /**
     * Opens a netlink socket in the calling thread's network namespace and binds it to a port id of the
     * kernel's choosing.
     *
     * @param protocol    e.g. NETLINK_ROUTE (0).
     * @param groups      multicast groups to join, e.g. {@code RTMGRP_LINK} (1) for link notifications; 0 for none.
     * @param nonBlocking true for a socket polled from an agent's duty cycle.
     */
    public static NetlinkSocket open(final int protocol, final int groups, final boolean nonBlocking)
    {
        final int type = SOCK_RAW | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment state = Libc.callState(arena);
            final int fd = (int)SOCKET.invokeExact(state, AF_NETLINK, type, protocol);
            if (fd < 0)
            {
                throw new SyscallException("socket", "AF_NETLINK protocol " + protocol, Libc.errno(state));
            }
            try
            {
                return new NetlinkSocket(fd, bind(arena, state, fd, groups), groups);
            }
            catch (final Throwable t)
            {
                Libc.close(fd);
                throw t;
            }
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** Shrinks or grows SO_RCVBUF; tests use a tiny one to provoke ENOBUFS. */
    public void receiveBufferSize(final int bytes)
    {
        try (Arena local = Arena.ofConfined())
        {
            final MemorySegment value = local.allocateFrom(JAVA_INT, bytes);
            if ((int)SETSOCKOPT.invokeExact(callState, fd, SOL_SOCKET, SO_RCVBUF, value, 4) != 0)
            {
                throw new SyscallException("setsockopt", "SO_RCVBUF " + bytes + " on netlink socket fd " + fd,
                    Libc.errno(callState));
            }
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** The port id the kernel gave this socket: replies to our requests carry it, multicast notifications do not. */
    public int portId()
    {
        return portId;
    }

    public int groups()
    {
        return groups;
    }

    /** Where the next request is written before {@link #send}: {@link #REQUEST_BYTES} long. */
    public MemorySegment request()
    {
        return request;
    }

    /**
     * Sends the first length bytes of {@link #request()} to the kernel. Returns false when the kernel refuses
     * with EBUSY (for a dump: one is still running on this socket); throws on other errors, naming what.
     */
    public boolean send(final int length, final String what)
    {
        try
        {
            if ((long)SEND.invokeExact(callState, fd, request, (long)length, 0) >= 0)
            {
                return true;
            }
            final int errno = Libc.errno(callState);
            if (errno == Libc.EBUSY)
            {
                return false;
            }
            throw new SyscallException("send", what + " on netlink socket fd " + fd, errno);
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /**
     * Receives one datagram into {@link #buffer()}: returns its length, {@link #AGAIN} when nothing is queued
     * (non-blocking socket) or {@link #OVERRUN} when notifications were lost. Allocates nothing.
     */
    public int receive()
    {
        try
        {
            while (true)
            {
                final long n = (long)RECV.invokeExact(callState, fd, buffer, buffer.byteSize(), MSG_TRUNC);
                if (n > BUFFER_BYTES)
                {
                    return OVERRUN;
                }
                if (n >= 0)
                {
                    return (int)n;
                }
                final int errno = Libc.errno(callState);
                switch (errno)
                {
                    case Libc.EINTR ->
                    {
                    }
                    case Libc.EAGAIN ->
                    {
                        return AGAIN;
                    }
                    case Libc.ENOBUFS ->
                    {
                        return OVERRUN;
                    }
                    default -> throw new SyscallException("recv", "on netlink socket fd " + fd + " (port " + portId + ")", errno);
                }
            }
        }
        catch (final Throwable t)
        {
            throw Libc.rethrow(t);
        }
    }

    /** The receive buffer, valid until the next {@link #receive()}. */
    public MemorySegment buffer()
    {
        return buffer;
    }

    /** Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            Libc.close(fd);
            arena.close();
        }
    }

    /** Binds fd with the given multicast groups to a kernel-chosen port id; returns that port id. */
    private static int bind(final Arena arena, final MemorySegment state, final int fd, final int groups)
        throws Throwable
    {
        final MemorySegment address = arena.allocate(SOCKADDR_NL_SIZE, 4);
        address.set(JAVA_SHORT, 0, (short)AF_NETLINK);
        address.set(JAVA_INT, 8, groups);
        if ((int)BIND.invokeExact(state, fd, address, SOCKADDR_NL_SIZE) != 0)
        {
            throw new SyscallException("bind", "netlink socket fd " + fd + " groups 0x" + Integer.toHexString(groups),
                Libc.errno(state));
        }
        final MemorySegment length = arena.allocateFrom(JAVA_INT, SOCKADDR_NL_SIZE);
        if ((int)GETSOCKNAME.invokeExact(state, fd, address, length) != 0)
        {
            throw new SyscallException("getsockname", "netlink socket fd " + fd, Libc.errno(state));
        }
        return address.get(JAVA_INT, 4);
    }
}
