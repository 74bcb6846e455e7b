package dev.flowrec.journal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProtocolsTest
{
    @Test
    void shouldShowTcpFlagsAsNfdumpDoesWithEcnOnceSeen()
    {
        assertEquals(".A..S.", Protocols.tcpFlags(6, 0x12), "SYN-ACK");
        assertEquals("UAPRSF", Protocols.tcpFlags(6, 0x3F));
        assertEquals("CE....S.", Protocols.tcpFlags(6, 0xC2), "an ECN-setup SYN: CWR and ECE shown, as nfdump's extended view");
        assertEquals(".E.A....", Protocols.tcpFlags(6, 0x50), "ECE alone");
        assertEquals("", Protocols.tcpFlags(17, 0xFF), "not TCP");
    }
}
