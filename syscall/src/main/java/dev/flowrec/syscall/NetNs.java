package dev.flowrec.syscall;

import java.util.function.Supplier;

/**
 * Runs an action with the calling thread inside another network namespace. ifindex, tc and netlink sockets
 * are per network namespace and setns(CLONE_NEWNET) moves only the calling OS thread, so the switch is made
 * on this thread and undone in finally; other threads of the JVM never see it.
 */
public final class NetNs
{
    private static final String SELF = "/proc/thread-self/ns/net";

    private NetNs()
    {
    }

    /**
     * Runs action in the namespace at path (e.g. /run/netns/NAME, /proc/PID/ns/net), or where this thread is
     * when path is null.
     *
     * @throws SyscallException naming open or setns and the path; ENOENT (or ESRCH) when the namespace is gone.
     */
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
                Libc.setns(target, Libc.CLONE_NEWNET, path);
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
                Libc.setns(home, Libc.CLONE_NEWNET, SELF + " (back from " + path + ")");
            }
        }
        finally
        {
            Libc.close(home);
        }
    }
}
