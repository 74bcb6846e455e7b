package dev.flowrec.recorder;

import dev.flowrec.bpf.CgroupLink;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.Tc;
import dev.flowrec.bpf.TcLink;
import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.ContainerResolver;
import dev.flowrec.recorder.discovery.HostNetworkScan;
import dev.flowrec.recorder.discovery.Link;
import dev.flowrec.recorder.discovery.LinkListener;
import dev.flowrec.syscall.SyscallException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Decides which interfaces are recorded and owns their TC filters, following links as they come and go.
 * A container's host-side veth is attached with directions from the workload's point of view and journaled
 * with the container behind it; a container on the host network is recorded at its cgroup. Runs on the
 * recorder thread (it journals).
 */
final class Attachments implements LinkListener
{
    private record Attached(TcLink link, Container container)
    {
    }

    /** A veth whose namespace had no recognisable process yet (a runtime creates the veth first). */
    private static final class Provisional
    {
        final Link link;
        final long deadlineNs;
        long lastTryNs;

        Provisional(final Link link, final long nowNs)
        {
            this.link = link;
            this.deadlineNs = nowNs + PROVISIONAL_FOR_NS;
            this.lastTryNs = nowNs;
        }
    }

    private record CgroupAttached(CgroupLink link, Container container)
    {
    }

    /** The interface name flows counted at a cgroup carry. */
    static final String CGROUP_IFNAME = "cgroup";
    private static final long HOST_NETWORK_SCAN_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long PROVISIONAL_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long PROVISIONAL_ON_DELTA_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long PROVISIONAL_FOR_NS = TimeUnit.SECONDS.toNanos(30);

    private final FlowProgram program;
    private final JournalEvents journal;
    private final Selection selection;
    private final ContainerResolver resolver = new ContainerResolver();
    private final Int2ObjectHashMap<Attached> attached = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Provisional> provisional = new Int2ObjectHashMap<>();
    private final Map<String, String> failures = new HashMap<>();
    private final Map<Path, CgroupAttached> cgroups = new LinkedHashMap<>();
    private final HostNetworkScan hostNetwork;
    private int nextPseudoIfindex = 1;
    private long nextScanNs;
    private long nextRetryNs;
    private long attachFailures;
    private long resolveFailures;

    Attachments(final FlowProgram program, final JournalEvents journal, final Selection selection)
    {
        this.program = program;
        this.journal = journal;
        this.selection = selection;
        this.hostNetwork = selection.containers() ? HostNetworkScan.open().orElse(null) : null;
    }

    /** Records a cgroup given by hand (--cgroup): failure is the caller's to report. */
    void attachCgroup(final Path dir)
    {
        final Path root = HostNetworkScan.cgroup2Mount().orElseThrow(() ->
            new IllegalStateException("--cgroup " + dir + ": no cgroup2 hierarchy is mounted here"));
        final Path absolute = dir.isAbsolute() && dir.startsWith(root) ? dir : root.resolve(dir.toString().replaceFirst("^/", ""));
        attachCgroup(absolute, HostNetworkScan.identify(absolute, root));
    }

    private void attachCgroup(final Path dir, final Container container)
    {
        final CgroupLink link = program.attachCgroup(dir, CgroupLink.pseudoIfindex(nextPseudoIfindex++));
        cgroups.put(dir, new CgroupAttached(link, container));
        journal.containerSeen(container, link.pseudoIfindex(), CGROUP_IFNAME);
        journal.interfaceAttached(link.pseudoIfindex(), CGROUP_IFNAME, container.shortId());
    }

    /** Follows containers on the host network: attaches to new container cgroups, detaches from vanished ones. */
    int scanHostNetwork(final long nowNs)
    {
        if (hostNetwork == null || nowNs - nextScanNs < 0)
        {
            return 0;
        }
        nextScanNs = nowNs + HOST_NETWORK_SCAN_NS;
        int work = 0;
        for (final Map.Entry<Path, Container> found : hostNetwork.scan().entrySet())
        {
            if (!cgroups.containsKey(found.getKey()))
            {
                try
                {
                    attachCgroup(found.getKey(), found.getValue());
                    work++;
                }
                catch (final RuntimeException ex)
                {
                    attachFailures++; // the container may have gone meanwhile; the next scan retries
                }
            }
        }
        for (final Path dir : new ArrayList<>(cgroups.keySet()))
        {
            if (!Files.isDirectory(dir))
            {
                detachCgroup(dir, "vanished");
                work++;
            }
        }
        return work;
    }

    private void detachCgroup(final Path dir, final String reason)
    {
        final CgroupAttached a = cgroups.remove(dir);
        a.link().close();
        journal.interfaceDetached(a.link().pseudoIfindex(), CGROUP_IFNAME, reason);
    }

