package dev.flowrec.recorder.discovery;

/**
 * Told by {@link InterfaceWatcher} on its own thread, in order; must not block it for long (hand slow work,
 * such as resolving a container, to another agent or do it quickly).
 */
public interface LinkListener
{
    /** A link now exists (found by the first dump, created, renamed, or its veth peer moved). */
    void onLinkUp(Link link);

    /** A link reported up no longer exists under that identity; {@code link} is the last state reported up. */
    void onLinkGone(Link link);

    /** Whether loopback interfaces are reported too; most listeners have nothing to do with them. */
    default boolean reportsLoopback()
    {
        return false;
    }
}
