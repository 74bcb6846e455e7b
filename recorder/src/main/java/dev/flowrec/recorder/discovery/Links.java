package dev.flowrec.recorder.discovery;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import dev.flowrec.syscall.NetlinkSocket;
import dev.flowrec.syscall.SyscallException;

/** One-shot, blocking rtnetlink queries in the calling thread's network namespace. */
public final class Links
{
    private static final int ATTEMPTS = 5;

    private Links()
    {
    }

    /** Every link of the calling thread's network namespace, loopback included. */
    public static List<Link> dump()
    {
        try (NetlinkSocket socket = Rtnl.openRoute(0, false))
        {
            return dump(socket);
        }
    }

    /** Dumps over an open blocking socket, retrying a dump the kernel marks interrupted by a concurrent change. */
    static List<Link> dump(final NetlinkSocket socket)
    {
        for (int seq = 1; seq <= ATTEMPTS; seq++)
        {
            if (!Rtnl.requestLinkDump(socket, seq))
            {
                throw new SyscallException("RTM_GETLINK", "dump on port " + socket.portId(), "a dump is already running");
            }
            final List<Link> links = new ArrayList<>();
            if (collect(socket, seq, links))
            {
                return links;
            }
        }
        throw new SyscallException("RTM_GETLINK", "dump", "interrupted by concurrent changes " + ATTEMPTS + " times");
    }

    /**
     * The namespace id the socket's namespace gives the namespace behind nsFd, or -1 when it has none (no
     * veth or other link joins the two). For a veth this is the {@link Link#linkNetnsId()} of its host end.
     */
    static int nsid(final NetlinkSocket socket, final int seq, final int nsFd)
    {
        Rtnl.requestNsid(socket, seq, nsFd);
        while (true)
        {
            final int n = receiveBlocking(socket, "RTM_GETNSID", "for fd " + nsFd);
            final MemorySegment buffer = socket.buffer();
            for (int offset = 0; offset + Rtnl.NLMSG_HDRLEN <= n; )
            {
                final int length = Rtnl.messageLength(buffer, offset);
                if (length < Rtnl.NLMSG_HDRLEN || offset + length > n)
                {
                    break;
                }
                if (Rtnl.messageSeq(buffer, offset) == seq)
                {
                    final int type = Rtnl.messageType(buffer, offset);
                    if (type == Rtnl.RTM_NEWNSID)
                    {
                        return Rtnl.decodeNsid(buffer, offset, length);
                    }
                    if (type == Rtnl.NLMSG_ERROR)
                    {
                        throw new SyscallException("RTM_GETNSID", "for fd " + nsFd, -Rtnl.errorCode(buffer, offset));
                    }
                }
                offset += Rtnl.align(length);
            }
        }
    }

    /** Reads one dump to its NLMSG_DONE; false when the kernel flagged it inconsistent. */
    private static boolean collect(final NetlinkSocket socket, final int seq, final List<Link> links)
    {
        boolean consistent = true;
        while (true)
        {
            final int n = receiveBlocking(socket, "RTM_GETLINK", "dump");
            final MemorySegment buffer = socket.buffer();
            for (int offset = 0; offset + Rtnl.NLMSG_HDRLEN <= n; )
            {
                final int length = Rtnl.messageLength(buffer, offset);
                if (length < Rtnl.NLMSG_HDRLEN || offset + length > n)
                {
                    break;
                }
                if (Rtnl.messageSeq(buffer, offset) == seq && Rtnl.messagePortId(buffer, offset) == socket.portId())
                {
                    consistent &= (Rtnl.messageFlags(buffer, offset) & Rtnl.NLM_F_DUMP_INTR) == 0;
                    switch (Rtnl.messageType(buffer, offset))
                    {
                        case Rtnl.RTM_NEWLINK -> links.add(Rtnl.decodeLink(buffer, offset, length));
                        case Rtnl.NLMSG_DONE ->
                        {
                            return consistent;
                        }
                        case Rtnl.NLMSG_ERROR ->
                            throw new SyscallException("RTM_GETLINK", "dump", -Rtnl.errorCode(buffer, offset));
                        default ->
                        {
                        }
                    }
                }
                offset += Rtnl.align(length);
            }
        }
    }

    private static int receiveBlocking(final NetlinkSocket socket, final String request, final String target)
    {
        final int n = socket.receive();
        if (n == NetlinkSocket.OVERRUN)
        {
            throw new SyscallException(request, target + " on port " + socket.portId(), "reply lost (socket overrun)");
        }
        return n;
    }
}
