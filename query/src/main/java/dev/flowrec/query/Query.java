package dev.flowrec.query;

import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FlowFilter;
import java.util.List;

/**
 * A question to a journal, the same for the command line, the shell, export and the live view.
 *
 * @param window     deltas overlapping it are summed
 * @param where      which flows count (a filter on totals applies to the flows' sums in the window)
 * @param groupBy    keys to group flows by; empty for a flow listing
 * @param top        keep the N largest rows (per time bucket); 0 for all
 * @param by         what "largest" means
 * @param intervalNs time-series bucket length; 0 for none
 * @param atNs       the flows active at this instant (first packet before it, last one within {@link #ACTIVE_TIMEOUT_NS});
 *                   {@link #NO_INSTANT} for none
 */
public record Query(Window window, FlowFilter where, List<GroupKey> groupBy, int top, By by, long intervalNs, long atNs)
{
    public enum By
    {
        bytes, packets, flows
    }

    public static final long NO_INSTANT = Long.MIN_VALUE;
    /** NetFlow's usual inactive timeout: a flow with no packet for this long is over. */
    public static final long ACTIVE_TIMEOUT_NS = 15_000_000_000L;

    public static Query listing(final Window window)
    {
        return new Query(window, FilterParser.ALL, List.of(), 0, By.bytes, 0, NO_INSTANT);
    }

    public boolean grouped()
    {
        return !groupBy.isEmpty() || intervalNs > 0;
    }
}
