package dev.flowrec.bpf;

/** Receives each record read from the ring buffer; the decoder is valid only during the call. */
@FunctionalInterface
public interface FlowEventHandler
{
    void onFlowEvent(FlowEventDecoder event);

    /**
     * The owner of a new flow entry's local socket, read before that flow's first delta; ignored unless the
     * handler journals owners.
     */
    default void onOwnerEvent(final OwnerEventDecoder owner)
    {
    }
}
