package dev.flowrec.ipfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldHoldTheRateOverASecondOfFullMessages()
    {
        final Pacer pacer = new Pacer(1000);
        long now = 0;
        long sent = 0;
        while (now < SECOND)
        {
            final long delay = pacer.delayNs(25, now);
            if (delay > 0)
            {
                now += delay;
                continue;
            }
            pacer.take(25, now);
            sent += 25;
        }
        assertTrue(sent >= 1000 && sent <= 1000 + 25 + 10, "records in the first second at 1000/s: " + sent);
    }

    @Test
    void shouldNotPaceAtZero()
    {
        final Pacer pacer = new Pacer(0);
        pacer.take(1_000_000, 0);
        assertEquals(0, pacer.delayNs(1_000_000, 0));
    }
}
