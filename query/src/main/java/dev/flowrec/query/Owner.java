package dev.flowrec.query;

/**
 * The process that owns a flow's local socket, as the journal's SocketOwner event names it.
 *
 * @param pid  the process id in the host's pid namespace (also for a process in a container); 0 when unknown
 * @param comm its command name as ps shows it (at most 15 bytes); "" when unknown
 */
public record Owner(int pid, String comm)
{
    /** No known owner: forwarded or bridged traffic, or a socket the recorder could not attribute. */
    public static final Owner NONE = new Owner(0, "");

    /** @return whether the owner is known. */
    public boolean known()
    {
        return pid != 0 || !comm.isEmpty();
    }
}
