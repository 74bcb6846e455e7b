package dev.flowrec.ipfix;

/**
 * A token bucket of records per second, so that a collector on a slow host, or its socket's receive buffer, is not
 * overrun by a burst. A message may go once the bucket holds as many tokens as it has records (or the bucket's
 * capacity, 10 ms of the rate, for a message larger than that); sending takes them, possibly below zero, so the rate
 * holds on average. A rate of 0 does not pace. Single-threaded.
 */
public final class Pacer
{
    private static final long SECOND_NS = 1_000_000_000L;
    private final long recordsPerSecond;
    private final double capacity;
    private double tokens;
    private long lastNs;
    private boolean started;

    public Pacer(final long recordsPerSecond)
    {
        if (recordsPerSecond < 0)
        {
            throw new IllegalArgumentException("rate " + recordsPerSecond + " is negative");
        }
        this.recordsPerSecond = recordsPerSecond;
        this.capacity = Math.max(1.0, recordsPerSecond / 100.0);
    }

    /** @return nanoseconds to wait before a message of {@code records} may go; 0: now */
    public long delayNs(final int records, final long nowNs)
    {
        if (recordsPerSecond == 0)
        {
            return 0;
        }
        refill(nowNs);
        final double needed = Math.min(records, capacity);
        return tokens >= needed ? 0 : (long)Math.ceil((needed - tokens) * SECOND_NS / recordsPerSecond);
    }

    /** A message of {@code records} went. */
    public void take(final int records, final long nowNs)
    {
        refill(nowNs);
        tokens -= records;
    }

    private void refill(final long nowNs)
    {
        if (!started)
        {
            started = true;
            lastNs = nowNs;
            tokens = capacity;
            return;
        }
        final long elapsed = nowNs - lastNs;
        if (elapsed > 0)
        {
            tokens = Math.min(capacity, tokens + (double)elapsed * recordsPerSecond / SECOND_NS);
            lastNs = nowNs;
        }
    }
}
