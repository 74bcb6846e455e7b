package dev.flowrec.query.filter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class FilterParserTest
{
    static Stream<Arguments> valid()
    {
        return Stream.of(
            arguments("", "any"),
            arguments("   \t ", "any"),
            arguments("any", "any"),
            arguments("tcp", "proto tcp"),
            arguments("TCP", "proto tcp"),
            arguments("udp", "proto udp"),
            arguments("icmp", "proto icmp"),
            arguments("icmpv6", "proto icmpv6"),
            arguments("proto 6", "proto tcp"),
            arguments("Proto UDP", "proto udp"),
            arguments("proto icmp6", "proto icmpv6"),
            arguments("proto 47", "proto 47"),
            arguments("proto gre", "proto 47"),
            arguments("proto ESP", "proto 50"),
            arguments("proto sctp", "proto 132"),
            arguments("proto igmp", "proto 2"),
            arguments("proto ipv6-icmp", "proto icmpv6"),
            arguments("proto 0", "proto 0"),
            arguments("proto 255", "proto 255"),
            arguments("ip 10.0.0.1", "ip 10.0.0.1"),
            arguments("host 10.0.0.1", "ip 10.0.0.1"),
            arguments("src host 10.0.0.1", "src ip 10.0.0.1"),
            arguments("DST IP 0.0.0.0", "dst ip 0.0.0.0"),
            arguments("ip 255.255.255.255", "ip 255.255.255.255"),
            arguments("ip 2001:DB8:0:0:0:0:0:1", "ip 2001:db8::1"),
            arguments("ip 2001:db8:0000:0000:1:0:0:1", "ip 2001:db8::1:0:0:1"),
            arguments("ip ::1", "ip ::1"),
            arguments("ip ::", "ip ::"),
            arguments("ip 1::", "ip 1::"),
            arguments("ip 1:2:3:4:5:6:7::", "ip 1:2:3:4:5:6:7:0"),
            arguments("ip fe80::1:2:3:4", "ip fe80::1:2:3:4"),
            arguments("ip ::ffff:10.0.0.1", "ip 10.0.0.1"),
            arguments("ip ::FFFF:a00:1", "ip 10.0.0.1"),
            arguments("ip ::1.2.3.4", "ip ::102:304"),
            arguments("ip 64:ff9b::192.0.2.1", "ip 64:ff9b::c000:201"),
            arguments("net 10.0.0.0/8", "net 10.0.0.0/8"),
            arguments("net 10.1.2.3/8", "net 10.0.0.0/8"),
            arguments("src net 0.0.0.0/0", "src net 0.0.0.0/0"),
            arguments("net 192.168.1.7/32", "net 192.168.1.7/32"),
            arguments("net 10.0.0.0 mask 255.0.0.0", "net 10.0.0.0/8"),
            arguments("net 10.9.9.9 MASK 255.255.255.255", "net 10.9.9.9/32"),
            arguments("net 10.9.9.9 mask 0.0.0.0", "net 0.0.0.0/0"),
            arguments("net 2001:db8::/32", "net 2001:db8::/32"),
            arguments("net 2001:db8:ffff::/32", "net 2001:db8::/32"),
            arguments("net ::/0", "net ::/0"),
            arguments("net ::1/128", "net ::1/128"),
            arguments("net ::ffff:10.0.0.0/104", "net 10.0.0.0/8"),
            arguments("port 80", "port 80"),
            arguments("port = 80", "port 80"),
            arguments("port == 80", "port 80"),
            arguments("port=80", "port 80"),
            arguments("port != 80", "port != 80"),
            arguments("src port>=1024", "src port >= 1024"),
            arguments("dst port < 1024", "dst port < 1024"),
            arguments("port > 0", "port > 0"),
            arguments("port <= 65535", "port <= 65535"),
            arguments("port 1024-65535", "port 1024-65535"),
            arguments("portrange 1024-65535", "port 1024-65535"),
            arguments("dst portrange 0-1023", "dst port 0-1023"),
            arguments("port 80-80", "port 80"),
            arguments("port 080", "port 80"),
            arguments("iface eth0", "iface eth0"),
            arguments("iface eth0.100", "iface eth0.100"),
            arguments("iface tcp", "iface tcp"),
            arguments("container web", "container web"),
            arguments("container 3f2a9c", "container 3f2a9c"),
            arguments("direction in", "direction in"),
            arguments("DIRECTION OUT", "direction out"),
            arguments("flags S", "flags S"),
            arguments("flags sa", "flags AS"),
            arguments("flags SAFRPUEC", "flags CEUAPRSF"),
            arguments("flags SS", "flags S"),
            arguments("bytes > 1M", "bytes > 1M"),
            arguments("bytes>1000000", "bytes > 1000000"),
            arguments("bytes>1048576", "bytes > 1M"),
            arguments("bytes 1536000", "bytes = 1500k"),
            arguments("packets 1500000", "packets = 1500k"),
            arguments("bytes == 64K", "bytes = 64k"),
            arguments("packets >= 1.5k", "packets >= 1500"),
            arguments("packets != 2g", "packets != 2G"),
            arguments("bytes < 0", "bytes < 0"),
            arguments("bytes <= 3t", "bytes <= 3T"),
            arguments("bytes > 9223372036854775807", "bytes > 9223372036854775807"),
            arguments("family 4", "family 4"),
            arguments("inet", "family 4"),
            arguments("family inet6", "family 6"),
            arguments("inet6", "family 6"),
            arguments("tcp or udp and port 53", "proto tcp or proto udp and port 53"),
            arguments("(tcp or udp) and port 53", "(proto tcp or proto udp) and port 53"),
            arguments("tcp port 80", "proto tcp and port 80"),
            arguments("tcp dst port 80 or udp", "proto tcp and dst port 80 or proto udp"),
            arguments("not tcp", "not proto tcp"),
            arguments("! tcp", "not proto tcp"),
            arguments("!tcp", "not proto tcp"),
            arguments("not not tcp", "proto tcp"),
            arguments("not (not tcp)", "proto tcp"),
            arguments("not not not tcp", "not proto tcp"),
            arguments("not (tcp or udp)", "not (proto tcp or proto udp)"),
            arguments("not tcp and udp", "not proto tcp and proto udp"),
            arguments("not (tcp and udp)", "not (proto tcp and proto udp)"),
            arguments("((tcp))", "proto tcp"),
            arguments("tcp && port 80 || udp", "proto tcp and port 80 or proto udp"),
            arguments("tcp and (port 80 and port 81)", "proto tcp and port 80 and port 81"),
            arguments("tcp or (udp or icmp)", "proto tcp or proto udp or proto icmp"),
            arguments("(tcp or udp) (port 53 or port 80)", "(proto tcp or proto udp) and (port 53 or port 80)"),
            arguments("any or tcp", "any or proto tcp"),
            arguments("proto tcp and dst port 443 and not src net 10.0.0.0/8",
                "proto tcp and dst port 443 and not src net 10.0.0.0/8"),
            arguments("tcp flags S and not flags A", "proto tcp and flags S and not flags A"),
            arguments("ip 2001:db8::1 and (udp port 53 or tcp port 853)",
                "ip 2001:db8::1 and (proto udp and port 53 or proto tcp and port 853)"),
            arguments("(".repeat(64) + "tcp" + ")".repeat(64), "proto tcp"));
    }

    static Stream<Arguments> invalid()
    {
        return Stream.of(
            arguments("port http", 6, "expected a port number after 'port', got 'http'"),
            arguments("src port", 9, "expected a port number after 'src port', got end of filter"),
            arguments("port > http", 8, "expected a port number after 'port >', got 'http'"),
            arguments("port 65536", 6, "port '65536' is out of range: ports go from 0 to 65535"),
            arguments("port 99999999999", 6, "port '99999999999' is out of range: ports go from 0 to 65535"),
            arguments("port 80-70000", 9, "port '70000' is out of range: ports go from 0 to 65535"),
            arguments("port 1024-80", 6, "empty port range '1024-80': 1024 is above 80"),
            arguments("port > 1-5", 8, "expected a port number after 'port >', got '1-5'"),
            arguments("port -5", 6, "expected a port number after 'port', got '-5'"),
            arguments("portrange 80", 11, "expected a port range such as 1024-65535 after 'portrange', got '80'"),
            arguments("port (", 6, "expected a port number after 'port', got '('"),
            arguments("tcp and", 8, "expected a filter term after 'and', got end of filter"),
            arguments("tcp or", 7, "expected a filter term after 'or', got end of filter"),
            arguments("not", 4, "expected a filter term after 'not', got end of filter"),
            arguments("or tcp", 1, "expected a filter term, got 'or'"),
            arguments("tcp and or udp", 9, "expected a filter term after 'and', got 'or'"),
            arguments("(tcp", 5, "expected ')' to close the '(' at column 1, got end of filter"),
            arguments("tcp)", 4, "unbalanced ')': there is no '(' before it"),
            arguments("()", 2, "expected a filter term after '(', got ')'"),
            arguments("port 80 81", 9, "expected 'and', 'or', ')' or end of filter, got '81'"),
            arguments("tcp in", 5, "expected 'and', 'or', ')' or end of filter, got 'in'"),
            arguments("tcp = udp", 5, "expected 'and', 'or', ')' or end of filter, got '='"),
            arguments("ip 10.0.0.256", 4, "expected an IPv4 or IPv6 address after 'ip', got '10.0.0.256'"),
            arguments("ip 10.0.0", 4, "expected an IPv4 or IPv6 address after 'ip', got '10.0.0'"),
            arguments("ip 010.0.0.1", 4, "expected an IPv4 or IPv6 address after 'ip', got '010.0.0.1'"),
            arguments("host example.com", 6, "expected an IPv4 or IPv6 address after 'host', got 'example.com' (names are not resolved)"),
            arguments("ip 10.0.0.0/8", 4, "expected an IPv4 or IPv6 address after 'ip', got '10.0.0.0/8' (use 'net' for a prefix)"),
            arguments("ip 1:2:3:4:5:6:7:8:9", 4, "expected an IPv4 or IPv6 address after 'ip', got '1:2:3:4:5:6:7:8:9'"),
            arguments("ip 1::2::3", 4, "expected an IPv4 or IPv6 address after 'ip', got '1::2::3'"),
            arguments("ip 12345::", 4, "expected an IPv4 or IPv6 address after 'ip', got '12345::'"),
            arguments("ip 1.2.3.4::", 4, "expected an IPv4 or IPv6 address after 'ip', got '1.2.3.4::'"),
            arguments("ip fe80::1%eth0", 4, "expected an IPv4 or IPv6 address after 'ip', got 'fe80::1%eth0'"),
            arguments("net 10.0.0.0/33", 14, "expected a prefix length from 0 to 32 after '/', got '33'"),
            arguments("net 2001:db8::/129", 16, "expected a prefix length from 0 to 128 after '/', got '129'"),
            arguments("net 10.0.0.0/", 14, "expected a prefix length from 0 to 32 after '/', got ''"),
            arguments("net 10.0.0.0", 5, "expected a prefix such as 10.0.0.0/8 or 2001:db8::/32 after 'net', got '10.0.0.0' "
                + "(add the prefix length, or 'mask' and a netmask)"),
            arguments("net 10.0.0.0 mask 255.0.255.0", 19, "expected a contiguous netmask such as 255.255.0.0 after 'mask', got '255.0.255.0'"),
            arguments("dst net", 8, "expected a prefix such as 10.0.0.0/8 or 2001:db8::/32 after 'dst net', got end of filter"),
            arguments("proto 256", 7, "expected a protocol name (tcp, udp, icmp, gre, esp, sctp, ...) or number from 0 to 255 after 'proto', got '256'"),
            arguments("proto sctpx", 7, "expected a protocol name (tcp, udp, icmp, gre, esp, sctp, ...) or number from 0 to 255 after 'proto', got 'sctpx'"),
            arguments("flags SX", 8, "'X' is not a TCP flag: use letters from U A P R S F (and E, C) after 'flags'"),
            arguments("flags", 6, "expected TCP flag letters such as S or SA after 'flags', got end of filter"),
            arguments("bytes > lots", 9, "expected a whole count such as 1000, 64k or 1.5M after 'bytes >', got 'lots'"),
            arguments("bytes > 1.5", 9, "expected a whole count such as 1000, 64k or 1.5M after 'bytes >', got '1.5'"),
            arguments("packets", 8, "expected a whole count such as 1000, 64k or 1.5M after 'packets', got end of filter"),
            arguments("bytes 9223372036854775808", 7, "count '9223372036854775808' is too large: at most 9223372036854775807"),
            arguments("bytes 10000000T", 7, "count '10000000T' is too large: at most 9223372036854775807"),
            arguments("direction up", 11, "expected 'in' or 'out' after 'direction', got 'up'"),
            arguments("in", 1, "expected a filter term such as 'proto tcp', 'port 443' or 'ip 10.0.0.1', got 'in'"),
            arguments("family 5", 8, "expected 4, 6, inet or inet6 after 'family', got '5'"),
            arguments("iface", 6, "expected an interface name after 'iface', got end of filter"),
            arguments("iface and tcp", 7, "expected an interface name after 'iface', got 'and'"),
            arguments("container )", 11, "expected a container id or name after 'container', got ')'"),
            arguments("prot tcp", 1, "unknown term 'prot' (did you mean 'proto'?)"),
            arguments("tcp udpp", 5, "unknown term 'udpp' (did you mean 'udp'?)"),
            arguments("xyzzy", 1, "unknown term 'xyzzy'"),
            arguments("src 10.0.0.1", 5, "expected ip, host, net, port or portrange after 'src', got '10.0.0.1' (write 'src ip 10.0.0.1')"),
            arguments("dst", 4, "expected ip, host, net, port or portrange after 'dst', got end of filter"),
            arguments("10.0.0.0/8", 1, "expected a filter term, got '10.0.0.0/8' (write 'net 10.0.0.0/8')"),
            arguments("443", 1, "expected a filter term such as 'proto tcp', 'port 443' or 'ip 10.0.0.1', got '443'"),
            arguments("tcp & udp", 5, "'&' is not an operator: use 'and' or '&&'"),
            arguments("tcp | udp", 5, "'|' is not an operator: use 'or' or '||'"),
            arguments("tcp\u0001", 4, "unexpected character '\\u0001'"),
            arguments("iface eth0\u200B", 11, "unexpected character '\\u200B'"),
            arguments("(".repeat(65) + "tcp" + ")".repeat(65), 65, "too deeply nested: at most 64 levels of parentheses"),
            arguments("x".repeat(4097), 4097, "filter too long: 4097 characters, at most 4096"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("valid")
    void shouldParseToCanonicalForm(final String text, final String canonical)
    {
        final FlowFilter filter = FilterParser.parse(text);
        assertEquals(canonical, filter.toString());
        assertEquals(filter, FilterParser.parse(canonical), "the canonical form re-parses to an equal filter");
    }

    @ParameterizedTest(name = "{0} -> column {1}")
    @MethodSource("invalid")
    void shouldRejectWithColumnAndMessage(final String text, final int column, final String detail)
    {
        final FilterSyntaxException ex = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(text));
        assertEquals(column, ex.column());
        assertEquals(detail, ex.detail());
        assertEquals("bad filter at column " + column + ": " + detail, ex.getMessage());
    }

    @Test
    void shouldPointAtTheColumn()
    {
        final String text = "proto tcp and port http";
        final FilterSyntaxException ex = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(text));
        assertEquals("bad filter at column 20: expected a port number after 'port', got 'http'", ex.getMessage());
        assertEquals("proto tcp and port http\n                   ^", ex.pointer(text));
    }

    @Test
    void shouldPointAtTheEndAndKeepControlCharactersOffTheLine()
    {
        final String text = "tcp\tand";
        final FilterSyntaxException ex = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(text));
        assertEquals("tcp and\n       ^", ex.pointer(text));
    }

    @Test
    void shouldCutALongTextToAWindowAroundTheFault()
    {
        final String text = "tcp or ".repeat(100) + "port x";
        final FilterSyntaxException ex = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(text));
        final String[] lines = ex.pointer(text).split("\n", -1);
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("...") && lines[0].endsWith("port x"), lines[0]);
        assertEquals('x', lines[0].charAt(lines[1].indexOf('^')));
    }

    @Test
    void shouldTreatNullAndBlankAsAll()
    {
        assertSame(FilterParser.ALL, FilterParser.parse(null));
        assertSame(FilterParser.ALL, FilterParser.parse(" "));
        assertFalse(FilterParser.ALL.usesAggregates());
    }

    @Test
    void shouldFlagAggregateTerms()
    {
        assertFalse(FilterParser.parse("tcp and port 80 or not ip ::1").usesAggregates());
        assertTrue(FilterParser.parse("bytes > 1M").usesAggregates());
        assertTrue(FilterParser.parse("packets < 3").usesAggregates());
        assertTrue(FilterParser.parse("flags S").usesAggregates());
        assertTrue(FilterParser.parse("tcp and (port 80 or not flags R)").usesAggregates());
    }

    @Test
    void shouldListEveryKeywordForCompletion()
    {
        assertEquals(FilterParser.keywords().stream().sorted().toList(), FilterParser.keywords());
        for (final String word : new String[] {"and", "or", "not", "src", "dst", "ip", "host", "net", "mask", "port", "portrange",
            "proto", "tcp", "udp", "icmp", "icmpv6", "iface", "container", "direction", "in", "out", "flags", "bytes", "packets",
            "family", "inet", "inet6", "any"})
        {
            assertTrue(FilterParser.keywords().contains(word), word);
        }
    }

    @Test
    void shouldParseProcessTerms()
    {
        assertEquals("pid 4242", FilterParser.parse("PID 4242").toString());
        assertEquals("pid 0", FilterParser.parse("pid 0").toString());
        assertEquals("pid 4194304", FilterParser.parse("pid 4194304").toString());
        assertEquals("comm Web-Server", FilterParser.parse("Comm Web-Server").toString(), "the name as written");
        assertEquals("proto tcp and comm nginx and pid 7", FilterParser.parse("tcp comm nginx pid 7").toString());
        assertFalse(FilterParser.parse("pid 1 or comm sshd").usesAggregates(), "an owner is known per delta");
        assertTrue(FilterParser.keywords().contains("pid"));
        assertTrue(FilterParser.keywords().contains("comm"));
    }

    @Test
    void shouldRejectBadProcessTerms()
    {
        assertRejected("pid x", 5, "expected a process id after 'pid', got 'x'");
        assertRejected("pid -1", 5, "expected a process id after 'pid', got '-1'");
        assertRejected("pid 12.5", 5, "expected a process id after 'pid', got '12.5'");
        assertRejected("pid", 4, "expected a process id after 'pid', got end of filter");
        assertRejected("pid 4194305", 5,
            "pid '4194305' is out of range: pids go from 1 to 4194304 (0 for flows without a known process)");
        assertRejected("pid 99999999999", 5,
            "expected a process id after 'pid', got '99999999999'");
        assertRejected("comm", 5, "expected a command name after 'comm', got end of filter");
        assertRejected("comm and tcp", 6, "expected a command name after 'comm', got 'and'");
    }

    private static void assertRejected(final String text, final int column, final String detail)
    {
        final FilterSyntaxException ex = assertThrows(FilterSyntaxException.class, () -> FilterParser.parse(text));
        assertEquals(detail, ex.detail(), text);
        assertEquals(column, ex.column(), text);
    }
}
