package dev.flowrec.recorder.discovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetNs;
import dev.flowrec.syscall.NetlinkSocket;
import dev.flowrec.syscall.SyscallException;

/**
 * Finds the container behind a host-side veth from the host alone, with no runtime API:
 * host veth → the namespace of its peer → that namespace's processes → their cgroups → a runtime and id.
 *
 * <p>The peer's namespace is found among every namespace a process or a /run/netns name holds. The host link's
 * IFLA_LINK_NETNSID is an id the host namespace gives the peer's namespace; RTM_GETNSID on each candidate's fd
 * asks the host for the same id, so one netlink round trip per candidate, with no namespace switch, picks the
 * namespace. That one is then entered (setns on this thread, restored in finally) and dumped to find the peer:
 * the link whose ifindex is the host link's IFLA_LINK and whose IFLA_LINK is the host link's ifindex. Should
 * RTM_GETNSID be refused, every candidate is dumped instead.
 *
 * <p>Each call rescans (a few milliseconds on a host with hundreds of processes): call it when a link appears.
 * A runtime identity found per namespace inode is cached and reused while the process it came from is still
 * there (an inode can be reused once its namespace is gone; its process cannot outlive it).
 *
 * <p>Single-threaded; call on a platform thread that is in the namespace the link was reported in (the recorder's).
 */
public final class ContainerResolver
{
    private final Path proc;
    private final Path runNetns;
    private final Map<Long, Identity> byNetns = new HashMap<>();
    private int seq;
    private long nsidFallbacks;

    public ContainerResolver()
    {
        this(Path.of("/proc"), Path.of("/run/netns"));
    }

    ContainerResolver(final Path proc, final Path runNetns)
    {
        this.proc = proc;
        this.runNetns = runNetns;
    }

    /**
     * The container whose namespace holds the other end of hostLink, or empty when hostLink is no veth/netkit,
     * its peer is in this same namespace, or no namespace visible from here holds the peer (it vanished).
     */
    public Optional<Container> resolve(final Link hostLink)
    {
        if (!hostLink.peerInOtherNamespace())
        {
            return Optional.empty();
        }
        if (Thread.currentThread().isVirtual())
        {
            throw new IllegalStateException("resolving a container enters network namespaces: needs a platform thread");
        }
        final Map<Long, NetnsScan.Netns> candidates = scan();
        candidates.remove(NetnsScan.inoOfLink(proc.resolve("thread-self/ns/net")));
        byNetns.keySet().retainAll(candidates.keySet());
        for (final NetnsScan.Netns netns : narrow(candidates.values(), hostLink.linkNetnsId()))
        {
            final String peer = peerName(netns, hostLink);
            if (peer != null)
            {
                return Optional.of(container(netns, peer));
            }
        }
        return Optional.empty();
    }

    /** The candidates whose id, seen from here, is the host link's link-netnsid; all of them if ids cannot be had. */
    private List<NetnsScan.Netns> narrow(final Iterable<NetnsScan.Netns> candidates, final int linkNetnsId)
    {
        final List<NetnsScan.Netns> all = new ArrayList<>();
        candidates.forEach(all::add);
        try (NetlinkSocket socket = Rtnl.openRoute(0, false))
        {
            final List<NetnsScan.Netns> matching = new ArrayList<>(1);
            for (final NetnsScan.Netns netns : all)
            {
                if (nsid(socket, netns) == linkNetnsId)
                {
                    matching.add(netns);
                }
            }
            return matching;
        }
        catch (final SyscallException e)
        {
            nsidFallbacks++;
            return all;
        }
    }

    /** Times RTM_GETNSID failed and every namespace was entered instead. */
    long nsidFallbacks()
    {
        return nsidFallbacks;
    }

    /** The id this namespace gives netns; -1 when it has none or every path to it vanished. */
    private int nsid(final NetlinkSocket socket, final NetnsScan.Netns netns)
    {
        for (final Path path : netns.openPaths(proc))
        {
            final int fd = Libc.tryOpen(path.toString());
            if (fd >= 0)
            {
                try
                {
                    seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
                    return Links.nsid(socket, seq, fd);
                }
                finally
                {
                    Libc.close(fd);
                }
            }
        }
        return -1;
    }

    /** Enters netns to find hostLink's peer; null when it is not there or the namespace vanished meanwhile. */
    private String peerName(final NetnsScan.Netns netns, final Link hostLink)
    {
        for (final Path path : netns.openPaths(proc))
        {
            final List<Link> links;
            try
            {
                links = NetNs.call(path.toString(), Links::dump);
            }
            catch (final SyscallException e)
            {
                if (e.errno() == Libc.ENOENT || e.errno() == Libc.ESRCH)
                {
                    continue;  // that process exited; another path may still hold the namespace
                }
                throw e;
            }
            for (final Link link : links)
            {
                if (link.ifindex() == hostLink.linkIfindex() && link.linkIfindex() == hostLink.ifindex() &&
                    link.linkNetnsId() >= 0)
                {
                    return link.name();
                }
            }
            return null;
        }
        return null;
    }

    private Container container(final NetnsScan.Netns netns, final String peerIfname)
    {
        Identity identity = byNetns.get(netns.ino());
        if (identity == null || !netns.pids().contains(identity.pid))
        {
            identity = identify(netns);
            if (!"netns".equals(identity.runtime))
            {
                byNetns.put(netns.ino(), identity);  // a fallback is not cached: a container process may join later
            }
        }
        final String shortId = "netns".equals(identity.runtime) ? identity.id : identity.id.substring(0, 12);
        return new Container(identity.id, shortId, identity.runtime, identity.cgroupPath, netns.name(), netns.ino(),
            peerIfname);
    }

    /**
     * The runtime id of the lowest pid in a runtime's cgroup: in a Kubernetes pod every container shares the
     * namespace, and the sandbox (pause) container, started first, usually has the lowest pid.
     */
    private Identity identify(final NetnsScan.Netns netns)
    {
        String firstUnified = null;
        int firstPid = -1;
        for (final int pid : netns.pids())
        {
            final String cgroups = readCgroups(pid);
            if (cgroups == null)
            {
                continue;
            }
            final String[] path = new String[1];
            final CgroupIds.RuntimeId id = CgroupIds.recogniseFile(cgroups, path);
            if (id != null)
            {
                return new Identity(id.runtime(), id.id(), path[0], pid);
            }
            if (firstUnified == null)
            {
                firstUnified = CgroupIds.unifiedPath(cgroups);
                firstPid = pid;
            }
        }
        final String id = netns.name().isEmpty() ? "netns-" + netns.ino() : netns.name();
        return new Identity("netns", id, firstUnified == null ? "" : firstUnified, firstPid);
    }

    private String readCgroups(final int pid)
    {
        try
        {
            return Files.readString(proc.resolve(pid + "/cgroup"));
        }
        catch (final IOException e)
        {
            return null;  // exited
        }
    }

    private Map<Long, NetnsScan.Netns> scan()
    {
        try
        {
            return NetnsScan.scan(proc, runNetns);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("scan network namespaces in " + proc + " and " + runNetns, e);
        }
    }

    /** pid is the process the identity was read from (-1: none); a cached identity is kept while it lives. */
    private record Identity(String runtime, String id, String cgroupPath, int pid)
    {
    }
}
