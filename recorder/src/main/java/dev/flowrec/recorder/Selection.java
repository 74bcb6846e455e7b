package dev.flowrec.recorder;

import java.util.Set;

/**
 * What to record: the named interfaces, every non-loopback interface of the recorder's network namespace,
 * and/or every container veth (directions then from the workload's point of view).
 */
public record Selection(Set<String> names, boolean allInterfaces, boolean containers)
{
    /** With nothing named, a recorder records the whole host: every interface and every container. */
    public static Selection of(final Set<String> names, final boolean allInterfaces, final boolean containers)
    {
        return names.isEmpty() && !allInterfaces && !containers ?
            new Selection(names, true, true) : new Selection(names, allInterfaces, containers);
    }
}
