package dev.flowrec.query.filter;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.query.FlowView;

/**
 * {@code [src|dst] ip ADDR} and {@code [src|dst] net ADDR/N}: two masked 64-bit compares and a family compare.
 * An IPv4 prefix /n is the v4-mapped prefix /(96+n) of the journal's 16-byte addresses and only matches IPv4
 * flows; an IPv6 prefix only matches IPv6 flows.
 */
final class AddressTerm extends Node
{
    private final Side side;
    private final int family;
    private final long netHigh;
    private final long netLow;
    private final long maskHigh;
    private final long maskLow;

    /**
     * @param bits128 prefix length over the 16-byte address (96 + n for IPv4)
     * @param host    true for ip/host (printed without a prefix length)
     */
    AddressTerm(final Side side, final int family, final long high, final long low, final int bits128, final boolean host)
    {
        this(side, family, high & maskHigh(bits128), low & maskLow(bits128), maskHigh(bits128), maskLow(bits128),
            canonical(side, family, high & maskHigh(bits128), low & maskLow(bits128), bits128, host));
    }

    private AddressTerm(final Side side, final int family, final long netHigh, final long netLow, final long maskHigh,
        final long maskLow, final String canonical)
    {
        super(canonical, false, TERM);
        this.side = side;
        this.family = family;
        this.netHigh = netHigh;
        this.netLow = netLow;
        this.maskHigh = maskHigh;
        this.maskLow = maskLow;
    }

    static long maskHigh(final int bits)
    {
        return bits >= 64 ? -1L : bits == 0 ? 0L : -1L << (64 - bits);
    }

    static long maskLow(final int bits)
    {
        return bits <= 64 ? 0L : bits == 128 ? -1L : -1L << (128 - bits);
    }

    @Override
    public boolean test(final FlowView flow)
    {
        if (flow.family() != family)
        {
            return false;
        }
        return switch (side)
        {
            case SRC -> matches(flow.srcAddrHigh(), flow.srcAddrLow());
            case DST -> matches(flow.dstAddrHigh(), flow.dstAddrLow());
            case EITHER -> matches(flow.srcAddrHigh(), flow.srcAddrLow()) || matches(flow.dstAddrHigh(), flow.dstAddrLow());
        };
    }

    private boolean matches(final long high, final long low)
    {
        return (high & maskHigh) == netHigh && (low & maskLow) == netLow;
    }

    private static String canonical(final Side side, final int family, final long high, final long low, final int bits128,
        final boolean host)
    {
        final String address = Addresses.format(high, low, family);
        return host ? side.prefix + "ip " + address : side.prefix + "net " + address + "/" + (family == 4 ? bits128 - 96 : bits128);
    }
}
