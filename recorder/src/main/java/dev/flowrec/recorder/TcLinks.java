package dev.flowrec.recorder;

import dev.flowrec.syscall.SyscallException;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.TcLink;
import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.Link;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The TC filters of the recorded interfaces, by ifindex, each with the container behind it (or none), journaling
 * every attach, identification and detach. A container's host-side veth is attached with directions from the
 * workload's point of view. Recorder thread only (it journals).
 */
final class TcLinks
{
    /** @param named whether the container was journaled (a namespace that holds no process yet is not) */
    private record Attached(TcLink link, Container container, boolean named)
    {
    }

    private final FlowProgram program;
    private final JournalEvents journal;
    private final RecorderErrors errors;
    private final Int2ObjectHashMap<Attached> attached = new Int2ObjectHashMap<>();
    private final Map<String, String> failures = new HashMap<>();

    TcLinks(final RecorderContext context)
    {
        this.program = context.program();
        this.journal = context.journal();
        this.errors = context.errors();
    }

    boolean contains(final int ifindex)
    {
        return attached.containsKey(ifindex);
    }

    /**
     * Attaches to link and journals it with its container (null: none; a namespace that holds no process yet is not
     * named until it does, see {@link ProvisionalContainers}). The link may have vanished between its
     * notification and the attach: that is counted as an error and kept as the name's failure, not thrown.
     *
     * @return whether it is attached
     */
    boolean attach(final Link link, final Container container)
    {
        try
        {
            // The journal tells the point of view by the container: one journaled with it is in the workload view.
            final TcLink tc = program.attach(null, link.name(), container != null);
            final boolean named = container != null && !ProvisionalContainers.withoutProcess(container);
            attached.put(link.ifindex(), new Attached(tc, container, named));
            failures.remove(link.name());
            if (named)
            {
                journal.containerSeen(container, tc);
            }
            journal.interfaceAttached(tc, named ? container.shortId() : "");
            return true;
        }
        catch (final SyscallException ex)
        {
            errors.count();
            failures.put(link.name(), ex.getMessage());
            return false;
        }
    }

    /**
     * Removes the filters a dead run of this instance left on a link this run does not record, so that they do not
     * go on counting into maps nobody drains; what they counted is in the adopted flow map, and journaled from
     * there (the sweeper flushes it). Journals the link as detached when there was one.
     */
    void detachStale(final Link link)
    {
        try
        {
            if (program.detachStale(link.ifindex()) > 0)
            {
                journal.interfaceDetached(link.ifindex(), link.name(), "left attached by a dead run, not recorded by this one");
            }
        }
        catch (final RuntimeException ex)
        {
            errors.count();
            errors.say("removing a dead run's filter from " + link.name() + ": " + ex.getMessage());
        }
    }

    /** Journals the container found behind an attached interface; its flows are journaled under it from here on. */
    void identify(final int ifindex, final Container found)
    {
        final Attached a = attached.get(ifindex);
        attached.put(ifindex, new Attached(a.link(), found, true));
        journal.containerSeen(found, a.link());
        journal.interfaceAttached(a.link(), found.shortId());
    }

    /** The container found behind the interface, journaled or not; null for none or not attached. */
    Container container(final int ifindex)
    {
        final Attached a = attached.get(ifindex);
        return a == null ? null : a.container();
    }

    /** Whether the interface's container is journaled (false for none yet, or not attached). */
    boolean named(final int ifindex)
    {
        final Attached a = attached.get(ifindex);
        return a != null && a.named();
    }

    void detach(final int ifindex, final String reason)
    {
        final Attached a = attached.remove(ifindex);
        if (a != null)
        {
            a.link().close();
            journal.interfaceDetached(a.link(), reason);
        }
    }

    /** Detaches every interface, journaling each as stopped. */
    void closeAll()
    {
        for (final Attached a : new ArrayList<>(attached.values()))
        {
            a.link().close();
            journal.interfaceDetached(a.link(), "stopped");
        }
        attached.clear();
    }

    /** Why a named interface could not be attached, or null when it was not tried or is attached. */
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

    void addNamesTo(final List<String> names)
    {
        attached.values().forEach(a -> names.add(a.link().ifname()));
    }
}
