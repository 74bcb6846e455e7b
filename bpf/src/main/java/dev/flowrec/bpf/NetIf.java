package dev.flowrec.bpf;

/** Network interface names and indices, in the calling thread's network namespace. */
public final class NetIf
{
    private NetIf()
    {
    }

    /** if_nametoindex; throws {@code BpfException("no such interface: NAME")} when it does not exist. */
    public static int indexOf(final String name)
    {
        final int ifindex = Libc.ifNameToIndex(name);
        if (ifindex == 0)
        {
            throw new BpfException("no such interface: " + name);
        }
        return ifindex;
    }
}
