package dev.flowrec.recorder;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGINT, SIGTERM or a deadline ask the recorder to stop; the JVM then waits (in its shutdown hook) until
 * the recorder has flushed every pending flow and detached its filters, so a signal never truncates a run.
 * A run stopped cleanly by a signal exits 0, as tcpdump does; one that could not stop in time exits 143.
 */
public final class StopSignal implements AutoCloseable
{
    private static final long SHUTDOWN_GRACE_S = 30;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final long deadlineNs;
    private volatile boolean requested;

    /** @param durationNs stop after this long; 0 = only on a signal. */
    public StopSignal(final long durationNs)
    {
        this.deadlineNs = durationNs > 0 ? System.nanoTime() + durationNs : Long.MAX_VALUE;
        Runtime.getRuntime().addShutdownHook(new Thread(this::onSignal, "flowrec-stop"));
    }

    public boolean requested()
    {
        return requested || (deadlineNs != Long.MAX_VALUE && System.nanoTime() - deadlineNs >= 0);
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
