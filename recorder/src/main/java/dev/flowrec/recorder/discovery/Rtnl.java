package dev.flowrec.recorder.discovery;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import dev.flowrec.syscall.NetlinkSocket;

/**
 * rtnetlink wire layout, host byte order, everything 4-byte aligned. One datagram holds one or more messages:
 * <pre>
 *   0               16                        32
 *   +---------------+-------------------------+--------------------------------------+
 *   | nlmsghdr      | ifinfomsg               | rtattr { u16 len; u16 type; data }   | ...
 *   | u32 len       | u8 family, u8 pad       |   padded to 4; IFLA_LINKINFO nests   |
 *   | u16 type      | u16 type (ARPHRD_*)     |   rtattrs (IFLA_INFO_KIND = string)  |
 *   | u16 flags     | s32 index               |                                      |
 *   | u32 seq       | u32 flags (IFF_*)       |                                      |
 *   | u32 pid       | u32 change              |                                      |
 *   +---------------+-------------------------+--------------------------------------+
 * </pre>
 * Static accessors over a caller-owned segment: parsing allocates only the {@link Link} it returns. Requests are
 * written into a {@link NetlinkSocket}'s request buffer and sent on it.
 */
final class Rtnl
{
    static final int NETLINK_ROUTE = 0;
    static final int RTMGRP_LINK = 1;

    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    /** The dump changed while it was being taken (NLM_F_DUMP_INTR): its result may be inconsistent. */
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_DUMP = 0x300;

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWNSID = 88;
    static final int RTM_GETNSID = 90;

    static final int AF_UNSPEC = 0;
    static final int IFINFOMSG_LEN = 16;
    static final int RTGENMSG_LEN = 4;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_LINK = 5;
    static final int IFLA_MASTER = 10;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_LINK_NETNSID = 37;
    static final int NETNSA_NSID = 1;
    static final int NETNSA_FD = 3;

    private static final int RTA_HDRLEN = 4;
    /** Attribute types carry NLA_F_NESTED and NLA_F_NET_BYTEORDER in their top two bits. */
    private static final int NLA_TYPE_MASK = 0x3fff;

    private Rtnl()
    {
    }

    /** A NETLINK_ROUTE socket in the calling thread's network namespace, joined to groups (e.g. RTMGRP_LINK). */
    static NetlinkSocket openRoute(final int groups, final boolean nonBlocking)
    {
        return NetlinkSocket.open(NETLINK_ROUTE, groups, nonBlocking);
    }

    /**
     * Asks for a dump of every link. Returns false when the kernel refuses with EBUSY because a dump is
     * still running on this socket (retry after its NLMSG_DONE); throws on other errors.
     */
    static boolean requestLinkDump(final NetlinkSocket socket, final int seq)
    {
        return socket.send(putGetLinkDump(socket.request(), seq), "RTM_GETLINK dump");
    }

    /** Asks for the current state of one link; the reply carries this seq and the socket's port id. */
    static void requestLink(final NetlinkSocket socket, final int seq, final int ifindex)
    {
        socket.send(putGetLink(socket.request(), seq, ifindex), "RTM_GETLINK ifindex " + ifindex);
    }

    /** Asks for the id the socket's namespace gives to the namespace behind nsFd (reply: RTM_NEWNSID). */
    static void requestNsid(final NetlinkSocket socket, final int seq, final int nsFd)
    {
        socket.send(putGetNsid(socket.request(), seq, nsFd), "RTM_GETNSID");
    }

    static int align(final int length)
    {
        return (length + 3) & ~3;
    }

    static int messageLength(final MemorySegment buffer, final int offset)
    {
        return buffer.get(JAVA_INT_UNALIGNED, offset);
    }

