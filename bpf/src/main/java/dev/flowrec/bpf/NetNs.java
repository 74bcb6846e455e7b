package dev.flowrec.bpf;

import java.util.function.Supplier;

/**
 * Runs an action with the calling thread inside another network namespace. ifindex and tc are per network
 * namespace and setns(CLONE_NEWNET) moves only the calling OS thread, so the switch is made on this thread
 * and undone in finally; other threads of the JVM never see it. Public for the recorder's container discovery,
 * which dumps the links of other namespaces.
 */
public final class NetNs
{
    private static final String SELF = "/proc/thread-self/ns/net";

    private NetNs()
    {
    }

    /** Runs action in the namespace at path (e.g. /run/netns/NAME), or where this thread is when path is null. */
    public static <T> T call(final String path, final Supplier<T> action)
    {
        if (path == null)
        {
            return action.get();
        }
        if (Thread.currentThread().isVirtual())
        {
            // A virtual thread may resume on another carrier between two native calls, leaving it behind.
            throw new IllegalStateException("entering network namespace " + path + " needs a platform thread");
        }
        final int home = Libc.open(SELF);
        try
        {
            final int target = Libc.open(path);
            try
            {
                Libc.setns(target, Libc.CLONE_NEWNET, "setns into network namespace " + path);
            }
            finally
            {
                Libc.close(target);
            }
            try
            {
                return action.get();
            }
            finally
            {
                Libc.setns(home, Libc.CLONE_NEWNET, "setns back from network namespace " + path);
            }
        }
        finally
        {
            Libc.close(home);
        }
    }
}
