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

    @Test
    void shouldNameIanaProtocolsAndReadTheNamesBack()
    {
        assertEquals("igmp", Protocols.keyword(2));
        assertEquals("gre", Protocols.keyword(47));
        assertEquals("esp", Protocols.keyword(50));
        assertEquals("icmpv6", Protocols.keyword(58));
        assertEquals("ospfigp", Protocols.keyword(89));
        assertEquals("vrrp", Protocols.keyword(112));
        assertEquals("sctp", Protocols.keyword(132));
        assertEquals("nsh", Protocols.keyword(145));
        assertEquals("61", Protocols.keyword(61), "IANA has no keyword for 61");
        assertEquals("253", Protocols.keyword(253), "experimentation");
        assertEquals("47", Protocols.name(47), "the CSV/export name keeps its contract");
        for (int p = 0; p < 256; p++)
        {
            final String keyword = Protocols.keyword(p);
            assertEquals(Character.isDigit(keyword.charAt(0)) && !"3pc".equals(keyword) ? -1 : p,
                Protocols.number(keyword), keyword);
        }
        assertEquals(58, Protocols.number("ICMP6"));
        assertEquals(89, Protocols.number("ospf"));
        assertEquals(-1, Protocols.number("bogus"));
    }
}
