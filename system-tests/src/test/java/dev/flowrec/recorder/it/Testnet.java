package dev.flowrec.recorder.it;

import dev.flowrec.bpf.NetnsFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A container host made by {@code scripts/testnet} (the README's simulated host) on top of a {@link NetnsFixture}:
 * NAME is the fixture's id, and the fixture's close takes the host down. Netns NAME-host with bridge br0, and per
 * container k the netns NAME-ck, its host-side veth NAMEvk and a process in a runtime-named cgroup. Private
 * addresses only (10.213.100.0/24, fd00:213:100::/64), only inside these namespaces. The manifest
 * ({@code ${TMPDIR:-/tmp}/flowrec-testnet-NAME.tsv}) is the truth about what exists.
 */
public record Testnet(Path script, String name)
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String MANIFEST_HEADER = "name\truntime\tid\tshort_id\tnetns\thost_veth\tipv4\tipv6\tpid\tcgroup_path";

    /** One manifest row. */
    record Container(String name, String runtime, String id, String shortId, String netns, String hostVeth,
        String ipv4, String ipv6, long pid, String cgroupPath)
    {
        int index(final String prefix)
        {
            return Integer.parseInt(name.substring((prefix + "-c").length()));
        }
    }

    /** {@code testnet up}: fails (after testnet's own cleanup) when anything could not be built. */
    public static Testnet up(final NetnsFixture fixture, final Path root, final int containers, final boolean sleep)
    {
        final Testnet t = new Testnet(root.resolve("scripts/testnet"), fixture.id());
        fixture.onClose(t::down);
        final List<String> cmd = new ArrayList<>(List.of(t.script.toString(), "up", "--name", t.name, "--containers",
            Integer.toString(containers)));
        if (sleep)
        {
            cmd.add("--sleep");
        }
        final List<Container> printed = parse(Proc.run(TIMEOUT, cmd).ok().out());
        if (printed.size() != containers)
        {
            throw new AssertionError("testnet up printed " + printed.size() + " containers, expected " + containers);
        }
        return t;
    }

    /** {@code testnet down}, before the fixture closes if a test needs it gone. Idempotent: also after a half-failed up. */
    public void down()
    {
        Proc.run(TIMEOUT, List.of(script.toString(), "down", "--name", name));
    }

    Container add(final int k, final boolean sleep)
    {
        final List<String> cmd = new ArrayList<>(List.of(script.toString(), "add", "--name", name, "--index", Integer.toString(k)));
        if (sleep)
        {
            cmd.add("--sleep");
        }
        final List<Container> rows = parse(Proc.run(TIMEOUT, cmd).ok().out());
        if (rows.size() != 1)
        {
            throw new AssertionError("testnet add --index " + k + " printed " + rows.size() + " rows");
        }
        return rows.getFirst();
    }

    void del(final int k)
    {
        Proc.run(TIMEOUT, List.of(script.toString(), "del", "--name", name, "--index", Integer.toString(k))).ok();
    }

    List<Container> manifest()
    {
        final Path file = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"), "flowrec-testnet-" + name + ".tsv");
        try
        {
            return parse(Files.readString(file));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public String hostNs()
    {
        return name + "-host";
    }

    /** CMD inside container k: its netns and its cgroup, as {@code docker exec}. */
    List<String> exec(final int k, final String... command)
    {
        final List<String> cmd = new ArrayList<>(List.of(script.toString(), "exec", "--name", name, "--index",
            Integer.toString(k), "--"));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** CMD inside the host namespace NAME-host. */
    List<String> inHost(final String... command)
    {
        return NetnsFixture.in(hostNs(), command);
    }

    /** Every interface of NAME-host, by name (without the @peer suffix). */
    List<String> hostLinks()
    {
        final List<String> names = new ArrayList<>();
        for (final String line : Proc.run(TIMEOUT, inHost("ip", "-o", "link", "show")).ok().out().lines().toList())
        {
            final String[] f = line.split(":\\s+", 3);
            if (f.length >= 2)
            {
                final String n = f[1].strip();
                final int at = n.indexOf('@');
                names.add(at < 0 ? n : n.substring(0, at));
            }
        }
        return names;
    }

    /**
     * Offloads off on both ends of container k's veth (and checksum offload, so tcpdump sees correct
     * packets): every skb is then one wire packet, and the capture counts what the wire carries.
     */
    void offloadsOff(final Container c)
    {
        final String[] off = {"tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off"};
        Proc.run(TIMEOUT, NetnsFixture.in(c.netns(), concat(List.of("ethtool", "-K", "eth0"), off))).ok();
        Proc.run(TIMEOUT, inHost(concat(List.of("ethtool", "-K", c.hostVeth()), off))).ok();
    }

    /**
     * No IPv6 neighbour reachability probes in container c for a minute: a neighbour entry used after it went
     * stale is otherwise probed (unicast NS/NA, which are ICMPv6 flows) about 5 s after the traffic that used
     * it, possibly after a capture stopped but while a recorder still records.
     */
    void noNeighbourProbes(final Container c)
    {
        Proc.run(TIMEOUT, NetnsFixture.in(c.netns(), "sysctl", "-q", "-w", "net.ipv6.neigh.eth0.delay_first_probe_time=60")).ok();
    }

    void bridgeOffloadsOff()
    {
        Proc.run(TIMEOUT, inHost("ethtool", "-K", "br0", "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off")).ok();
    }

    /** Every address of eth0 in container c (IPv4, global IPv6 and link-local IPv6), as the oracle prints them. */
    List<String> addresses(final Container c)
    {
        final List<String> out = new ArrayList<>();
        for (final String line : Proc.run(TIMEOUT, List.of("ip", "-n", c.netns(), "-o", "addr", "show", "dev", "eth0")).ok().out().lines().toList())
        {
            final String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++)
            {
                if (f[i].equals("inet") || f[i].equals("inet6"))
                {
                    final String a = f[i + 1];
                    out.add(a.substring(0, a.indexOf('/')));
                }
            }
        }
        return out;
    }

    private static String[] concat(final List<String> head, final String[] tail)
    {
        final List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    static List<Container> parse(final String tsv)
    {
        final List<String> lines = tsv.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty() || !lines.getFirst().equals(MANIFEST_HEADER))
        {
            throw new AssertionError("not a testnet manifest:\n" + tsv);
        }
        final List<Container> out = new ArrayList<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] f = line.split("\t", -1);
            if (f.length != 10)
            {
                throw new AssertionError("bad manifest row: " + line);
            }
            out.add(new Container(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], Long.parseLong(f[8]), f[9]));
        }
        return out;
    }
}
