package dev.flowrec.query.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Ctrl-C for a one-shot reader. SIGINT (or SIGTERM) starts the JVM's shutdown; its hook sets this flag, which the
 * query's loops poll, and waits until the command has stopped between two rows and flushed them, so that the JVM
 * ends with 130 (128 + SIGINT) and what was printed is whole rows. A command that does not stop within
 * {@link #GRACE_MS} is ended anyway.
 */
public final class CtrlC implements BooleanSupplier, AutoCloseable
{
    static final long GRACE_MS = 2000;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onShutdown, "flowrec-ctrl-c");
    private volatile boolean pressed;

    private CtrlC()
    {
    }

    /** Listens for Ctrl-C until {@link #close()}. */
    public static CtrlC install()
    {
        final CtrlC ctrlC = new CtrlC();
        Runtime.getRuntime().addShutdownHook(ctrlC.hook);
        return ctrlC;
    }

    /** @return whether Ctrl-C was pressed. */
    public boolean getAsBoolean()
    {
        return pressed;
    }

    /** The command has finished (or stopped): the JVM may end. */
    public void close()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // shutting down already (Ctrl-C): the hook is waiting for this
        }
        finished.countDown();
    }

    private void onShutdown()
    {
        pressed = true;
        try
        {
            finished.await(GRACE_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
