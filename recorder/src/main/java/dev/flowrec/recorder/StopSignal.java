package dev.flowrec.recorder;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * SIGINT, SIGTERM or a deadline ask the recorder to stop; the JVM then waits (in its shutdown hook) until
 * the recorder has flushed every pending flow and detached its filters, so a signal never truncates a run.
 * A run stopped cleanly by a signal exits 0, as tcpdump does; one that could not stop in time exits 143.
 * <p>
 * The deadline ({@code --duration}) runs from {@link #startClock()}, called once the filters are attached: a
 * recording of 30 s holds 30 s of traffic however long the JVM, the BPF load and the attach took.
 */
public final class StopSignal implements AutoCloseable
{
    private static final long SHUTDOWN_GRACE_S = 30;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long durationNs;
    private final LongSupplier nanoClock;
    private long deadlineNs = Long.MAX_VALUE;
    private long startedNs = -1;
    private volatile boolean requested;

    /** @param durationNs stop this long after {@link #startClock()}; 0 = only on a signal. */
    public StopSignal(final long durationNs)
    {
        this(durationNs, System::nanoTime);
        Runtime.getRuntime().addShutdownHook(new Thread(this::onSignal, "flowrec-stop"));
    }

    /** Without a shutdown hook: only the deadline, on the given clock (for tests). */
    StopSignal(final long durationNs, final LongSupplier nanoClock)
    {
        this.durationNs = durationNs;
        this.nanoClock = nanoClock;
    }

    /** Recording has begun (the filters are attached): the duration counts from now. Called on the recorder's thread. */
    public void startClock()
    {
        if (startedNs == -1)
        {
            startedNs = nanoClock.getAsLong();
        }
        if (durationNs > 0 && deadlineNs == Long.MAX_VALUE)
        {
            deadlineNs = nanoClock.getAsLong() + durationNs;
        }
    }

    /** @return how long it has been recording since {@link #startClock()} (0 before). Recorder's thread. */
    public long elapsedNs()
    {
        return startedNs == -1 ? 0 : nanoClock.getAsLong() - startedNs;
    }

    public boolean requested()
    {
        return requested || (deadlineNs != Long.MAX_VALUE && nanoClock.getAsLong() - deadlineNs >= 0);
    }

    /** The recorder has finished its orderly stop. */
    public void close()
    {
        stopped.countDown();
    }

    private void onSignal()
    {
        final boolean bySignal = stopped.getCount() != 0; // else the recorder had finished: a normal exit
        requested = true;
        try
        {
            if (stopped.await(SHUTDOWN_GRACE_S, TimeUnit.SECONDS) && bySignal)
            {
                // Stopped cleanly on a signal: everything is flushed and closed, so end with success.
                Runtime.getRuntime().halt(0);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
