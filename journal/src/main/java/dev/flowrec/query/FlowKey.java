package dev.flowrec.query;

import java.util.Arrays;

/**
 * A one-way flow as the readers name it: interface, container, direction and 5-tuple. Mutable so that one
 * probe key serves every lookup; {@link #copy()} makes the key a map keeps.
 */
public final class FlowKey
{
    String iface = "";
    String container = "";
    int direction;
    int family;
    int proto;
    final byte[] src = new byte[16];
    final byte[] dst = new byte[16];
    int srcPort;
    int dstPort;
    /** Start of the time bucket this flow is summed in (time series), 0 otherwise. */
    long bucketNs;
    private int hash;

    FlowKey set(final String iface, final String container, final int direction, final int family, final int proto,
        final int srcPort, final int dstPort)
    {
        this.iface = iface;
        this.container = container;
        this.direction = direction;
        this.family = family;
        this.proto = proto;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        return this;
    }

    /** Call after the fields and address bytes are set, before any lookup. */
    FlowKey rehash()
    {
        int h = iface.hashCode();
        h = 31 * h + container.hashCode();
        h = 31 * h + (direction << 16 | family << 8 | proto);
        h = 31 * h + Arrays.hashCode(src);
        h = 31 * h + Arrays.hashCode(dst);
        h = 31 * h + Long.hashCode(bucketNs);
        hash = 31 * h + (srcPort << 16 | dstPort);
        return this;
    }

    FlowKey copy()
    {
        final FlowKey k = new FlowKey().set(iface, container, direction, family, proto, srcPort, dstPort);
        System.arraycopy(src, 0, k.src, 0, 16);
        System.arraycopy(dst, 0, k.dst, 0, 16);
        k.bucketNs = bucketNs;
        k.hash = hash;
        return k;
    }

    public String iface()
    {
        return iface;
    }

    public long bucketNs()
    {
        return bucketNs;
    }

    public int family()
    {
        return family;
    }

    public int directionCode()
    {
        return direction;
    }

    static long half(final byte[] addr, final int from)
    {
        long v = 0;
        for (int i = from; i < from + 8; i++)
        {
            v = v << 8 | (addr[i] & 0xFF);
        }
        return v;
    }

    public String container()
    {
        return container;
    }

    public String direction()
    {
        return Protocols.direction(direction);
    }

    public int proto()
    {
        return proto;
    }

    public String protoName()
    {
        return Protocols.name(proto);
    }

    public String srcAddr()
    {
        return Addresses.format(src, family);
    }

    public String dstAddr()
    {
        return Addresses.format(dst, family);
    }

    public int srcPort()
    {
        return srcPort;
    }

    public int dstPort()
    {
        return dstPort;
    }

    public int hashCode()
    {
        return hash;
    }

    public boolean equals(final Object o)
    {
        return o instanceof FlowKey k && hash == k.hash && direction == k.direction && family == k.family &&
            proto == k.proto && srcPort == k.srcPort && dstPort == k.dstPort && bucketNs == k.bucketNs && iface.equals(k.iface) &&
            container.equals(k.container) && Arrays.equals(src, k.src) && Arrays.equals(dst, k.dst);
    }
}
