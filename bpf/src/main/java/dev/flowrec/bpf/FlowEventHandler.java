package dev.flowrec.bpf;

/** Receives each flow delta read from the ring buffer; the decoder is valid only during the call. */
@FunctionalInterface
public interface FlowEventHandler
{
    void onFlowEvent(FlowEventDecoder event);
}
