package dev.flowrec.recorder;

import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.Link;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Veths whose namespace had no recognisable process yet when they were attached (a runtime creates the veth
 * first), looked up again every 250 ms, and before a delta of theirs is journaled, for 30 s, until a runtime's
 * container is found and journaled. A namespace that holds no process at all is not named yet: its veth is
 * journaled without a container, so that the packets it carries before its container's process exists (link-up
 * neighbour discovery) are never put under a "phantom" container named after the namespace; once a process
 * is there, or when the 30 s are over (at once for a recorder without CAP_SYS_PTRACE, which sees no process), the
 * namespace's name is the fallback ("netns"). A lookup that fails leaves
 * the veth as it was journaled, as one that finds nothing does ({@link ContainerLookup}).
 */
final class ProvisionalContainers
{
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long ON_DELTA_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    /**
     * Without CAP_SYS_PTRACE no process of a namespace can be seen, so "no process yet" cannot be told from "not
     * allowed to look", and no runtime's container can ever be found there: the namespace names its veth at once.
     */
    private static final boolean SEES_PROCESSES = Privileges.seesOtherProcesses();

    private static final class Provisional
    {
        final Link link;
        final long deadlineNs;
        long lastTryNs;

        Provisional(final Link link, final long nowNs)
        {
            this.link = link;
            this.deadlineNs = nowNs + WAIT_NS;
            this.lastTryNs = nowNs;
        }
    }

    private final TcLinks links;
    private final ContainerLookup lookup;
    private final Int2ObjectHashMap<Provisional> waiting = new Int2ObjectHashMap<>();
    private long nextRetryNs;

    ProvisionalContainers(final TcLinks links, final ContainerLookup lookup)
    {
        this.links = links;
        this.lookup = lookup;
    }

    /** link is attached under its namespace, for want of a container process: look again for a while. */
    void add(final Link link)
    {
        waiting.put(link.ifindex(), new Provisional(link, System.nanoTime()));
    }

    void remove(final int ifindex)
    {
        waiting.remove(ifindex);
    }

    void clear()
    {
        waiting.clear();
    }

    /** Looks again for the containers of the veths waiting, every 250 ms. */
    int retry(final long nowNs)
    {
        if (waiting.isEmpty() || nowNs - nextRetryNs < 0)
        {
            return 0;
        }
        nextRetryNs = nowNs + RETRY_NS;
        int work = 0;
        for (final Provisional p : new ArrayList<>(waiting.values()))
        {
            work += lookAgain(p, nowNs);
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
        final Provisional p = waiting.isEmpty() ? null : waiting.get(ifindex);
        if (p == null)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (nowNs - p.lastTryNs >= ON_DELTA_NS)
        {
            lookAgain(p, nowNs);
        }
    }

    /**
     * The resolver's fallback for a namespace without a single process (no cgroup to read, hence no cgroup path):
     * nothing there is a container yet.
     */
    static boolean withoutProcess(final Container container)
    {
        return "netns".equals(container.runtime()) && container.cgroupPath().isEmpty() && SEES_PROCESSES;
    }

    private int lookAgain(final Provisional p, final long nowNs)
    {
        p.lastTryNs = nowNs;
        final int ifindex = p.link.ifindex();
        final boolean attached = links.contains(ifindex);
        final Container found = attached ? lookup.resolve(p.link) : null;
        if (found != null && !"netns".equals(found.runtime()))
        {
            links.identify(ifindex, found); // names the interface's container from here on
            waiting.remove(ifindex);
            return 1;
        }
        final boolean over = nowNs - p.deadlineNs >= 0;
        int work = 0;
        final Container fallback = found != null ? found : links.container(ifindex); // a failed lookup: as attached
        if (attached && fallback != null && !links.named(ifindex) && (over || !withoutProcess(fallback)))
        {
            links.identify(ifindex, fallback); // the namespace's name: a process is there, or the wait is over
            work = 1;
        }
        if (!attached || over)
        {
            waiting.remove(ifindex);
        }
        return work;
    }
}
