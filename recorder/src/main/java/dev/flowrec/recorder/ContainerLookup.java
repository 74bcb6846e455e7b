package dev.flowrec.recorder;

import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.Link;
import java.util.Optional;
import java.util.function.Function;

/**
 * The container behind a veth, for the discovery and the drain paths alike. A failure to look (no CAP_SYS_ADMIN
 * for setns, no CAP_SYS_PTRACE to see other users' namespaces, a namespace that vanished or answers oddly) is
 * counted as an error and said once, and the veth stays unresolved: recorded without a container if selected,
 * or under the namespace it was first journaled with. No exception leaves it, so that one odd namespace never
 * ends a duty cycle.
 */
final class ContainerLookup
{
    private final Function<Link, Optional<Container>> resolver;
    private final RecorderErrors errors;
    private long failures;

    /** @param resolver the container behind a host-side veth, or empty (ContainerResolver::resolve) */
    ContainerLookup(final Function<Link, Optional<Container>> resolver, final RecorderErrors errors)
    {
        this.resolver = resolver;
        this.errors = errors;
    }

    /** The container behind link, or null when there is none or it could not be looked for. */
    Container resolve(final Link link)
    {
        try
        {
            return resolver.apply(link).orElse(null);
        }
        catch (final RuntimeException ex)
        {
            errors.count();
            if (failures++ == 0)
            {
                errors.say("warning: cannot identify containers: " + ex.getMessage() +
                    " (needs CAP_SYS_ADMIN and CAP_SYS_PTRACE)");
            }
            return null;
        }
    }

    /** Lookups that failed (each also counted as an error). */
    long failures()
    {
        return failures;
    }
}