    static int messageType(final MemorySegment buffer, final int offset)
    {
        return Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED, offset + 4));
    }

    static int messageFlags(final MemorySegment buffer, final int offset)
    {
        return Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED, offset + 6));
    }

    static int messageSeq(final MemorySegment buffer, final int offset)
    {
        return buffer.get(JAVA_INT_UNALIGNED, offset + 8);
    }

    static int messagePortId(final MemorySegment buffer, final int offset)
    {
        return buffer.get(JAVA_INT_UNALIGNED, offset + 12);
    }

    /** The (negative) errno of an NLMSG_ERROR message; 0 is an acknowledgement. */
    static int errorCode(final MemorySegment buffer, final int offset)
    {
        return buffer.get(JAVA_INT_UNALIGNED, offset + NLMSG_HDRLEN);
    }

    /** Writes a request header; returns the offset of the payload. */
    static int putHeader(final MemorySegment buffer, final int length, final int type, final int flags, final int seq)
    {
        buffer.set(JAVA_INT_UNALIGNED, 0, length);
        buffer.set(JAVA_SHORT_UNALIGNED, 4, (short)type);
        buffer.set(JAVA_SHORT_UNALIGNED, 6, (short)flags);
        buffer.set(JAVA_INT_UNALIGNED, 8, seq);
        buffer.set(JAVA_INT_UNALIGNED, 12, 0);
        return NLMSG_HDRLEN;
    }

    /** RTM_GETLINK with NLM_F_DUMP: every link of the socket's namespace. Returns the request length. */
    static int putGetLinkDump(final MemorySegment buffer, final int seq)
    {
        final int length = NLMSG_HDRLEN + IFINFOMSG_LEN;
        buffer.asSlice(0, length).fill((byte)0);
        putHeader(buffer, length, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
        return length;
    }

    /** RTM_GETLINK for one ifindex: the reply is one RTM_NEWLINK, or NLMSG_ERROR (ENODEV) when it is gone. */
    static int putGetLink(final MemorySegment buffer, final int seq, final int ifindex)
    {
        final int length = NLMSG_HDRLEN + IFINFOMSG_LEN;
        buffer.asSlice(0, length).fill((byte)0);
        putHeader(buffer, length, RTM_GETLINK, NLM_F_REQUEST, seq);
        buffer.set(JAVA_INT_UNALIGNED, NLMSG_HDRLEN + 4, ifindex);
        return length;
    }

    /** RTM_GETNSID for the namespace behind nsFd: its id as seen from the socket's namespace. */
    static int putGetNsid(final MemorySegment buffer, final int seq, final int nsFd)
    {
        final int length = NLMSG_HDRLEN + RTGENMSG_LEN + RTA_HDRLEN + 4;
        buffer.asSlice(0, length).fill((byte)0);
        putHeader(buffer, length, RTM_GETNSID, NLM_F_REQUEST, seq);
        final int attr = NLMSG_HDRLEN + RTGENMSG_LEN;
        buffer.set(JAVA_SHORT_UNALIGNED, attr, (short)(RTA_HDRLEN + 4));
        buffer.set(JAVA_SHORT_UNALIGNED, attr + 2, (short)NETNSA_FD);
        buffer.set(JAVA_INT_UNALIGNED, attr + RTA_HDRLEN, nsFd);
        return length;
    }

    /** NETNSA_NSID of an RTM_NEWNSID message, -1 when absent (NETNSA_NSID_NOT_ASSIGNED is -1 too). */
    static int decodeNsid(final MemorySegment buffer, final int offset, final int length)
    {
        final int end = offset + length;
        for (int a = offset + NLMSG_HDRLEN + RTGENMSG_LEN; a + RTA_HDRLEN <= end; )
        {
            final int attrLength = Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED, a));
            if (attrLength < RTA_HDRLEN || a + attrLength > end)
            {
                break;
            }
            if ((buffer.get(JAVA_SHORT_UNALIGNED, a + 2) & NLA_TYPE_MASK) == NETNSA_NSID)
            {
                return buffer.get(JAVA_INT_UNALIGNED, a + RTA_HDRLEN);
            }
            a += align(attrLength);
        }
        return -1;
    }

    /** ifi_family: AF_UNSPEC (0) for a link's own messages; AF_BRIDGE (7) ones describe bridge-port state only. */
    static int linkFamily(final MemorySegment buffer, final int offset)
    {
        return Byte.toUnsignedInt(buffer.get(JAVA_BYTE, offset + NLMSG_HDRLEN));
    }

    /** Decodes an RTM_NEWLINK or RTM_DELLINK message at offset. */
    static Link decodeLink(final MemorySegment buffer, final int offset, final int length)
    {
        final int ifinfo = offset + NLMSG_HDRLEN;
        final int ifindex = buffer.get(JAVA_INT_UNALIGNED, ifinfo + 4);
        final int flags = buffer.get(JAVA_INT_UNALIGNED, ifinfo + 8);
        String name = "";
        String kind = "";
        int linkIfindex = 0;
        int linkNetnsId = -1;
        int master = 0;
        final int end = offset + length;
        for (int a = ifinfo + IFINFOMSG_LEN; a + RTA_HDRLEN <= end; )
        {
            final int attrLength = Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED, a));
            if (attrLength < RTA_HDRLEN || a + attrLength > end)
            {
                break;
            }
            final int payload = a + RTA_HDRLEN;
            final int payloadLength = attrLength - RTA_HDRLEN;
            switch (buffer.get(JAVA_SHORT_UNALIGNED, a + 2) & NLA_TYPE_MASK)
            {
                case IFLA_IFNAME -> name = string(buffer, payload, payloadLength);
                case IFLA_LINK -> linkIfindex = buffer.get(JAVA_INT_UNALIGNED, payload);
                case IFLA_LINK_NETNSID -> linkNetnsId = buffer.get(JAVA_INT_UNALIGNED, payload);
                case IFLA_MASTER -> master = buffer.get(JAVA_INT_UNALIGNED, payload);
                case IFLA_LINKINFO -> kind = nestedString(buffer, payload, payloadLength, IFLA_INFO_KIND);
                default ->
                {
                }
            }
            a += align(attrLength);
        }
        return new Link(ifindex, name, flags, kind, linkIfindex, linkNetnsId, master);
    }

    private static String nestedString(final MemorySegment buffer, final int offset, final int length, final int type)
    {
        final int end = offset + length;
        for (int a = offset; a + RTA_HDRLEN <= end; )
        {
            final int attrLength = Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED, a));
            if (attrLength < RTA_HDRLEN || a + attrLength > end)
            {
                break;
            }
            if ((buffer.get(JAVA_SHORT_UNALIGNED, a + 2) & NLA_TYPE_MASK) == type)
            {
                return string(buffer, a + RTA_HDRLEN, attrLength - RTA_HDRLEN);
            }
            a += align(attrLength);
        }
        return "";
    }

    /** A NUL-terminated string that may lack its NUL: never read past the attribute. */
    private static String string(final MemorySegment buffer, final int offset, final int maxLength)
    {
        int n = 0;
        while (n < maxLength && buffer.get(JAVA_BYTE, offset + n) != 0)
        {
            n++;
        }
        final byte[] bytes = new byte[n];
        MemorySegment.copy(buffer, JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
