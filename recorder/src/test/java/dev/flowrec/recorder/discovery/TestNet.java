package dev.flowrec.recorder.discovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Namespaces, cgroups and processes a test creates and removes again, whatever happened in between. */
final class TestNet implements AutoCloseable
{
    static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");

    private final String prefix = "frd" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private final List<String> namespaces = new ArrayList<>();
    private final List<Path> cgroups = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    /** Creates a named network namespace "PREFIX-suffix" and returns its name. */
    String netns(final String suffix)
    {
        final String name = prefix + "-" + suffix;
        run("ip", "netns", "add", name);
        namespaces.add(name);
        return name;
    }

    /** Creates a cgroup2 directory (parents included) under the unified hierarchy, removed on close. */
    Path cgroup(final String relative)
    {
        Path dir = UNIFIED;
        for (final Path part : Path.of(prefix).resolve(relative))
        {
            dir = dir.resolve(part);
            if (!Files.isDirectory(dir))
            {
                try
                {
                    Files.createDirectory(dir);
                }
                catch (final IOException e)
                {
                    throw new AssertionError("mkdir " + dir, e);
                }
                cgroups.add(dir);
            }
        }
        return dir;
    }

    /** Starts a long-running process; killed by its pid on close. */
    Process start(final String... command)
    {
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(p);
            return p;
        }
        catch (final IOException e)
        {
            throw new AssertionError("start " + String.join(" ", command), e);
        }
    }

    /** Runs a command to completion; fails the test on a non-zero exit or after 30 s. */
    static void run(final String... command)
    {
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            final String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0)
            {
                throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
            }
        }
        catch (final IOException e)
        {
            throw new AssertionError("run " + String.join(" ", command), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        }
    }

    /** Polls until the condition holds; fails after a generous timeout (the point is "eventually", not speed). */
    static void await(final String what, final BooleanSupplier condition, final Runnable poll)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            poll.run();
            if (condition.getAsBoolean())
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    @Override
    public void close()
    {
        for (final Process p : processes)
        {
            p.destroyForcibly();  // by pid: java.lang.Process kills exactly the process it started
            try
            {
                p.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = cgroups.size() - 1; i >= 0; i--)
        {
            try
            {
                Files.deleteIfExists(cgroups.get(i));
            }
            catch (final IOException e)
            {
                System.err.println("rmdir " + cgroups.get(i) + ": " + e);
            }
        }
        for (final String name : namespaces)
        {
            try
            {
                run("ip", "netns", "del", name);
            }
            catch (final AssertionError e)
            {
                System.err.println(e.getMessage());
            }
        }
    }
}
