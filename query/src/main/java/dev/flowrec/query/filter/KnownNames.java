package dev.flowrec.query.filter;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The interfaces and containers a window of a journal (or the live view's recorder run) saw: what the names in a
 * filter are resolved against by {@link FilterBinding}, so that a container's full id, any unambiguous prefix of it
 * and its name all match the flows that answers label with its short id.
 *
 * @param interfaces interface names, as answers show them
 * @param containers each container once, by label
 * @param commands   the command names of the processes that owned flows' sockets (SocketOwner)
 */
public record KnownNames(Set<String> interfaces, Collection<Container> containers, Set<String> commands)
{
    /** Nothing seen: every name a filter mentions is unknown. */
    public static final KnownNames NONE = new KnownNames(Set.of(), List.of(), Set.of());

    /**
     * One container.
     *
     * @param label what answers show in their container column (the short id the recorder journals with the
     *              interface; for a namespace without a runtime's container, its name)
     * @param id    the runtime's full id (64 hex), or the label when the journal never said more
     * @param name  another name it goes by (its network namespace's name), or ""
     */
    public record Container(String label, String id, String name)
    {
    }

    /** Gathers names from journal events; a container's identity (ContainerSeen) wins over its bare label. */
    public static final class Builder
    {
        private final Set<String> interfaces = new TreeSet<>();
        private final Map<String, Container> containers = new LinkedHashMap<>();
        private final Set<String> commands = new TreeSet<>();

        /** A socket's owner named with this command name. */
        public Builder command(final String comm)
        {
            if (!comm.isEmpty())
            {
                commands.add(comm);
            }
            return this;
        }

        /** An interface attached, with the label of its container ("" for none). */
        public Builder attached(final String ifname, final String container)
        {
            interfaces.add(ifname);
            if (!container.isEmpty())
            {
                containers.putIfAbsent(container, new Container(container, container, ""));
            }
            return this;
        }

        /** A container identified: labelled by its short id in answers. */
        public Builder seen(final String id, final String shortId, final String name)
        {
            if (!shortId.isEmpty())
            {
                containers.put(shortId, new Container(shortId, id.isEmpty() ? shortId : id, name));
            }
            return this;
        }

        public Builder add(final KnownNames names)
        {
            interfaces.addAll(names.interfaces());
            commands.addAll(names.commands());
            for (final Container c : names.containers())
            {
                final Container had = containers.get(c.label());
                if (had == null || had.id().equals(had.label()) && had.name().isEmpty())
                {
                    containers.put(c.label(), c);
                }
            }
            return this;
        }

        public KnownNames build()
        {
            return new KnownNames(Set.copyOf(interfaces), List.copyOf(containers.values()), Set.copyOf(commands));
        }
    }
}
