package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;

/** {@code bytes OP N} and {@code packets OP N}: the flow's totals in the queried window (an aggregate term). */
final class CountTerm extends Node
{
    private final boolean bytes;
    private final Comparison op;
    private final long operand;

    CountTerm(final boolean bytes, final Comparison op, final long operand)
    {
        super((bytes ? "bytes " : "packets ") + op.symbol + " " + Counts.format(operand, bytes), true, TERM);
        this.bytes = bytes;
        this.op = op;
        this.operand = operand;
    }

    @Override
    public boolean test(final FlowView flow)
    {
        return op.test(bytes ? flow.bytes() : flow.packets(), operand);
    }
}
