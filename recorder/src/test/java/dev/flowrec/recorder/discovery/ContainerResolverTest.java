package dev.flowrec.recorder.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.flowrec.syscall.NetNs;
import dev.flowrec.bpf.NetnsFixture;

/**
 * Real kernel, end to end: a "host" namespace H holds the host ends of veths whose other ends sit in container
 * namespaces; processes are put in runtime-named cgroups under the unified hierarchy before they enter them.
 * The resolver runs on the test thread inside H, as the recorder's discovery thread runs in the host namespace.
 */
class ContainerResolverTest
{
    private static final String DOCKER_ID = "d0c4e2".repeat(10) + "abcd";
    private static final String PODMAN_ID = "b0d3a1".repeat(10) + "ef01";

    @Test
    void shouldResolveContainersBehindHostVeths()
    {
        try (NetnsFixture net = new NetnsFixture())
        {
            final String h = net.netns("h");
            final String docker = net.netns("docker");
            final String bare = net.netns("bare");

            final Path dockerCgroup = net.cgroup("docker/" + DOCKER_ID);
            final Process inDocker = inCgroup(net, dockerCgroup, "ip", "netns", "exec", docker, "sleep", "infinity");
            final Path podmanCgroup = net.cgroup("machine.slice/libpod-" + PODMAN_ID + ".scope");
            final Process inPodman = inCgroup(net, podmanCgroup, "unshare", "-n", "sleep", "infinity");
            final Process unnamed = net.start(quiet("unshare", "-n", "sleep", "infinity"));
            awaitOwnNetns(inDocker, docker);
            awaitOwnNetns(inPodman, null);
            awaitOwnNetns(unnamed, null);

            net.veth(h, "vd", docker, "eth0");
            net.veth(h, "vb", bare, "eth7");
            net.veth(h, "vp", "" + inPodman.pid(), "eth0");
            net.veth(h, "vu", "" + unnamed.pid(), "eth1");
            net.veth(h, "vl", h, "vl1");

            final Map<String, Optional<Container>> found = NetNs.call(NetnsFixture.path(h), () ->
            {
                final ContainerResolver resolver = new ContainerResolver();
                final List<Link> links = Links.dump();
                final Map<String, Optional<Container>> byName = new HashMap<>();
                for (final String name : List.of("vd", "vb", "vp", "vu", "vl", "lo"))
                {
                    final Link link = links.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
                    byName.put(name, resolver.resolve(link));
                }
                assertEquals(byName.get("vd"), resolver.resolve(
                    links.stream().filter(l -> l.name().equals("vd")).findFirst().orElseThrow()), "cached: same answer");
                assertEquals(0, resolver.nsidFallbacks(), "the peer's namespace was picked by RTM_GETNSID");
                return byName;
            });

            final long dockerIno = NetnsScan.inoOfLink(Path.of("/proc/" + inDocker.pid() + "/ns/net"));
            assertEquals(Optional.of(new Container(DOCKER_ID, DOCKER_ID.substring(0, 12), "docker",
                relative(dockerCgroup), docker, dockerIno, "eth0")), found.get("vd"));

            final long bareIno = inoOf(Path.of(NetnsFixture.path(bare)));
            final Container bareContainer = found.get("vb").orElseThrow();
            assertEquals("netns", bareContainer.runtime());
            assertEquals(bare, bareContainer.id());
            assertEquals(bare, bareContainer.netnsName());
            assertEquals("eth7", bareContainer.peerIfname());
            assertEquals("", bareContainer.cgroupPath(), "no process in it");
            assertEquals(bareIno, bareContainer.netnsIno());

            final long podmanIno = NetnsScan.inoOfLink(Path.of("/proc/" + inPodman.pid() + "/ns/net"));
            assertEquals(Optional.of(new Container(PODMAN_ID, PODMAN_ID.substring(0, 12), "podman",
                relative(podmanCgroup), "", podmanIno, "eth0")), found.get("vp"));

            final long unnamedIno = NetnsScan.inoOfLink(Path.of("/proc/" + unnamed.pid() + "/ns/net"));
            final Container unnamedContainer = found.get("vu").orElseThrow();
            assertEquals("netns", unnamedContainer.runtime());
            assertEquals("netns-" + unnamedIno, unnamedContainer.id());
            assertEquals("", unnamedContainer.netnsName());
            assertEquals("eth1", unnamedContainer.peerIfname());

            assertEquals(Optional.empty(), found.get("vl"), "peer in the same namespace: no container");
            assertEquals(Optional.empty(), found.get("lo"));
        }
    }

    /** Puts the shell in the cgroup before exec'ing the command: `ip netns exec` remounts /sys. */
    private static Process inCgroup(final NetnsFixture net, final Path cgroup, final String... command)
    {
        final List<String> shell = new ArrayList<>(List.of(
            "bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$@\"", "bash"));
        shell.addAll(List.of(command));
        return net.start(quiet(shell.toArray(String[]::new)));
    }

    private static ProcessBuilder quiet(final String... command)
    {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }

    /** Waits until the process has left our namespace (and entered the named one, if given). */
    private static void awaitOwnNetns(final Process process, final String name)
    {
        final Path link = Path.of("/proc/" + process.pid() + "/ns/net");
        final long ours = NetnsScan.inoOfLink(Path.of("/proc/self/ns/net"));
        final long target = name == null ? -1 : inoOf(Path.of(NetnsFixture.path(name)));
        InterfaceWatcherTest.await("pid " + process.pid() + " in its namespace", () ->
        {
            final long ino = NetnsScan.inoOfLink(link);
            return ino > 0 && ino != ours && (target < 0 || ino == target);
        }, () -> { });
    }

    private static long inoOf(final Path path)
    {
        try
        {
            return ((Number)Files.getAttribute(path, "unix:ino")).longValue();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static String relative(final Path cgroup)
    {
        return "/" + NetnsFixture.UNIFIED.relativize(cgroup);
    }
}
