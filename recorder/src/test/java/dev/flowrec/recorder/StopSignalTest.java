package dev.flowrec.recorder;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** --duration counts from the moment the filters are attached, not from the JVM's start (on a clock the test moves). */
class StopSignalTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    private long nowNs = 1_000 * SECOND_NS;

    @Test
    void shouldCountTheDurationFromTheStartOfRecording()
    {
        final StopSignal stop = new StopSignal(30 * SECOND_NS, () -> nowNs);
        nowNs += 40 * SECOND_NS; // a slow start: JVM, BPF load, attach
        assertFalse(stop.requested(), "the clock has not started");

        stop.startClock();
        nowNs += 30 * SECOND_NS - 1;
        assertFalse(stop.requested(), "one nanosecond short of the duration");
        nowNs += 1;
        assertTrue(stop.requested(), "the duration has elapsed since recording began");
    }

    @Test
    void shouldStartTheClockOnceAndNeverStopWithoutADuration()
    {
        final StopSignal stop = new StopSignal(10 * SECOND_NS, () -> nowNs);
        stop.startClock();
        nowNs += 5 * SECOND_NS;
        stop.startClock(); // a second call does not move the deadline
        nowNs += 5 * SECOND_NS;
        assertTrue(stop.requested());

        final StopSignal forever = new StopSignal(0, () -> nowNs);
        forever.startClock();
        nowNs += 1_000_000 * SECOND_NS;
        assertFalse(forever.requested());
    }
}
