package dev.flowrec.recorder;

import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.HostNetworkScan;
import dev.flowrec.recorder.discovery.InterfaceWatcher;
import dev.flowrec.recorder.discovery.Link;
import dev.flowrec.recorder.discovery.LinkListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.agrona.concurrent.Agent;

/**
 * Follows what the selection asks for as it comes and goes: interfaces and container veths (netlink, through
 * the {@link InterfaceWatcher}), veths waiting for their container's identity, containers on the host network.
 * {@link #onStart()} attaches everything selected that exists, and fails when a named interface cannot be
 * attached; {@link #onClose()} detaches everything, first in the orderly stop, so that nothing is counted after
 * the drain agent's final flush. Recorder thread only (it journals, and enters namespaces to look for containers).
 */
final class DiscoveryAgent implements Agent
{
    private final Selection selection;
    private final TcLinks links;
    private final CgroupLinks cgroups;
    private final ProvisionalContainers provisional;
    private final HostNetworkFollower hostNetwork;
    private final InterfaceSelector selector;
    private final InterfaceWatcher watcher;

    /**
     * @param watcherFactory opens the watcher, telling the listener, in the namespace to follow (the calling
     *                       thread's: InterfaceWatcher::new)
     * @param resolver       the container behind a host-side veth (ContainerResolver::resolve)
     */
    DiscoveryAgent(final RecorderContext context, final Function<LinkListener, InterfaceWatcher> watcherFactory,
        final Function<Link, Optional<Container>> resolver)
    {
        final ContainerLookup lookup = new ContainerLookup(resolver, context.errors());
        this.selection = context.config().selection();
        this.links = new TcLinks(context);
        this.cgroups = new CgroupLinks(context);
        this.provisional = new ProvisionalContainers(links, lookup);
        this.hostNetwork = new HostNetworkFollower(
            selection.containers() ? HostNetworkScan.open().orElse(null) : null, cgroups, context.errors());
        this.selector = new InterfaceSelector(selection, lookup, links, provisional);
        this.watcher = watcherFactory.apply(selector);
    }

    public String roleName()
    {
        return "discovery";
    }

    /** Attaches the cgroups given and everything selected that exists now (the watcher's first dump). */
    public void onStart()
    {
        selection.cgroups().forEach(cgroups::attachGiven);
        while (!watcher.synced())
        {
            watcher.doWork();
        }
        for (final String name : selection.names())
        {
            if (!links.isAttached(name))
            {
                throw new IllegalStateException(links.failure(name) != null ?
                    links.failure(name) : "interface " + name + " vanished before it could be attached");
            }
        }
    }

    public int doWork()
    {
        int work = watcher.doWork();
        final long nowNs = System.nanoTime();
        work += provisional.retry(nowNs);
        return work + hostNetwork.doWork(nowNs);
    }

    /** Detaches every filter and cgroup link, journaling each; then stops watching. */
    public void onClose()
    {
        try
        {
            links.closeAll();
            provisional.clear();
            cgroups.closeAll();
        }
        finally
        {
            watcher.onClose();
        }
    }

    /** What the drain agent asks before each delta. */
    ProvisionalContainers provisional()
    {
        return provisional;
    }

    /** The interfaces that recording every interface leaves out, with why (loopback). */
    List<String> leftOut()
    {
        return selector.leftOut();
    }

    /** The interfaces and cgroups recorded now, sorted. */
    List<String> names()
    {
        final List<String> names = new ArrayList<>();
        links.addNamesTo(names);
        cgroups.addNamesTo(names);
        names.sort(null);
        return names;
    }
}
