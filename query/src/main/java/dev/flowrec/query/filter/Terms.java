package dev.flowrec.query.filter;

import dev.flowrec.journal.text.Protocols;
import dev.flowrec.query.FlowView;
import java.util.Set;

/** The terms that compare one field of the flow key with a constant. */
final class Terms
{
    private static final int MIN_ID_PREFIX = 4;

    private Terms()
    {
    }

    /** {@code proto tcp|udp|icmp|icmpv6|N}. */
    static FlowFilter proto(final int proto)
    {
        return new KeyNumber(KeyNumber.PROTO, proto, "proto " + Protocols.name(proto));
    }

    /** {@code family 4|6} ({@code inet}, {@code inet6}). */
    static FlowFilter family(final int family)
    {
        return new KeyNumber(KeyNumber.FAMILY, family, "family " + family);
    }

    /** {@code direction in|out}: TC ingress is in (0), egress out (1). */
    static FlowFilter direction(final int direction)
    {
        return new KeyNumber(KeyNumber.DIRECTION, direction, "direction " + Protocols.direction(direction));
    }

    /** {@code pid N}: the host pid of the process owning the flow's local socket; {@code pid 0}, no known owner. */
    static FlowFilter pid(final int pid)
    {
        return new KeyNumber(KeyNumber.PID, pid, "pid " + pid);
    }

    /** {@code comm NAME}: the command name of the process owning the flow's local socket, exact, case-sensitive. */
    static FlowFilter comm(final String name)
    {
        return new Comm(name);
    }

    /** {@code iface NAME}: exact, case-sensitive. */
    static FlowFilter iface(final String name)
    {
        return new KeyName(false, name, false);
    }

    /**
     * {@code container ID|NAME}: the exact id or name, or, for a text of at least 4 lower-case hex digits, any
     * container string that starts with it (a short id, as docker ps prints it).
     */
    static FlowFilter container(final String name)
    {
        return new KeyName(true, name, isIdPrefix(name));
    }

    static boolean isIdPrefix(final String text)
    {
        if (text.length() < MIN_ID_PREFIX)
        {
            return false;
        }
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f'))
            {
                return false;
            }
        }
        return true;
    }

    /** proto, family or direction equal to a number. */
    private static final class KeyNumber extends Node
    {
        static final int PROTO = 0;
        static final int FAMILY = 1;
        static final int DIRECTION = 2;
        static final int PID = 3;

        private final int field;
        private final int value;

        KeyNumber(final int field, final int value, final String canonical)
        {
            super(canonical, false, TERM);
            this.field = field;
            this.value = value;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return value == switch (field)
            {
                case PROTO -> flow.proto();
                case FAMILY -> flow.family();
                case PID -> flow.pid();
                default -> flow.direction();
            };
        }
    }

    /** The interface or the container equal to a name, or the container starting with an id prefix. */
    private static final class KeyName extends Node
    {
        private final boolean container;
        private final String name;
        private final boolean prefix;

        KeyName(final boolean container, final String name, final boolean prefix)
        {
            super((container ? "container " : "iface ") + name, false, TERM);
            this.container = container;
            this.name = name;
            this.prefix = prefix;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            final String actual = container ? flow.container() : flow.iface();
            return actual != null && (prefix ? actual.startsWith(name) : actual.equals(name));
        }

        @Override
        FlowFilter bind(final FilterBinding binding)
        {
            if (!container)
            {
                binding.checkInterface(name);
                return this;
            }
            return new ContainerLabels(toString(), binding.resolveContainer(name));
        }
    }

    /** The owner's command name equal to a name; one the window never saw is said in a warning. */
    private static final class Comm extends Node
    {
        private final String name;

        Comm(final String name)
        {
            super("comm " + name, false, TERM);
            this.name = name;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return name.equals(flow.comm());
        }

        @Override
        FlowFilter bind(final FilterBinding binding)
        {
            binding.checkCommand(name);
            return this;
        }
    }

    /** A container term resolved against the containers a window saw: the labels its flows carry in answers. */
    private static final class ContainerLabels extends Node
    {
        private final Set<String> labels;

        ContainerLabels(final String canonical, final Set<String> labels)
        {
            super(canonical, false, TERM);
            this.labels = labels;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            final String actual = flow.container();
            return actual != null && labels.contains(actual);
        }
    }
}
