package dev.flowrec.query;
import dev.flowrec.journal.text.Protocols;
import dev.flowrec.journal.text.Addresses;

/**
 * A one-way flow as the readers name it: interface, container, direction and 5-tuple (and the time bucket of a
 * series), built once per flow of an answer from the {@link FlowSumsTable} the deltas were summed in. Addresses are
 * held as the table holds them, two big-endian halves of the 16 bytes each; text is made only when asked for.
 */
public final class FlowKey
{
    String iface = "";
    String container = "";
    int direction;
    int family;
    int proto;
    long srcHigh;
    long srcLow;
    long dstHigh;
    long dstLow;
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

    FlowKey addresses(final long srcHigh, final long srcLow, final long dstHigh, final long dstLow)
    {
        this.srcHigh = srcHigh;
        this.srcLow = srcLow;
        this.dstHigh = dstHigh;
        this.dstLow = dstLow;
        return this;
    }

    /** Computes the hash once the fields are set: keys compare by value, in maps too. */
    FlowKey rehash()
    {
        long h = 31L * iface.hashCode() + container.hashCode();
        h = mix(h, (long)direction << 48 | (long)family << 40 | (long)proto << 32 | (long)srcPort << 16 | dstPort);
        h = mix(h, srcHigh);
        h = mix(h, srcLow);
        h = mix(h, dstHigh);
        h = mix(h, dstLow);
        h = mix(h, bucketNs);
        h ^= h >>> 32; // fold the high bits in: hash tables keep the low ones
        hash = (int)h;
        return this;
    }

    private static long mix(final long h, final long v)
    {
        final long x = (h ^ v) * 0x9E3779B97F4A7C15L; // golden-ratio multiply spreads every input bit upwards
        return x ^ x >>> 29;
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

    /** The 16 address bytes, network order, for formatting (per answer row, not per delta). */
    static byte[] bytes(final long high, final long low)
    {
        final byte[] addr = new byte[16];
        for (int i = 0; i < 8; i++)
        {
            addr[i] = (byte)(high >>> (56 - 8 * i));
            addr[8 + i] = (byte)(low >>> (56 - 8 * i));
        }
        return addr;
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
        return Addresses.format(bytes(srcHigh, srcLow), family);
    }

    public String dstAddr()
    {
        return Addresses.format(bytes(dstHigh, dstLow), family);
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
            proto == k.proto && srcPort == k.srcPort && dstPort == k.dstPort && bucketNs == k.bucketNs &&
            srcHigh == k.srcHigh && srcLow == k.srcLow && dstHigh == k.dstHigh && dstLow == k.dstLow &&
            iface.equals(k.iface) && container.equals(k.container);
    }
}
