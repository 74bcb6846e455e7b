package dev.flowrec.query.filter;

import dev.flowrec.query.FlowView;

/**
 * A compiled {@code --where} filter: a small tree of predicates over a {@link FlowView}. Evaluation allocates
 * nothing (addresses, masks, ports and names are prepared when the filter is parsed). Instances are
 * immutable and thread-safe; two filters are equal when their canonical forms are.
 */
public interface FlowFilter
{
    boolean test(FlowView flow);

    /**
     * True if the filter reads a flow's totals ({@code bytes}, {@code packets}) or the OR of its TCP flags
     * ({@code flags}): the engine must then sum the deltas of each flow in the window first and filter after.
     */
    boolean usesAggregates();

    /** True if the filter reads the names of a flow's addresses ({@code name}): a fold then names every delta. */
    default boolean usesNames()
    {
        return false;
    }

    /** The canonical form: lower-case keywords, explicit {@code and}, parentheses only where needed; it re-parses to an equal filter. */
    @Override
    String toString();
}
