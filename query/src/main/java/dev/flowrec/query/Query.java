package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowTimeouts;
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
 * @param atNs       the flows active at this instant (first packet before it, last one within the inactive timeout);
 *                   {@link #NO_INSTANT} for none
 * @param inactiveNs a 5-tuple quiet for longer than this starts a new flow (so does a TCP SYN after FIN/RST), and a
 *                   flow is no longer active this long after its last packet
 */
public record Query(Window window, FlowFilter where, List<GroupKey> groupBy, int top, By by, long intervalNs, long atNs,
    long inactiveNs, boolean names)
{
    public enum By
    {
        bytes, packets, flows
    }

    public static final long NO_INSTANT = Long.MIN_VALUE;

    public Query
    {
        if (inactiveNs <= 0)
        {
            throw new IllegalArgumentException("the inactive timeout must be positive: " + inactiveNs + " ns");
        }
    }

    /** A query that names addresses from the journal's DNS answers (src_name, dst_name; query --names on). */
    public Query(final Window window, final FlowFilter where, final List<GroupKey> groupBy, final int top, final By by,
        final long intervalNs, final long atNs, final long inactiveNs)
    {
        this(window, where, groupBy, top, by, intervalNs, atNs, inactiveNs, true);
    }

    /** A query with the default inactive timeout, {@link FlowTimeouts#DEFAULT_INACTIVE_NS} (15 s). */
    public Query(final Window window, final FlowFilter where, final List<GroupKey> groupBy, final int top, final By by,
        final long intervalNs, final long atNs)
    {
        this(window, where, groupBy, top, by, intervalNs, atNs, FlowTimeouts.DEFAULT_INACTIVE_NS);
    }

    public static Query listing(final Window window)
    {
        return new Query(window, FilterParser.ALL, List.of(), 0, By.bytes, 0, NO_INSTANT);
    }

    /** The same question over another window (--follow's next second). */
    public Query withWindow(final Window other)
    {
        return new Query(other, where, groupBy, top, by, intervalNs, atNs, inactiveNs, names);
    }

    /** The same question with another inactive timeout (the shell's setting). */
    public Query withInactiveNs(final long ns)
    {
        return new Query(window, where, groupBy, top, by, intervalNs, atNs, ns, names);
    }

    /** The same question with or without the names of addresses (query --names off: no join, for speed). */
    public Query withNames(final boolean on)
    {
        return new Query(window, where, groupBy, top, by, intervalNs, atNs, inactiveNs, on);
    }

    public boolean grouped()
    {
        return !groupBy.isEmpty() || intervalNs > 0;
    }
}
