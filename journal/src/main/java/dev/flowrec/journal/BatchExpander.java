package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.journal.schema.FlowDeltaBatch;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns a {@link FlowDeltaBatch} back into the FlowDelta events it packs, one handler call each, in order, byte
 * for byte as a FlowDelta of their own would have been: batching is how the writer stores deltas, and handlers
 * never see it. A damaged batch (entries that do not fill it exactly, or fewer or more than it says) is refused
 * whole, before any of it is delivered. Reuses one expanded event: allocation-free per delta.
 * <p>
 * The expanded FlowDelta carries the version a FlowDelta of its own would have had in the batch's journal: 1
 * before checksum trailers (version 4), the batch's from then on.
 */
final class BatchExpander
{
    private final FlowDeltaBatch batch = new FlowDeltaBatch();
    private final FlowDeltaEncoder expandedDelta = new FlowDeltaEncoder();
    private final UnsafeBuffer expanded = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
    private short deltaVersion;

    /**
     * Wraps the batch event in {@code [0, length)} of {@code eventBuffer} and checks it.
     *
     * @return null when it is whole, else what is wrong with it.
     */
    String wrap(final DirectBuffer eventBuffer, final int length)
    {
        batch.wrap(eventBuffer, 0, length);
        final int version = eventBuffer.getShort(MessageHeader.VERSION_OFFSET, MessageHeader.BYTE_ORDER) & 0xFFFF;
        deltaVersion = (short)(version >= DocumentChecksum.SINCE_VERSION ? version : 1);
        final int verdict = batch.verify();
        if (verdict != FlowDeltaBatch.VALID)
        {
            return batch.describe(verdict);
        }
        return null;
    }

    /**
     * Delivers each delta of the wrapped batch as the FlowDelta it was packed from.
     *
     * @return deltas delivered.
     */
    int deliver(final EventHandler handler)
    {
        final int end = batch.end();
        int delivered = 0;
        for (int at = batch.firstEntry(); at < end; delivered++)
        {
            at = batch.expand(at, expanded, 0, expandedDelta);
            expanded.putShort(MessageHeader.VERSION_OFFSET, deltaVersion, MessageHeader.BYTE_ORDER);
            handler.onEvent(FlowDeltaDecoder.TEMPLATE_ID, expanded, 0, Templates.FLOW_DELTA_LENGTH);
        }
        return delivered;
    }
}
