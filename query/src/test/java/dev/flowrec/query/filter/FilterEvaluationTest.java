package dev.flowrec.query.filter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.stream.Stream;

import static dev.flowrec.query.filter.TestFlow.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class FilterEvaluationTest
{
    /** TCP 10.0.0.1:40000 -> 192.0.2.80:443 out of eth0, 10 packets, 1500 bytes, SYN+ACK. */
    private static final TestFlow WEB = flow().build();
    private static final TestFlow DNS6 = flow().proto(17).src("2001:db8::53", 53).dst("2001:db8:1::1", 33000)
        .direction(0).iface("eth1").container("3f2a9c7d0e11").tcpFlags(0).packets(2).bytes(200).build();
    private static final TestFlow PING = flow().proto(1).src("192.168.1.10", 0).dst("10.255.255.255", 8 * 256)
        .container("web").tcpFlags(0).build();
    private static final TestFlow PING6 = flow().proto(58).src("fe80::1", 0).dst("ff02::1", 128 * 256).tcpFlags(0).build();
    private static final TestFlow RST = flow().src("10.0.0.1", 1023).dst("10.0.0.2", 1024).tcpFlags(0x14)
        .packets(1_000_000).bytes(1_500_000_000L).build();
    private static final TestFlow MAPPED = flow().proto(17).src("::ffff:10.0.0.9", 5353).dst("::ffff:224.0.0.251", 5353).build();

    static Stream<Arguments> cases()
    {
        return Stream.of(
            // address terms, IPv4 and IPv6, either side and one side
            arguments("ip 10.0.0.1", true, false, false, false, true, false),
            arguments("src ip 10.0.0.1", true, false, false, false, true, false),
            arguments("dst ip 10.0.0.1", false, false, false, false, false, false),
            arguments("host 192.0.2.80", true, false, false, false, false, false),
            arguments("ip ::ffff:10.0.0.1", true, false, false, false, true, false),
            arguments("ip 10.0.0.9", false, false, false, false, false, true),
            arguments("ip 2001:db8::53", false, true, false, false, false, false),
            arguments("ip 2001:0DB8:0:0:0:0:0:53", false, true, false, false, false, false),
            arguments("dst ip 2001:db8:1::1", false, true, false, false, false, false),
            arguments("src ip 2001:db8:1::1", false, false, false, false, false, false),
            arguments("ip ::", false, false, false, false, false, false),
            // nets: edges of the prefix, family separation
            arguments("net 10.0.0.0/8", true, false, true, false, true, true),
            arguments("src net 10.0.0.0/8", true, false, false, false, true, true),
            arguments("dst net 10.0.0.0/8", false, false, true, false, true, false),
            arguments("net 10.0.0.0/31", true, false, false, false, true, false),
            arguments("net 10.0.0.2/32", false, false, false, false, true, false),
            arguments("net 10.0.0.0/30", true, false, false, false, true, false),
            arguments("net 10.0.0.0 mask 255.255.255.254", true, false, false, false, true, false),
            arguments("net 11.0.0.0/8", false, false, false, false, false, false),
            arguments("net 0.0.0.0/0", true, false, true, false, true, true),
            arguments("net ::/0", false, true, false, true, false, false),
            arguments("net 2001:db8::/32", false, true, false, false, false, false),
            arguments("net 2001:db8::/48", false, true, false, false, false, false),
            arguments("src net 2001:db8:1::/48", false, false, false, false, false, false),
            arguments("net 2001:db8::53/128", false, true, false, false, false, false),
            arguments("net 2001:db8::52/127", false, true, false, false, false, false),
            arguments("net 2001:db8::54/127", false, false, false, false, false, false),
            arguments("net fe80::/10", false, false, false, true, false, false),
            arguments("net ff00::/8", false, false, false, true, false, false),
            arguments("net 192.0.2.64/26", true, false, false, false, false, false),
            arguments("net 192.0.2.0/26", false, false, false, false, false, false),
            arguments("net 224.0.0.0/4", false, false, false, false, false, true),
            // ports: operators, ranges, either side; ICMP type/code ride in the destination port
            arguments("port 443", true, false, false, false, false, false),
            arguments("src port 53", false, true, false, false, false, false),
            arguments("dst port 53", false, false, false, false, false, false),
            arguments("port != 443", true, true, true, true, true, true),
            arguments("not port 443", false, true, true, true, true, true),
            arguments("src port != 53", true, false, true, true, true, true),
            arguments("dst port < 1024", true, false, false, false, false, false),
            arguments("dst port <= 1024", true, false, false, false, true, false),
            arguments("src port > 1023", true, false, false, false, false, true),
            arguments("src port >= 1023", true, false, false, false, true, true),
            arguments("port 1024-65535", true, true, true, true, true, true),
            arguments("src port 1-1023", false, true, false, false, true, false),
            arguments("portrange 1023-1024", false, false, false, false, true, false),
            arguments("dst port 2048", false, false, true, false, false, false),
            arguments("port 0", false, false, true, true, false, false),
            arguments("port 65535", false, false, false, false, false, false),
            // protocol, family, key fields
            arguments("tcp", true, false, false, false, true, false),
            arguments("proto udp", false, true, false, false, false, true),
            arguments("icmp", false, false, true, false, false, false),
            arguments("proto icmpv6", false, false, false, true, false, false),
            arguments("proto 58", false, false, false, true, false, false),
            arguments("family 4", true, false, true, false, true, true),
            arguments("inet6", false, true, false, true, false, false),
            arguments("iface eth0", true, false, true, true, true, true),
            arguments("iface eth1", false, true, false, false, false, false),
            arguments("iface eth", false, false, false, false, false, false),
            arguments("iface ETH0", false, false, false, false, false, false),
            arguments("direction in", false, true, false, false, false, false),
            arguments("direction out", true, false, true, true, true, true),
            arguments("container web", false, false, true, false, false, false),
            arguments("container we", false, false, false, false, false, false),
            arguments("container 3f2a", false, true, false, false, false, false),
            arguments("container 3f2a9c7d0e11", false, true, false, false, false, false),
            arguments("container 3f2", false, false, false, false, false, false),
            arguments("container 3f2b", false, false, false, false, false, false),
            // flags: all listed seen, TCP only
            arguments("flags S", true, false, false, false, false, false),
            arguments("flags SA", true, false, false, false, false, false),
            arguments("flags AS", true, false, false, false, false, false),
            arguments("flags A", true, false, false, false, true, false),
            arguments("flags R", false, false, false, false, true, false),
            arguments("flags SR", false, false, false, false, false, false),
            arguments("not flags S and tcp", false, false, false, false, true, false),
            // aggregates: k/M/G are powers of 1024 for bytes (1.5k = 1536), of 1000 for packets
            arguments("bytes > 1k", true, false, true, true, true, true),
            arguments("bytes > 1.5k", false, false, false, false, true, false),
            arguments("bytes >= 1.5k", false, false, false, false, true, false),
            arguments("bytes >= 1.46484375k", true, false, true, true, true, true),
            arguments("bytes = 1500", true, false, true, true, false, true),
            arguments("bytes 1500000000", false, false, false, false, true, false),
            arguments("bytes 1.5G", false, false, false, false, false, false),
            arguments("bytes < 1.5G", true, true, true, true, true, true),
            arguments("packets >= 1M", false, false, false, false, true, false),
            arguments("packets < 10", false, true, false, false, false, false),
            arguments("packets != 10", false, true, false, false, true, false),
            arguments("packets <= 10", true, true, true, true, false, true),
            // precedence, negation, parentheses, juxtaposition
            arguments("udp or icmp and iface eth1", false, true, false, false, false, true),
            arguments("(udp or icmp) and iface eth1", false, true, false, false, false, false),
            arguments("udp or (icmp and iface eth1)", false, true, false, false, false, true),
            arguments("tcp or udp and port 53", true, true, false, false, true, false),
            arguments("not tcp and not udp", false, false, true, true, false, false),
            arguments("not (tcp or udp)", false, false, true, true, false, false),
            arguments("! tcp", false, true, true, true, false, true),
            arguments("not not tcp", true, false, false, false, true, false),
            arguments("tcp dst port 443", true, false, false, false, false, false),
            arguments("tcp dst port 443 or udp src port 53", true, true, false, false, false, false),
            arguments("inet6 not icmpv6", false, true, false, false, false, false),
            arguments("tcp && port 1024 || icmp", false, false, true, false, true, false),
            arguments("any", true, true, true, true, true, true),
            arguments("not any", false, false, false, false, false, false),
            arguments("proto tcp and dst port 443 and not src net 10.0.0.0/8", false, false, false, false, false, false),
            arguments("proto tcp and dst port 443 and not src net 172.16.0.0/12", true, false, false, false, false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldMatchTheFlowsTheTermDescribes(final String text, final boolean web, final boolean dns6, final boolean ping,
        final boolean ping6, final boolean rst, final boolean mapped)
    {
        final FlowFilter filter = FilterParser.parse(text);
        assertEquals(web, filter.test(WEB), "web");
        assertEquals(dns6, filter.test(DNS6), "dns6");
        assertEquals(ping, filter.test(PING), "ping");
        assertEquals(ping6, filter.test(PING6), "ping6");
        assertEquals(rst, filter.test(RST), "rst");
        assertEquals(mapped, filter.test(MAPPED), "v4-mapped");
        final FlowFilter reparsed = FilterParser.parse(filter.toString());
        for (final TestFlow flow : new TestFlow[] {WEB, DNS6, PING, PING6, RST, MAPPED})
        {
            assertEquals(filter.test(flow), reparsed.test(flow), "canonical form means the same: " + filter);
        }
    }

    @Test
    void shouldNotMatchAFlowWithoutAContainerOrInterface()
    {
        final TestFlow unnamed = new TestFlow(null, null, 0, 4, 6, 1, 2, 0, AddressText.V4_MAPPED_LOW | 1, 0,
            AddressText.V4_MAPPED_LOW | 2, 1, 1, 0, 0, null);
        assertEquals(false, FilterParser.parse("container abcd").test(unnamed));
        assertEquals(false, FilterParser.parse("comm nginx").test(unnamed));
        assertEquals(false, FilterParser.parse("container web").test(unnamed));
        assertEquals(false, FilterParser.parse("iface eth0").test(unnamed));
        assertEquals(true, FilterParser.parse("ip 0.0.0.1").test(unnamed));
    }

    @Test
    void shouldEvaluateWithoutAllocating()
    {
        final FlowFilter filter = FilterParser.parse("(tcp or udp) and not src net 10.0.0.0/8 and dst port 1024-65535 or " +
            "ip 2001:db8::1 or container 3f2a or iface eth1 and bytes > 1M and flags S and direction in or inet6 not port != 53");
        final TestFlow[] flows = {WEB, DNS6, PING, PING6, RST, MAPPED};
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        long matches = 0;
        for (int i = 0; i < 200_000; i++)
        {
            matches += filter.test(flows[i % flows.length]) ? 1 : 0;
        }
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 1_000_000; i++)
        {
            matches += filter.test(flows[i % flows.length]) ? 1 : 0;
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(matches > 0);
        assertTrue(allocated < 1024, "a million evaluations allocated " + allocated + " bytes");
    }

    @Test
    void shouldMatchTheProcessOwningTheSocket()
    {
        final TestFlow owned = flow().owner(4242, "nginx").build();
        final TestFlow other = flow().owner(77, "Nginx").build();
        final TestFlow forwarded = flow().build();
        assertEquals(true, FilterParser.parse("pid 4242").test(owned));
        assertEquals(false, FilterParser.parse("pid 4242").test(other));
        assertEquals(false, FilterParser.parse("pid 4242").test(forwarded));
        assertEquals(true, FilterParser.parse("pid 0").test(forwarded), "pid 0: no known owner");
        assertEquals(false, FilterParser.parse("pid 0").test(owned));
        assertEquals(true, FilterParser.parse("comm nginx").test(owned));
        assertEquals(false, FilterParser.parse("comm nginx").test(other), "case-sensitive, as ps shows it");
        assertEquals(false, FilterParser.parse("comm nginx").test(forwarded));
        assertEquals(true, FilterParser.parse("not comm nginx and tcp").test(forwarded));
    }

    @Test
    void shouldWarnOfACommandNoSocketOwnerHad()
    {
        final KnownNames names = new KnownNames.Builder().command("nginx").command("sshd").build();
        final FilterBinding.Bound bound = FilterBinding.bind(FilterParser.parse("comm ngnix or comm sshd"), names,
            "the window");
        assertEquals(java.util.List.of("no command 'ngnix' in the window (closest: 'nginx', 'sshd')"), bound.warnings());
        assertEquals("comm ngnix or comm sshd", bound.filter().toString());
        assertEquals(java.util.List.of("no command 'x' in the window (it saw no socket owners)"),
            FilterBinding.bind(FilterParser.parse("comm x"), KnownNames.NONE, "the window").warnings());
    }
}
