package dev.flowrec.recorder;

import dev.flowrec.query.RollupWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the rollups of the journal's sealed hours ({@link RollupWriter}) on a thread of its own at the lowest
 * priority, never on the drain's: the journal agent pokes it once a minute, and a pass rolls up each hour that rolled
 * since (every hour without a current rollup at the first pass of a run). Failures are kept for the agent to say.
 */
final class RollupWriting implements AutoCloseable
{
    private final Path dir;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
    {
        final Thread thread = new Thread(r, "flowrec-rollup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        return thread;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicLong written = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    /** Cycles rolled up (or found current) in this run; only the pass's thread touches it. */
    private final Set<Integer> done = new HashSet<>();

    RollupWriting(final Path dir)
    {
        this.dir = dir;
    }

    /** Starts a pass unless one is running; returns 1 when it did (agent work). */
    int poke()
    {
        if (!busy.compareAndSet(false, true))
        {
            return 0;
        }
        executor.execute(this::pass);
        return 1;
    }

    private void pass()
    {
        try
        {
            for (final int cycle : RollupWriter.sealedCycles(dir))
            {
                if (!done.contains(cycle))
                {
                    final RollupWriter.Outcome outcome = RollupWriter.write(dir, cycle);
                    if (outcome.skipped() == null)
                    {
                        written.incrementAndGet();
                    }
                    done.add(cycle);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            failure.set("cannot write the journal's rollups: " + ex.getMessage());
        }
        finally
        {
            busy.set(false);
        }
    }

    /** Rollups written in this run. */
    long written()
    {
        return written.get();
    }

    /** The last failure since the previous call, or null. */
    String failure()
    {
        return failure.getAndSet(null);
    }

    public void close()
    {
        executor.shutdownNow();
    }
}
