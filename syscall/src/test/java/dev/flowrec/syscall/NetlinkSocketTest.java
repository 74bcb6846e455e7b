package dev.flowrec.syscall;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** The socket plumbing against the kernel, with an RTM_GETLINK dump written by hand (rtnetlink's codec is discovery's). */
class NetlinkSocketTest
{
    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_GETLINK = 18;
    private static final int NLM_F_REQUEST_DUMP = 0x301;
    /** nlmsghdr (16) + ifinfomsg (16). */
    private static final int GETLINK_LENGTH = 32;

    @Test
    void shouldSendARequestAndReceiveItsReply()
    {
        try (NetlinkSocket socket = NetlinkSocket.open(NETLINK_ROUTE, 0, false))
        {
            assertTrue(socket.portId() != 0, "the kernel picked a port id");
            assertTrue(socket.send(putGetLinkDump(socket.request(), 7), "RTM_GETLINK dump"));
            final int n = socket.receive();
            assertTrue(n >= GETLINK_LENGTH, "one datagram: " + n);
            final MemorySegment reply = socket.buffer();
            assertEquals(RTM_NEWLINK, reply.get(JAVA_SHORT_UNALIGNED, 4), "the first link (lo)");
            assertEquals(7, reply.get(JAVA_INT_UNALIGNED, 8), "our seq");
            assertEquals(socket.portId(), reply.get(JAVA_INT_UNALIGNED, 12), "to our port");
        }
    }

    @Test
    void shouldSayWhenNothingIsQueued()
    {
        final NetlinkSocket socket = NetlinkSocket.open(NETLINK_ROUTE, 1, true);
        socket.receiveBufferSize(4096);
        assertEquals(1, socket.groups());
        assertEquals(NetlinkSocket.AGAIN, socket.receive());
        socket.close();
        socket.close();
    }

    @Test
    void shouldNameTheCallThatFailed()
    {
        final SyscallException e = assertThrows(SyscallException.class, () -> NetlinkSocket.open(9999, 0, false));
        assertEquals("socket AF_NETLINK protocol 9999: Protocol not supported (errno 93)", e.getMessage());
        assertEquals("socket", e.call());
        assertEquals("AF_NETLINK protocol 9999", e.target());
    }

    private static int putGetLinkDump(final MemorySegment request, final int seq)
    {
        request.asSlice(0, GETLINK_LENGTH).fill((byte)0);
        request.set(JAVA_INT_UNALIGNED, 0, GETLINK_LENGTH);
        request.set(JAVA_SHORT_UNALIGNED, 4, (short)RTM_GETLINK);
        request.set(JAVA_SHORT_UNALIGNED, 6, (short)NLM_F_REQUEST_DUMP);
        request.set(JAVA_INT_UNALIGNED, 8, seq);
        return GETLINK_LENGTH;
    }
}
