package dev.flowrec.syscall;

/** Network interface names and indices, in the calling thread's network namespace. */
public final class NetIf
{
    private NetIf()
    {
    }

    /** if_nametoindex; throws {@code SyscallException("no such interface: NAME")} when it does not exist. */
    public static int indexOf(final String name)
    {
        final int ifindex = Libc.ifNameToIndex(name);
        if (ifindex == -Libc.ENODEV)
        {
            throw new SyscallException("no such interface: " + name, "if_nametoindex", name, Libc.ENODEV, null);
        }
        if (ifindex < 0)
        {
            throw new SyscallException("if_nametoindex", name, -ifindex);
        }
        return ifindex;
    }
}
