package dev.flowrec.recorder;

import dev.flowrec.bpf.BpfException;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.Tc;
import dev.flowrec.bpf.TcLink;
import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.ContainerResolver;
import dev.flowrec.recorder.discovery.Link;
import dev.flowrec.recorder.discovery.LinkListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Decides which interfaces are recorded and owns their TC filters, following links as they come and go.
 * A container's host-side veth is attached with directions from the workload's point of view and journaled
 * with the container behind it. Runs on the recorder thread (it journals).
 */
final class Attachments implements LinkListener
{
    private record Attached(TcLink link, Container container)
    {
    }

    /** A veth whose namespace had no recognisable process yet (a runtime creates the veth first). */
    private record Provisional(Link link, long deadlineNs)
    {
    }

    private static final long PROVISIONAL_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long PROVISIONAL_FOR_NS = TimeUnit.SECONDS.toNanos(30);

    private final FlowProgram program;
    private final JournalEvents journal;
    private final Selection selection;
    private final ContainerResolver resolver = new ContainerResolver();
    private final Int2ObjectHashMap<Attached> attached = new Int2ObjectHashMap<>();
    private final Map<Integer, Provisional> provisional = new HashMap<>();
    private final Map<String, String> failures = new HashMap<>();
    private long nextRetryNs;
    private long attachFailures;

    Attachments(final FlowProgram program, final JournalEvents journal, final Selection selection)
    {
        this.program = program;
        this.journal = journal;
        this.selection = selection;
    }

    public void onLinkUp(final Link link)
    {
        if (link.isLoopback() || attached.containsKey(link.ifindex()))
        {
            return;
        }
        Tc.detachStale(link.ifindex()); // a recorder that died may have left its filters here
        final Container container = selection.containers() && link.peerInOtherNamespace() ?
            resolver.resolve(link).orElse(null) : null;
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
                    provisional.put(link.ifindex(), new Provisional(link, System.nanoTime() + PROVISIONAL_FOR_NS));
                }
            }
            journal.interfaceAttached(tc, container == null ? "" : container.shortId());
        }
        catch (final BpfException ex)
        {
            // The link may have vanished between the notification and the attach: counted, not fatal.
            attachFailures++;
            failures.put(link.name(), ex.getMessage());
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
            final Attached a = attached.get(p.link().ifindex());
            final Container found = resolver.resolve(p.link()).orElse(null);
            if (a != null && found != null && !"netns".equals(found.runtime()))
            {
                attached.put(p.link().ifindex(), new Attached(a.link(), found));
                journal.containerSeen(found, a.link());
                journal.interfaceAttached(a.link(), found.shortId()); // renames the interface's container from here on
                provisional.remove(p.link().ifindex());
                work++;
            }
            else if (a == null || nowNs - p.deadlineNs() >= 0)
            {
                provisional.remove(p.link().ifindex());
            }
        }
        return work;
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
    }
}
