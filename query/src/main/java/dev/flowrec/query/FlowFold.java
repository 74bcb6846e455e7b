package dev.flowrec.query;

import dev.flowrec.journal.schema.FlowDeltaDecoder;

/** A fold over the flow deltas of a journal; the delta flyweight is valid only during the call. */
@FunctionalInterface
public interface FlowFold
{
    void onFlow(FlowDeltaDecoder delta, String iface, String container);
}
