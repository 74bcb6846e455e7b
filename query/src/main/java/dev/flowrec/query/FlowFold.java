package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;

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
}
