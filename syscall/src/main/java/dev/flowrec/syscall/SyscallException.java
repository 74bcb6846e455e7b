package dev.flowrec.syscall;

/**
 * A failed system or C library call, named with the call and what it acted on, e.g.
 * {@code setns /proc/123/ns/net: Operation not permitted (errno 1)}. Unchecked: the callers that can do
 * something about a failure (a vanished namespace, a busy dump) catch it and look at {@link #errno()}; the
 * others let it end the command with its message.
 */
public class SyscallException extends RuntimeException
{
    private final String call;
    private final String target;
    private final int errno;

    /** call on target failed with errno: "call target: strerror (errno N)". */
    public SyscallException(final String call, final String target, final int errno)
    {
        this(describe(call, target) + ": " + reason(errno), call, target, errno, null);
    }

    /** call on target failed without an errno; reason says how: "call target: reason". */
    public SyscallException(final String call, final String target, final String reason)
    {
        this(describe(call, target) + ": " + reason, call, target, 0, null);
    }

    /** For failures whose wording is fixed elsewhere (subclasses, "no such interface: eth9"). */
    protected SyscallException(
        final String message, final String call, final String target, final int errno, final Throwable cause)
    {
        super(message, cause);
        this.call = call;
        this.target = target;
        this.errno = errno;
    }

    /** "strerror (errno N)", the tail of every errno message. */
    public static String reason(final int errno)
    {
        return Libc.strerror(errno) + " (errno " + errno + ")";
    }

    /** The failed call, e.g. "setns", "bind", "bpf_tc_attach". */
    public String call()
    {
        return call;
    }

    /** What the call acted on: a path, an fd, an interface, a request. */
    public String target()
    {
        return target;
    }

    /** The errno of the failed call, 0 when the failure did not come with one. */
    public int errno()
    {
        return errno;
    }

    private static String describe(final String call, final String target)
    {
        return target == null || target.isEmpty() ? call : call + " " + target;
    }
}
