package dev.flowrec.recorder;

import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.Link;
import dev.flowrec.recorder.discovery.LinkListener;
import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * Told of every link as it comes and goes, attaches to those the selection wants, with the container behind
 * the link when there is one. A veth whose namespace shows no container process yet is attached under the
 * namespace and looked up again for a while ({@link ProvisionalContainers}).
 */
final class InterfaceSelector implements LinkListener
{
    private final Selection selection;
    private final ContainerLookup lookup;
    private final TcLinks links;
    private final ProvisionalContainers provisional;
    private final Int2ObjectHashMap<String> leftOut = new Int2ObjectHashMap<>();

    InterfaceSelector(final Selection selection, final ContainerLookup lookup, final TcLinks links,
        final ProvisionalContainers provisional)
    {
        this.selection = selection;
        this.lookup = lookup;
        this.links = links;
        this.provisional = provisional;
    }

    public boolean reportsLoopback()
    {
        return true;
    }

    public void onLinkUp(final Link link)
    {
        if (links.contains(link.ifindex()))
        {
            return;
        }
        if (link.isLoopback() && !selection.names().contains(link.name()))
        {
            if (selection.allInterfaces())
            {
                leftOut.put(link.ifindex(), link.name() + " (loopback: host-internal traffic, seen twice, as out and in; "
                    + "--iface " + link.name() + " records it)");
            }
            return;
        }
        final Container container = selection.looksForContainer(link) ? lookup.resolve(link) : null;
        if (!selection.wants(link, container))
        {
            links.detachStale(link); // a dead run of this instance may have left its filters here
            return;
        }
        // An attach replaces a dead run's filter in one step: no packet goes uncounted in between.
        if (links.attach(link, container) && container != null && "netns".equals(container.runtime()))
        {
            provisional.add(link);
        }
    }

    public void onLinkGone(final Link link)
    {
        leftOut.remove(link.ifindex());
        provisional.remove(link.ifindex());
        links.detach(link.ifindex(), "vanished");
    }

    /** The interfaces that recording every interface leaves out, each with why, sorted. */
    List<String> leftOut()
    {
        final List<String> out = new ArrayList<>(leftOut.values());
        out.sort(null);
        return out;
    }
}
