package dev.flowrec.recorder.discovery;

/**
 * One network interface as rtnetlink describes it, in the namespace it was read in.
 *
 * @param ifindex     the interface index, unique within its network namespace.
 * @param name        IFLA_IFNAME.
 * @param flags       IFF_* flags of ifinfomsg.
 * @param kind        IFLA_INFO_KIND, e.g. "veth", "bridge"; "" for a device without a kind (physical, loopback).
 * @param linkIfindex IFLA_LINK: for a veth the peer's ifindex, in the namespace {@code linkNetnsId} names; 0 when absent.
 * @param linkNetnsId IFLA_LINK_NETNSID: the peer's namespace id as seen from this namespace; -1 when the peer is here.
 * @param master      IFLA_MASTER: the bridge or bond this link is enslaved to; 0 when none.
 */
public record Link(int ifindex, String name, int flags, String kind, int linkIfindex, int linkNetnsId, int master)
{
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;

    public boolean isUp()
    {
        return (flags & IFF_UP) != 0;
    }

    public boolean isLoopback()
    {
        return (flags & IFF_LOOPBACK) != 0;
    }

    /** A veth or netkit: one end of a pair whose other end ({@link #linkIfindex}) may sit in another namespace. */
    public boolean isPaired()
    {
        return ("veth".equals(kind) || "netkit".equals(kind)) && linkIfindex != 0;
    }

    /** True when the other end of this pair lives in another network namespace: a container's, typically. */
    public boolean peerInOtherNamespace()
    {
        return isPaired() && linkNetnsId >= 0;
    }

    /**
     * Same interface as far as attaching and attributing go: same index, name, kind and peer. A change of any of
     * these (a rename, a veth end moved into a container) is reported as gone + up; flag or master changes are not.
     */
    public boolean sameIdentity(final Link other)
    {
        return ifindex == other.ifindex && name.equals(other.name) && kind.equals(other.kind) &&
            linkIfindex == other.linkIfindex && linkNetnsId == other.linkNetnsId;
    }
}
