package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowTimeouts;

/** A fold over the flow deltas of a journal; the delta flyweight is valid only during the call. */
@FunctionalInterface
public interface FlowFold
{
    void onFlow(FlowDeltaDecoder delta, String iface, String container);

    /**
     * A delta with the process owning its flow's local socket, as the run's SocketOwner events named it
     * ({@link Owner#NONE} when none did): what {@link Replay} calls. A fold that names processes overrides this; the
     * others ignore the owner.
     */
    default void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner)
    {
        onFlow(delta, iface, container);
    }

    /**
     * A delta with its owner and the names the host's resolver was given for its addresses at its flow's first packet
     * in the window ({@link FlowNames}; "" for none, and always "" unless {@link #wantsNames()}): what {@link Replay}
     * calls. Every delta of a flow carries its first delta's names, so a filter, a listing and an export agree on a
     * flow that outlives its name's TTL.
     */
    default void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner,
        final FlowNames names)
    {
        onFlow(delta, iface, container, owner);
    }

    /** Whether the replay should name addresses from the journal's DNS answers (a join per delta); off by default. */
    default boolean wantsNames()
    {
        return false;
    }

    /**
     * With names: whether the fold reads the names of a flow's deltas after its first (a filter with a name term, an
     * export of deltas); the replay then keeps every flow's names (a probe per delta). A fold that names each flow once,
     * at its first delta, says no.
     */
    default boolean namesEveryDelta()
    {
        return true;
    }

    /**
     * With names: a 5-tuple quiet for longer than this starts a new flow, named afresh ({@link FlowTimeouts}); the
     * fold's own inactive timeout, so that its flows and the replay's agree.
     */
    default long inactiveNs()
    {
        return FlowTimeouts.DEFAULT_INACTIVE_NS;
    }
}