    public void onLinkUp(final Link link)
    {
        if (link.isLoopback() || attached.containsKey(link.ifindex()))
        {
            return;
        }
        Tc.detachStale(link.ifindex()); // a recorder that died may have left its filters here
        final Container container = selection.containers() && link.peerInOtherNamespace() ? resolve(link) : null;
        final boolean wanted = container != null || selection.allInterfaces() || selection.names().contains(link.name());
        if (!wanted)
        {
            return;
        }
        try
        {
            final TcLink tc = program.attach(null, link.name(), container != null);
            attached.put(link.ifindex(), new Attached(tc, container));
            failures.remove(link.name());
            if (container != null)
            {
                journal.containerSeen(container, tc);
                if ("netns".equals(container.runtime()))
                {
                    provisional.put(link.ifindex(), new Provisional(link, System.nanoTime()));
                }
            }
            journal.interfaceAttached(tc, container == null ? "" : container.shortId());
        }
        catch (final SyscallException ex)
        {
            // The link may have vanished between the notification and the attach: counted, not fatal.
            attachFailures++;
            failures.put(link.name(), ex.getMessage());
        }
    }

    /**
     * The container behind a veth, or null. Failing to look (no CAP_SYS_ADMIN for setns, no CAP_SYS_PTRACE to
     * see other users' namespaces) is said once and counted; the interface is still recorded if selected.
     */
    private Container resolve(final Link link)
    {
        try
        {
            return resolver.resolve(link).orElse(null);
        }
        catch (final RuntimeException ex)
        {
            if (resolveFailures++ == 0)
            {
                System.err.println("flowrec record: warning: cannot identify containers: " + ex.getMessage()
                    + " (needs CAP_SYS_ADMIN and CAP_SYS_PTRACE)");
            }
            return null;
        }
    }

    public void onLinkGone(final Link link)
    {
        provisional.remove(link.ifindex());
        final Attached a = attached.remove(link.ifindex());
        if (a != null)
        {
            a.link().close();
            journal.interfaceDetached(a.link(), "vanished");
        }
    }

    /** Re-resolves veths first seen before their container's process; journals the identity once found. */
    int retryProvisional(final long nowNs)
    {
        if (provisional.isEmpty() || nowNs - nextRetryNs < 0)
        {
            return 0;
        }
        nextRetryNs = nowNs + PROVISIONAL_RETRY_NS;
        int work = 0;
        for (final Provisional p : new ArrayList<>(provisional.values()))
        {
            work += resolveProvisional(p, nowNs);
        }
        return work;
    }

    /**
     * Called before a delta of this interface is journaled: a veth still waiting for its container's identity
     * tries again first, so that traffic the container itself sends or receives is never journaled under the
     * provisional name (only what came before its process did, like link-up neighbour discovery). Reads the
     * clock only for such a veth: this runs for every event.
     */
    void beforeDelta(final int ifindex)
    {
        final Provisional p = provisional.isEmpty() ? null : provisional.get(ifindex);
        if (p == null)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (nowNs - p.lastTryNs >= PROVISIONAL_ON_DELTA_NS)
        {
            resolveProvisional(p, nowNs);
        }
    }

    private int resolveProvisional(final Provisional p, final long nowNs)
    {
        p.lastTryNs = nowNs;
        final int ifindex = p.link.ifindex();
        final Attached a = attached.get(ifindex);
        final Container found = a == null ? null : resolver.resolve(p.link).orElse(null);
        if (found != null && !"netns".equals(found.runtime()))
        {
            attached.put(ifindex, new Attached(a.link(), found));
            journal.containerSeen(found, a.link());
            journal.interfaceAttached(a.link(), found.shortId()); // names the interface's container from here on
            provisional.remove(ifindex);
            return 1;
        }
        if (a == null || nowNs - p.deadlineNs >= 0)
        {
            provisional.remove(ifindex);
        }
        return 0;
    }

    /** Why a named interface could not be attached, or null when it is attached. */
    String failure(final String name)
    {
        return failures.get(name);
    }

    boolean isAttached(final String name)
    {
        for (final Attached a : attached.values())
        {
            if (a.link().ifname().equals(name))
            {
                return true;
            }
        }
        return false;
    }

    List<String> names()
    {
        final List<String> names = new ArrayList<>();
        attached.values().forEach(a -> names.add(a.link().ifname()));
        cgroups.values().forEach(c -> names.add(CGROUP_IFNAME + " " + c.container().cgroupPath()));
        names.sort(null);
        return names;
    }

    long attachFailures()
    {
        return attachFailures;
    }

    /** Detaches everything, journaling each; filters first, so nothing is counted after the final flush. */
    void closeAll()
    {
        for (final Attached a : new ArrayList<>(attached.values()))
        {
            a.link().close();
            journal.interfaceDetached(a.link(), "stopped");
        }
        attached.clear();
        provisional.clear();
        for (final Path dir : new ArrayList<>(cgroups.keySet()))
        {
            detachCgroup(dir, "stopped");
        }
    }
}
