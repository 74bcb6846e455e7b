package dev.flowrec.query.filter;

/** Base of every compiled predicate: its canonical form (computed once, also its identity) and precedence. */
abstract class Node implements FlowFilter
{
    static final int OR = 1;
    static final int AND = 2;
    static final int NOT = 3;
    static final int TERM = 4;

    private final String canonical;
    private final boolean aggregates;
    private final int precedence;

    Node(final String canonical, final boolean aggregates, final int precedence)
    {
        this.canonical = canonical;
        this.aggregates = aggregates;
        this.precedence = precedence;
    }

    /**
     * This filter with the interface and container names it mentions resolved against what a window saw (see
     * {@link FilterBinding}); a term that names nothing returns itself.
     */
    FlowFilter bind(final FilterBinding binding)
    {
        return this;
    }

    static int precedence(final FlowFilter filter)
    {
        return filter instanceof Node node ? node.precedence : TERM;
    }

    /** The child's canonical form, in parentheses if it binds more loosely than its parent. */
    static String operand(final FlowFilter child, final int parentPrecedence)
    {
        return precedence(child) < parentPrecedence ? "(" + child + ")" : child.toString();
    }

    @Override
    public final boolean usesAggregates()
    {
        return aggregates;
    }

    @Override
    public final String toString()
    {
        return canonical;
    }

    @Override
    public final boolean equals(final Object o)
    {
        return o instanceof Node other && other.canonical.equals(canonical);
    }

    @Override
    public final int hashCode()
    {
        return canonical.hashCode();
    }
}
