package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;
import dev.flowrec.journal.text.Protocols;

/** The terms that compare one field of the flow key with a constant. */
final class Terms
{
    private Terms()
    {
    }

    /** {@code proto tcp|udp|icmp|icmpv6|N}. */
    static final class Proto extends Node
    {
        private final int proto;

        Proto(final int proto)
        {
            super("proto " + Protocols.name(proto), false, TERM);
            this.proto = proto;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return flow.proto() == proto;
        }
    }

    /** {@code family 4|6} ({@code inet}, {@code inet6}). */
    static final class Family extends Node
    {
        private final int family;

        Family(final int family)
        {
            super("family " + family, false, TERM);
            this.family = family;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return flow.family() == family;
        }
    }

    /** {@code direction in|out}: TC ingress is in (0), egress out (1). */
    static final class Direction extends Node
    {
        private final int direction;

        Direction(final int direction)
        {
            super("direction " + Protocols.direction(direction), false, TERM);
            this.direction = direction;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return flow.direction() == direction;
        }
    }

    /** {@code iface NAME}: exact, case-sensitive. */
    static final class Iface extends Node
    {
        private final String name;

        Iface(final String name)
        {
            super("iface " + name, false, TERM);
            this.name = name;
        }

        @Override
        public boolean test(final FlowView flow)
        {
            return name.equals(flow.iface());
        }
    }

    /**
     * {@code container ID|NAME}: the exact id or name, or, for a text of at least 4 lower-case hex digits, any
     * container string that starts with it (a short id, as docker ps prints it).
     */
    static final class Container extends Node
    {
        static final int MIN_ID_PREFIX = 4;

        private final String name;
        private final boolean prefix;

        Container(final String name)
        {
            super("container " + name, false, TERM);
            this.name = name;
            this.prefix = isIdPrefix(name);
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

        @Override
        public boolean test(final FlowView flow)
        {
            final String container = flow.container();
            return container != null && (prefix ? container.startsWith(name) : container.equals(name));
        }
    }
}
