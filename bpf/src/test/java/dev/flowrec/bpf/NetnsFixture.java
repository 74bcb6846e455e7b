package dev.flowrec.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network of one test: namespaces, the veth pairs and addresses in them, the processes and cgroups the test
 * runs there. Close removes everything it made, newest first (processes before the cgroups they ran in, both
 * before the namespaces), whatever happened in between. The one fixture of every test that needs a namespace; a
 * topology of its own (scripts/testnet's container host, a pair made by a script) is a builder on top of it that
 * takes {@link #id()} as its name and registers its teardown with {@link #onClose}.
 * <p>
 * Names: a namespace is ID-SUFFIX, ID being "fr", this JVM's pid and a per-JVM counter, both in base 36 with "_"
 * between: test JVMs running at once never collide, and ID has at most 10 characters, short enough for tools that
 * name interfaces after it. Interfaces are made inside namespaces only, never in the host's, so their names need
 * not be unique. Private addresses only, and only inside these namespaces.
 */
public final class NetnsFixture implements AutoCloseable
{
    /** The cgroup2 hierarchy of this (hybrid) host. */
    public static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");
    private static final AtomicInteger MADE = new AtomicInteger();

    private final String id = "fr" + Long.toString(ProcessHandle.current().pid(), 36) + "_" +
        Integer.toString(MADE.incrementAndGet(), 36);
    private final List<AutoCloseable> undo = new ArrayList<>();

    /** Two namespaces joined by a veth, as {@link #ipv4Pair} makes them. */
    public record Pair(String a, String b, String devA, String devB)
    {
    }

    /** The stem of every name this fixture gives: unique among all test JVMs running. */
    public String id()
    {
        return id;
    }

    /** Makes the namespace ID-suffix (a loopback, down, and nothing else); it goes on close with all in it. */
    public String netns(final String suffix)
    {
        final String name = id + "-" + suffix;
        Shell.run("ip", "netns", "add", name);
        undo.add(() -> delete(name));
        return name;
    }

    /** /run/netns/NAME, what setns and the loader take. */
    public static String path(final String netns)
    {
        return "/run/netns/" + netns;
    }

    /** The command line that runs a command inside a namespace (for a test's own process runner). */
    public static List<String> in(final String netns, final String... command)
    {
        final List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        line.addAll(List.of(command));
        return line;
    }

    /** Runs a command inside a namespace to its end; fails unless it exits 0. Returns stdout and stderr. */
    public String exec(final String netns, final String... command)
    {
        return Shell.run(in(netns, command).toArray(String[]::new));
    }

    /** {@code ip -n NETNS ARGS...}: fails unless it exits 0. */
    public String ip(final String netns, final String... args)
    {
        final List<String> line = new ArrayList<>(List.of("ip", "-n", netns));
        line.addAll(List.of(args));
        return Shell.run(line.toArray(String[]::new));
    }

    /** Sets sysctls (NAME=VALUE) inside a namespace. */
    public void sysctl(final String netns, final String... settings)
    {
        final List<String> line = new ArrayList<>(List.of("sysctl", "-qw"));
        line.addAll(List.of(settings));
        exec(netns, line.toArray(String[]::new));
    }

    /**
     * A veth pair made from inside netns: dev there, peer in peerNetns (a namespace name or a pid, netns itself
     * for both ends in one). It goes when either namespace goes.
     */
    public void veth(final String netns, final String dev, final String peerNetns, final String peer)
    {
        ip(netns, "link", "add", dev, "type", "veth", "peer", "name", peer, "netns", peerNetns);
    }

    /** Adds an address (CIDR) to dev, with ip's flags (nodad...). */
    public void address(final String netns, final String dev, final String cidr, final String... flags)
    {
        final List<String> args = new ArrayList<>(List.of("addr", "add", cidr, "dev", dev));
        args.addAll(List.of(flags));
        ip(netns, args.toArray(String[]::new));
    }

    public void up(final String netns, final String dev)
    {
        ip(netns, "link", "set", dev, "up");
    }

    /**
     * Two namespaces ID-a and ID-b joined by a veth, devA with cidrA in a and devB with cidrB in b, every link up.
     * IPv4 only (IPv6 is off before the veth exists): no neighbour discovery or MLD packet blurs a count.
     */
    public Pair ipv4Pair(final String devA, final String cidrA, final String devB, final String cidrB)
    {
        final Pair pair = new Pair(netns("a"), netns("b"), devA, devB);
        for (final String netns : List.of(pair.a, pair.b))
        {
            sysctl(netns, "net.ipv6.conf.default.disable_ipv6=1", "net.ipv6.conf.all.disable_ipv6=1");
            up(netns, "lo");
        }
        veth(pair.a, devA, pair.b, devB);
        address(pair.a, devA, cidrA);
        address(pair.b, devB, cidrB);
        up(pair.a, devA);
        up(pair.b, devB);
        return pair;
    }

    /**
     * A cgroup2 directory UNIFIED/ID/relative, each missing level made here and removed on close (after every
     * process started since). Put a process in it before it enters a namespace: {@code ip netns exec} remounts /sys.
     */
    public Path cgroup(final String relative)
    {
        Path dir = UNIFIED;
        for (final Path part : Path.of(id).resolve(relative))
        {
            dir = dir.resolve(part);
            if (!Files.isDirectory(dir))
            {
                try
                {
                    Files.createDirectory(dir);
                }
                catch (final IOException e)
                {
                    throw new AssertionError("mkdir " + dir, e);
                }
                final Path made = dir;
                undo.add(() -> removeCgroup(made));
            }
        }
        return dir;
    }

    /** Starts a process (a capture, a workload) that is killed on close, with its descendants, if still running. */
    public Process start(final ProcessBuilder builder)
    {
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException e)
        {
            throw new AssertionError("cannot start " + String.join(" ", builder.command()), e);
        }
        undo.add(() -> kill(process));
        return process;
    }

    /** Runs step on close, before whatever was made until now goes: the teardown of a builder on top of this. */
    public void onClose(final AutoCloseable step)
    {
        undo.add(step);
    }

    /** Undoes everything, newest first; every step runs even if one fails, and the first failure is thrown. */
    public void close()
    {
        final List<AutoCloseable> steps = new ArrayList<>(undo.reversed());
        undo.clear();
        AssertionError failed = null;
        for (final AutoCloseable step : steps)
        {
            try
            {
                step.close();
            }
            catch (final Exception | AssertionError e)
            {
                if (failed == null)
                {
                    failed = new AssertionError("cleaning up the network of " + id + ": " + e.getMessage(), e);
                }
                else
                {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null)
        {
            throw failed;
        }
    }

    /** Idempotent: a test may have deleted it already. */
    private static void delete(final String netns)
    {
        if (Files.exists(Path.of(path(netns))))
        {
            // A process left inside would keep the namespace, and its veths, alive after its name is gone.
            for (final String pid : Shell.run("ip", "netns", "pids", netns).split("\\s+"))
            {
                if (!pid.isBlank())
                {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Shell.run("ip", "netns", "del", netns);
        }
    }

    private static void kill(final Process process) throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new AssertionError("pid " + process.pid() + " still runs 10 s after SIGKILL");
        }
    }

    /** A cgroup may report tasks for a moment after its last one was reaped: rmdir then fails with EBUSY. */
    private static void removeCgroup(final Path dir) throws InterruptedException
    {
        IOException last = null;
        for (int attempt = 0; Files.isDirectory(dir) && attempt < 50; attempt++)
        {
            try
            {
                Files.delete(dir);
            }
            catch (final IOException e)
            {
                last = e;
                Thread.sleep(20);
            }
        }
        if (Files.isDirectory(dir))
        {
            throw new AssertionError("rmdir " + dir, last);
        }
    }
}
