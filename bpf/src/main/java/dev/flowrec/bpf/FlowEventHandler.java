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

    /**
     * A DNS response the kernel captured, read with the owners, before the pass's flow events (a flow to an address
     * it names is journaled after it); ignored unless the handler journals DNS answers.
     */
    default void onDnsEvent(final DnsEventDecoder dns)
    {
    }
}
