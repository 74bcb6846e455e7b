package dev.flowrec.query.cli;

import java.time.Instant;

/** Now, in epoch nanoseconds: the reference of relative times (-15m). */
final class Clock
{
    private Clock()
    {
    }

    static long nowNs()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
