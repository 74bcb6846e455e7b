package dev.flowrec.recorder.cli;

/**
 * Two network namespaces NS+"a" and NS+"b" joined by a veth (DEV+"0" in a, DEV+"1" in b), IPv4 only so that no
 * neighbour discovery or MLD packet blurs a count: a is NET.1/24, b is NET.2/24.
 */
final class Ipv4Pair
{
    private Ipv4Pair()
    {
    }

    static void up(final String ns, final String dev, final String net) throws Exception
    {
        Sh.ok("ip", "netns", "add", ns + "a");
        Sh.ok("ip", "netns", "add", ns + "b");
        Sh.ok("ip", "link", "add", dev + "0", "netns", ns + "a", "type", "veth", "peer", "name", dev + "1", "netns", ns + "b");
        for (final String side : new String[] {"a", "b"})
        {
            Sh.ok("ip", "netns", "exec", ns + side, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            Sh.ok("ip", "-n", ns + side, "link", "set", "lo", "up");
        }
        Sh.ok("ip", "-n", ns + "a", "addr", "add", net + ".1/24", "dev", dev + "0");
        Sh.ok("ip", "-n", ns + "b", "addr", "add", net + ".2/24", "dev", dev + "1");
        Sh.ok("ip", "-n", ns + "a", "link", "set", dev + "0", "up");
        Sh.ok("ip", "-n", ns + "b", "link", "set", dev + "1", "up");
    }

    static void down(final String ns) throws Exception
    {
        Sh.run("ip", "netns", "del", ns + "a");
        Sh.run("ip", "netns", "del", ns + "b");
    }
}
