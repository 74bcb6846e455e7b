package dev.flowrec.query;

/**
 * A half-open time window [since, until) in epoch nanoseconds. A delta belongs to the window that holds its
 * last packet, so consecutive windows (time-series buckets, --follow) partition the deltas: each is counted
 * once. Window edges are therefore exact to a delta, which spans at most about one flush interval.
 */
public record Window(long sinceNs, long untilNs)
{
    public static final Window ALL = new Window(Long.MIN_VALUE, Long.MAX_VALUE);

    public Window
    {
        if (untilNs <= sinceNs)
        {
            throw new IllegalArgumentException("empty time window: --until must be after --since");
        }
    }

    public boolean holds(final long lastNs)
    {
        return lastNs >= sinceNs && lastNs < untilNs;
    }

    public boolean hasStart()
    {
        return sinceNs != Long.MIN_VALUE;
    }

    public boolean hasEnd()
    {
        return untilNs != Long.MAX_VALUE;
    }
}
