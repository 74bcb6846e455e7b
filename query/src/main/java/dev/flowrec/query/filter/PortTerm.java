package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;

/**
 * {@code [src|dst] port [OP] N} and {@code [src|dst] port LO-HI}, evaluated as a range test [lo, hi], negated for
 * {@code !=}. Without src/dst the term holds if either port satisfies it (nfdump), so {@code port != 80} holds
 * for 80 to 5000; {@code not port 80} is the filter for "neither port is 80".
 */
final class PortTerm extends Node
{
    static final int MAX = 65535;

    private final Side side;
    private final int lo;
    private final int hi;
    private final boolean negated;

    private PortTerm(final Side side, final int lo, final int hi, final boolean negated, final String canonical)
    {
        super(canonical, false, TERM);
        this.side = side;
        this.lo = lo;
        this.hi = hi;
        this.negated = negated;
    }

    static PortTerm compare(final Side side, final Comparison op, final int port)
    {
        final String canonical = side.prefix + "port " + (op == Comparison.EQ ? "" : op.symbol + " ") + port;
        return switch (op)
        {
            case EQ -> new PortTerm(side, port, port, false, canonical);
            case NE -> new PortTerm(side, port, port, true, canonical);
            case LT -> new PortTerm(side, 0, port - 1, false, canonical);
            case LE -> new PortTerm(side, 0, port, false, canonical);
            case GT -> new PortTerm(side, port + 1, MAX, false, canonical);
            case GE -> new PortTerm(side, port, MAX, false, canonical);
        };
    }

    static PortTerm range(final Side side, final int lo, final int hi)
    {
        return lo == hi ? compare(side, Comparison.EQ, lo) : new PortTerm(side, lo, hi, false, side.prefix + "port " + lo + "-" + hi);
    }

    @Override
    public boolean test(final FlowView flow)
    {
        return switch (side)
        {
            case SRC -> matches(flow.srcPort());
            case DST -> matches(flow.dstPort());
            case EITHER -> matches(flow.srcPort()) || matches(flow.dstPort());
        };
    }

    private boolean matches(final int port)
    {
        return (port >= lo && port <= hi) != negated;
    }
}
