package dev.flowrec.bpf;

import dev.flowrec.syscall.SyscallException;

/**
 * A failed libbpf call, or a BPF object that is not what flowrec needs, named with the object it acted on,
 * e.g. {@code bpf_tc_attach egress on veth0 (ifindex 5): Operation not permitted (errno 1)}. A libbpf call
 * ends in a bpf(2) or netlink syscall and fails with its errno, so this is a {@link SyscallException}: a
 * caller that only cares that the kernel refused (an attach racing a vanishing interface, a namespace gone
 * before a detach) catches one type whichever layer made the call.
 */
public class BpfException extends SyscallException
{
    public BpfException(final String message)
    {
        this(message, "", "", 0, null);
    }

    public BpfException(final String message, final Throwable cause)
    {
        this(message, "", "", 0, cause);
    }

    private BpfException(
        final String message, final String call, final String target, final int errno, final Throwable cause)
    {
        super(message, call, target, errno, cause);
    }

    /** A failure reported as an errno: "what: strerror (errno N)", what being the libbpf call and its target. */
    public static BpfException errno(final String what, final int errno)
    {
        return errno(what, errno, null);
    }

    /** As {@link #errno(String, int)}, followed by what libbpf or the kernel said about it, if anything. */
    static BpfException errno(final String what, final int errno, final String detail)
    {
        final String message = what + ": " + reason(errno) + (detail == null || detail.isEmpty() ? "" : "; " + detail);
        final int space = what.indexOf(' ');
        return space < 0 ? new BpfException(message, what, "", errno, null) :
            new BpfException(message, what.substring(0, space), what.substring(space + 1), errno, null);
    }
}
