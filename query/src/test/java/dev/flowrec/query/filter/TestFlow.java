package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;

/** A flow for filter tests: addresses as text, everything else as given. */
record TestFlow(String iface, String container, int direction, int family, int proto, int srcPort, int dstPort,
    long srcAddrHigh, long srcAddrLow, long dstAddrHigh, long dstAddrLow, long packets, long bytes, int tcpFlags,
    int pid, String comm)
    implements FlowView
{
    static Builder flow()
    {
        return new Builder();
    }

    static final class Builder
    {
        private String iface = "eth0";
        private String container = "";
        private int direction = 1;
        private int proto = 6;
        private String src = "10.0.0.1";
        private int srcPort = 40000;
        private String dst = "192.0.2.80";
        private int dstPort = 443;
        private long packets = 10;
        private long bytes = 1500;
        private int tcpFlags = 0x12;
        private int pid;
        private String comm = "";

        Builder iface(final String value)
        {
            iface = value;
            return this;
        }

        Builder container(final String value)
        {
            container = value;
            return this;
        }

        Builder direction(final int value)
        {
            direction = value;
            return this;
        }

        Builder proto(final int value)
        {
            proto = value;
            return this;
        }

        Builder src(final String address, final int port)
        {
            src = address;
            srcPort = port;
            return this;
        }

        Builder dst(final String address, final int port)
        {
            dst = address;
            dstPort = port;
            return this;
        }

        Builder packets(final long value)
        {
            packets = value;
            return this;
        }

        Builder bytes(final long value)
        {
            bytes = value;
            return this;
        }

        Builder tcpFlags(final int value)
        {
            tcpFlags = value;
            return this;
        }

        /** The process owning the flow's local socket. */
        Builder owner(final int pidValue, final String commValue)
        {
            pid = pidValue;
            comm = commValue;
            return this;
        }

        TestFlow build()
        {
            final long[] s = new long[2];
            final long[] d = new long[2];
            final int family = AddressText.parse(src, s);
            if (family == 0 || AddressText.parse(dst, d) != family)
            {
                throw new IllegalArgumentException("bad test addresses " + src + " " + dst);
            }
            return new TestFlow(iface, container, direction, family, proto, srcPort, dstPort, s[0], s[1], d[0], d[1],
                packets, bytes, tcpFlags, pid, comm);
        }
    }
}
