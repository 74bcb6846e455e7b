package dev.flowrec.bpf;

/**
 * A failed kernel or libbpf call, named with the object it acted on, e.g.
 * {@code bpf_tc_attach egress on veth0 (ifindex 5): Operation not permitted (errno 1)}.
 */
public class BpfException extends RuntimeException
{
    private final int errno;

    public BpfException(final String message)
    {
        this(message, 0, null);
    }

    public BpfException(final String message, final Throwable cause)
    {
        this(message, 0, cause);
    }

    private BpfException(final String message, final int errno, final Throwable cause)
    {
        super(message, cause);
        this.errno = errno;
    }

    /** A failure reported as an errno: "what: strerror (errno N)". */
    public static BpfException errno(final String what, final int errno)
    {
        return new BpfException(what + ": " + Libc.strerror(errno) + " (errno " + errno + ")", errno, null);
    }

    /** As {@link #errno(String, int)}, followed by what libbpf or the kernel said about it, if anything. */
    static BpfException errno(final String what, final int errno, final String detail)
    {
        final BpfException e = errno(what, errno);
        return detail == null || detail.isEmpty() ? e :
            new BpfException(e.getMessage() + "; " + detail, errno, null);
    }

    /** The errno of the failed call, 0 when the failure did not come with one. */
    public int errno()
    {
        return errno;
    }
}
