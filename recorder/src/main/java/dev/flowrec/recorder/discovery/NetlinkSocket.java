package dev.flowrec.recorder.discovery;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.flowrec.bpf.BpfException;

/**
 * An rtnetlink (NETLINK_ROUTE) socket in the network namespace of the thread that opened it (a socket keeps
 * that namespace for life, whatever thread uses it later). Owns its fd and one reusable receive buffer;
 * single-threaded.
 */
public final class NetlinkSocket implements AutoCloseable
{
    /** {@link #receive()}: nothing queued on a non-blocking socket. */
    public static final int AGAIN = 0;
    /** {@link #receive()}: messages were lost (ENOBUFS or a datagram larger than the buffer); resynchronise. */
    public static final int OVERRUN = -1;

    /** Dump datagrams are at most 32 KiB; notifications are single messages of a few KiB. */
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int REQUEST_BYTES = 64;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER_BYTES, 8);
    private final MemorySegment request = arena.allocate(REQUEST_BYTES, 8);
    private final MemorySegment callState = NetlinkLibc.allocateCallState(arena);
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
     * Opens and binds a NETLINK_ROUTE socket in the calling thread's network namespace.
     *
     * @param groups      multicast groups to join, e.g. {@code RTMGRP_LINK} (1) for link notifications; 0 for none.
     * @param nonBlocking true for a socket polled from an agent's duty cycle.
     */
    public static NetlinkSocket openRoute(final int groups, final boolean nonBlocking)
    {
        final int fd = NetlinkLibc.socket(Rtnl.NETLINK_ROUTE, nonBlocking);
        try
        {
            return new NetlinkSocket(fd, NetlinkLibc.bind(fd, groups), groups);
        }
        catch (final RuntimeException e)
        {
            NetlinkLibc.close(fd);
            throw e;
        }
    }

    /** Shrinks or grows SO_RCVBUF; tests use a tiny one to provoke ENOBUFS. */
    void receiveBufferSize(final int bytes)
    {
        NetlinkLibc.setReceiveBufferSize(fd, bytes);
    }

    /** The port id the kernel gave this socket: replies to our requests carry it, multicast notifications do not. */
    public int portId()
    {
        return portId;
    }

    /**
     * Asks for a dump of every link. Returns false when the kernel refuses with EBUSY because a dump is
     * still running on this socket (retry after its NLMSG_DONE); throws on other errors.
     */
    public boolean requestLinkDump(final int seq)
    {
        return send(Rtnl.putGetLinkDump(request, seq), "RTM_GETLINK dump");
    }

    /** Asks for the current state of one link; the reply carries this seq and {@link #portId()}. */
    public void requestLink(final int seq, final int ifindex)
    {
        send(Rtnl.putGetLink(request, seq, ifindex), "RTM_GETLINK ifindex " + ifindex);
    }

    /** Asks for the id this socket's namespace gives to the namespace behind nsFd (reply: RTM_NEWNSID). */
    void requestNsid(final int seq, final int nsFd)
    {
        send(Rtnl.putGetNsid(request, seq, nsFd), "RTM_GETNSID");
    }

    /**
     * Receives one datagram into {@link #buffer()}: returns its length, {@link #AGAIN} when nothing is queued
     * (non-blocking socket) or {@link #OVERRUN} when notifications were lost.
     */
    public int receive()
    {
        while (true)
        {
            final int n = NetlinkLibc.recv(fd, buffer, callState);
            if (n > BUFFER_BYTES)
            {
                return OVERRUN;
            }
            if (n >= 0)
            {
                return n;
            }
            switch (-n)
            {
                case NetlinkLibc.EINTR ->
                {
                }
                case NetlinkLibc.EAGAIN ->
                {
                    return AGAIN;
                }
                case NetlinkLibc.ENOBUFS ->
                {
                    return OVERRUN;
                }
                default -> throw BpfException.errno("recv on netlink socket fd " + fd + " (port " + portId + ")", -n);
            }
        }
    }

    /** The receive buffer, valid until the next {@link #receive()}. */
    public MemorySegment buffer()
    {
        return buffer;
    }

    public int groups()
    {
        return groups;
    }

    /** Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            NetlinkLibc.close(fd);
            arena.close();
        }
    }

    private boolean send(final int length, final String what)
    {
        final int result = NetlinkLibc.send(fd, request, length, callState);
        if (result == -NetlinkLibc.EBUSY)
        {
            return false;
        }
        if (result < 0)
        {
            throw BpfException.errno("send " + what + " on netlink socket fd " + fd, -result);
        }
        return true;
    }
}
