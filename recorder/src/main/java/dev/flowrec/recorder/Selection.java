package dev.flowrec.recorder;

import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.Link;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What to record: the named interfaces (loopback too), every non-loopback interface of the recorder's network namespace,
 * every container veth (directions then from the workload's point of view) and container on the host
 * network, and/or cgroups given by hand.
 */
public record Selection(Set<String> names, boolean allInterfaces, boolean containers, List<Path> cgroups)
{
    /** With nothing named, a recorder records the whole host: every interface and every container. */
    public static Selection of(final Set<String> names, final boolean allInterfaces, final boolean containers,
        final List<Path> cgroups)
    {
        return names.isEmpty() && !allInterfaces && !containers && cgroups.isEmpty() ?
            new Selection(names, true, true, cgroups) : new Selection(names, allInterfaces, containers, cgroups);
    }

    /** Whether a link is worth a container lookup: only a veth whose peer is in another namespace may lead to one. */
    public boolean looksForContainer(final Link link)
    {
        return containers && link.peerInOtherNamespace();
    }

    /** Whether a link is recorded, given the container found behind it (null: none). */
    public boolean wants(final Link link, final Container container)
    {
        return container != null || allInterfaces || names.contains(link.name());
    }
}
