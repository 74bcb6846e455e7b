package dev.flowrec.recorder;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.agrona.ErrorHandler;

/**
 * Where every error of the recorder goes. While the agents run, an error is counted ({@code flowrec_errors_total}
 * on /metrics) and said on one line, and the agent lives on (Agrona's AgentInvoker hands it here); a message is
 * said once, not once per duty cycle. Before the agents run and while they stop, an error is fatal instead: it
 * is kept, and {@link #throwIfFatal()} throws it, so that a recorder that cannot start, or cannot stop cleanly,
 * fails with it on one line as before.
 * <p>
 * Its lines go to a sink the command line injects: no part of the recorder writes to stderr itself.
 * Single-threaded (the recorder's thread), but for {@link #errorsTotal()}, which any thread may read.
 */
public final class RecorderErrors implements ErrorHandler
{
    /** Distinct messages remembered; beyond, errors are counted but no longer said. */
    private static final int MAX_SAID = 256;

    private final Consumer<String> lines;
    private final AtomicLong errors = new AtomicLong();
    private final Set<String> said = new HashSet<>();
    private boolean running;
    private Throwable fatal;

    /** @param lines told each line to show, without the command's name (the command line adds it) */
    public RecorderErrors(final Consumer<String> lines)
    {
        this.lines = lines;
    }

    public void onError(final Throwable error)
    {
        if (!running)
        {
            if (fatal == null)
            {
                fatal = error;
            }
            else if (fatal != error)
            {
                fatal.addSuppressed(error);
            }
            return;
        }
        count();
        final String message = error.getMessage() != null ? error.getMessage() : error.toString();
        if (said.size() < MAX_SAID && said.add(message))
        {
            say("warning: " + message);
        }
    }

    /** Counts an error the caller reports itself, or has reported once already (see ContainerLookup). */
    void count()
    {
        errors.setRelease(errors.getPlain() + 1);
    }

    /** Says one line (a warning or a change of state, not counted as an error). */
    void say(final String line)
    {
        lines.accept(line);
    }

    /** From now on errors are counted and said (true), or kept as fatal (false). */
    void running(final boolean running)
    {
        this.running = running;
    }

    /** Throws the first error met while not running (others suppressed in it), if any. */
    void throwIfFatal()
    {
        final Throwable error = fatal;
        fatal = null;
        if (error instanceof RuntimeException ex)
        {
            throw ex;
        }
        if (error instanceof Error ex)
        {
            throw ex;
        }
        if (error != null)
        {
            throw new IllegalStateException(error.getMessage() != null ? error.getMessage() : error.toString(), error);
        }
    }

    /** @return errors counted while running; any thread. */
    public long errorsTotal()
    {
        return errors.getAcquire();
    }
}
