package dev.flowrec.recorder.dns;

/**
 * What the recorder did with the DNS responses the kernel handed over, since its start: journaled as DnsCounters
 * events and shown as Prometheus counters. Written on the recorder's thread; read by the live view's (a torn read
 * of a counter is a counter one update behind, hence volatile-free plain longs read through {@link #copyTo}).
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

    /** Names as Prometheus shows them, by index. */
    public static final String[] NAMES =
        {"responses", "answers", "cut_short", "malformed", "looping", "oversized", "server_truncated"};

    private final long[] values = new long[COUNT];
    private volatile long changes;

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

    public void copyTo(final long[] to)
    {
        System.arraycopy(values, 0, to, 0, COUNT);
    }
}
