package dev.flowrec.recorder.dns;

/**
 * What the recorder did with the DNS responses the kernel handed over, since its start: journaled as DnsCounters
 * events (which the live view folds into its Prometheus counters). The recorder's thread only.
 */
public final class DnsCounters
{
    public static final int RESPONSES = 0;
    public static final int ANSWERS = 1;
    public static final int CUT_SHORT = 2;
    public static final int MALFORMED = 3;
    public static final int LOOPING = 4;
    public static final int OVERSIZED = 5;
    public static final int SERVER_TRUNCATED = 6;
    public static final int COUNT = 7;

    private final long[] values = new long[COUNT];
    private long changes;

    /** Counts a response and what {@link DnsMessage#decode} made of it. */
    public void onResponse(final int outcome, final boolean serverTruncated, final boolean journaled)
    {
        values[RESPONSES]++;
        switch (outcome)
        {
            case DnsMessage.CUT_SHORT -> values[CUT_SHORT]++;
            case DnsMessage.MALFORMED -> values[MALFORMED]++;
            case DnsMessage.LOOPING -> values[LOOPING]++;
            case DnsMessage.OVERSIZED -> values[OVERSIZED]++;
            default ->
            {
                // OK
            }
        }
        if (serverTruncated)
        {
            values[SERVER_TRUNCATED]++;
        }
        if (journaled)
        {
            values[ANSWERS]++;
        }
        changes++;
    }

    public long get(final int index)
    {
        return values[index];
    }

    /** How many updates so far: a writer journals the counters when this moved. */
    public long changes()
    {
        return changes;
    }
}
