package dev.flowrec.recorder.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Commands run with a timeout, their output in files (a chatty command never blocks on a full pipe).
 * A command that outlives its timeout is killed, with its descendants, and fails the test: a hung
 * subprocess must not hang the build.
 */
final class Proc
{
    private Proc()
    {
    }

    record Result(List<String> command, int exit, String out, String err)
    {
        Result ok()
        {
            if (exit != 0)
            {
                throw new AssertionError(String.join(" ", command) + " exited " + exit + "\nstderr: " + err + "\nstdout: " + out);
            }
            return this;
        }
    }

    static Result run(final Duration timeout, final List<String> command)
    {
        try
        {
            final Path out = Files.createTempFile("flowrec-it", ".out");
            final Path err = Files.createTempFile("flowrec-it", ".err");
            try
            {
                final Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    kill(p.toHandle());
                    throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command) +
                        "\nstderr so far: " + Files.readString(err));
                }
                return new Result(command, p.exitValue(), Files.readString(out), Files.readString(err));
            }
            finally
            {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), ex);
        }
    }

    static Result ok(final Duration timeout, final String... command)
    {
        return run(timeout, List.of(command)).ok();
    }

    /** Kills a process and every descendant, by PID, children first. */
    static void kill(final ProcessHandle handle)
    {
        handle.descendants().toList().reversed().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }

    /** Polls until the condition holds; fails with the detail after the timeout. */
    static void await(final Duration timeout, final String what, final BooleanSupplier condition, final Supplier<String> detail)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + detail.get());
            }
            sleepMs(50);
        }
    }

    static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /** A process running in the background, its stdout and stderr in NAME.out / NAME.err under a log directory. */
    static final class Background implements AutoCloseable
    {
        private final String name;
        private final Process process;
        private final Path out;
        private final Path err;

        private Background(final String name, final Process process, final Path out, final Path err)
        {
            this.name = name;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        static Background start(final String name, final Path logDir, final List<String> command)
        {
            final Path out = logDir.resolve(name + ".out");
            final Path err = logDir.resolve(name + ".err");
            try
            {
                final Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
                return new Background(name, p, out, err);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("start " + name + ": " + String.join(" ", command), ex);
            }
        }

        String name()
        {
            return name;
        }

        long pid()
        {
            return process.pid();
        }

        boolean alive()
        {
            return process.isAlive();
        }

        String out()
        {
            return read(out);
        }

        String err()
        {
            return read(err);
        }

        /** Sends SIGTERM and waits for the exit; returns the exit code. A process that does not exit fails the test. */
        int stop(final Duration timeout)
        {
            process.destroy(); // SIGTERM, to this PID only
            try
            {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    kill(process.toHandle());
                    throw new AssertionError(name + " (pid " + pid() + ") did not exit within " + timeout +
                        " of SIGTERM; killed\nstderr: " + err());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            return process.exitValue();
        }

        /** Whatever happened, nothing of this process survives the test. */
        @Override
        public void close()
        {
            if (process.isAlive() || process.toHandle().descendants().findAny().isPresent())
            {
                kill(process.toHandle());
            }
        }

        private static String read(final Path p)
        {
            try
            {
                return Files.exists(p) ? Files.readString(p) : "";
            }
            catch (final IOException ex)
            {
                return "(unreadable " + p + ": " + ex + ")";
            }
        }
    }
}
