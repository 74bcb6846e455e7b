package dev.flowrec.recorder;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * An empty network namespace made with {@code ip netns add} (named frdr-drain-PID-N) and deleted on close, for the
 * interface watcher of a {@link RecorderDrain}: it holds only a loopback, which the recorder never attaches to.
 */
public final class ScratchNetns implements AutoCloseable
{
    private static int made;
    private final String name;

    private ScratchNetns(final String name)
    {
        this.name = name;
    }

    public static synchronized ScratchNetns create()
    {
        final String name = "frdr-drain-" + ProcessHandle.current().pid() + "-" + made++;
        run("netns", "add", name);
        return new ScratchNetns(name);
    }

    /** The namespace's name, for {@code ip -n NAME}. */
    public String name()
    {
        return name;
    }

    /** Runs {@code ip ARGS...}; fails with its output unless it exits 0. */
    public static void ip(final String... args)
    {
        run(args);
    }

    /** The namespace's path for setns, /run/netns/NAME. */
    public String path()
    {
        return "/run/netns/" + name;
    }

    public void close()
    {
        run("netns", "del", name);
    }

    private static void run(final String... args)
    {
        final String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
            {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(String.join(" ", command) + " could not run: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " interrupted", ex);
        }
    }
}
