package dev.flowrec.recorder;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.query.RollupWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the rollups of the journal's sealed hours ({@link RollupWriter}) on a thread of its own at the lowest
 * priority, never on the drain's: the journal agent pokes it once a minute, and a pass rolls up each hour that rolled
 * since (every hour without a current rollup at the first pass of a run). A pass first deletes the temporary files a
 * writer left ({@code CYCLE.rollup.tmp}): of a cycle retention deleted, or from before this run (a recorder killed while
 * writing). Failures are kept for the agent to say.
 */
final class RollupWriting implements AutoCloseable
{
    /** How long {@link #close()} lets a pass finish the cycle it is writing (it starts no other). */
    private static final long CLOSE_WAIT_MS = 5_000;
    private static final String TEMPORARY_SUFFIX = JournalPaths.ROLLUP_SUFFIX + RollupWriter.TEMPORARY_SUFFIX;

    private final Path dir;
    private final long startMs = System.currentTimeMillis();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
    {
        final Thread thread = new Thread(r, "flowrec-rollup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        return thread;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
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
        if (closing.get() || !busy.compareAndSet(false, true))
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
            deleteLeftovers();
            for (final int cycle : RollupWriter.sealedCycles(dir))
            {
                if (closing.get())
                {
                    return;
                }
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

    /**
     * Deletes each {@code CYCLE.rollup.tmp} whose cycle is gone, or that was last written before this run began; one
     * of this run's own (a write that failed) is written over by the next try. Runs on the pass's thread, the only one
     * of this recorder that writes them.
     */
    private void deleteLeftovers()
    {
        final Path rollups = dir.resolve(JournalPaths.ROLLUP_DIRECTORY);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(rollups, "*" + TEMPORARY_SUFFIX))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                final Path cycle = dir.resolve(name.substring(0, name.length() - TEMPORARY_SUFFIX.length()) +
                    JournalPaths.CYCLE_FILE_SUFFIX);
                if (!Files.exists(cycle) || Files.getLastModifiedTime(file).toMillis() < startMs)
                {
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (final NoSuchFileException ex)
        {
            // no rollups yet, or a leftover another process deleted first
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete leftover temporary rollups in " + rollups + ": " +
                ex.getMessage(), ex);
        }
    }

    /** Rollups written in this run. */
    long written()
    {
        return written.get();
    }

    /** The rollups written in this run in Prometheus text (appended to /metrics). */
    String metrics()
    {
        return "# HELP flowrec_rollups_written_total Rollups of the journal's sealed hours the recorder wrote " +
            "(not counting those found current).\n# TYPE flowrec_rollups_written_total counter\n" +
            "flowrec_rollups_written_total " + written.get() + "\n";
    }

    /** The last failure since the previous call, or null. */
    String failure()
    {
        return failure.getAndSet(null);
    }

    /**
     * Starts no more passes and lets the running one finish the cycle it writes, for a while: an interrupt would close
     * its file channel mid-write (ClosedByInterruptException) and leave the temporary file.
     */
    public void close()
    {
        closing.set(true);
        executor.shutdown();
        try
        {
            executor.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
