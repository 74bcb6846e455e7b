package dev.flowrec.ipfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class CollectorTest
{
    @Test
    void shouldParseIpv4Ipv6AndTheDefaultPort()
    {
        assertEquals(new InetSocketAddress("127.0.0.1", 9995), Collector.parse("udp://127.0.0.1:9995").address());
        assertEquals(new InetSocketAddress("::1", 4739), Collector.parse("UDP://[::1]").address());
        assertEquals(new InetSocketAddress("::1", 2055), Collector.parse("udp://[::1]:2055").address());
    }

    @Test
    void shouldSayInOneLineWhatIsWrong()
    {
        assertMessage("tcp://127.0.0.1:4739: unknown scheme 'tcp': only udp:// (IPFIX over UDP, RFC 7011 section 10)",
            "tcp://127.0.0.1:4739");
        assertMessage("127.0.0.1:4739: not a collector URL: use udp://HOST:PORT", "127.0.0.1:4739");
        assertMessage("udp://127.0.0.1:70000: port 70000 out of range 1-65535", "udp://127.0.0.1:70000");
        assertMessage("udp://127.0.0.1:0: port 0 out of range 1-65535", "udp://127.0.0.1:0");
        assertMessage("udp://127.0.0.1:x: port 'x' is not a number", "udp://127.0.0.1:x");
        assertMessage("udp://no-such-host.invalid:4739: cannot resolve host 'no-such-host.invalid'",
            "udp://no-such-host.invalid:4739");
        assertMessage("udp://::1:4739: an IPv6 address goes in brackets: udp://[ADDRESS]:PORT", "udp://::1:4739");
        assertMessage("udp://: no host", "udp://");
        assertMessage("udp://h:1/x: a collector URL is udp://HOST:PORT, with no user, path or query", "udp://h:1/x");
    }

    private static void assertMessage(final String expected, final String url)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Collector.parse(url));
        assertEquals(expected, ex.getMessage());
    }
}
