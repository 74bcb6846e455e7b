package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a restarting recorder needs from the end of its journal, read backwards from the last document: the last
 * run's start time and its last loss report, and the ring position of the last batch journaled for the ring
 * buffer now in the kernel. It reads back to the last run's RecorderStarted (the whole last run at worst, a
 * few header reads per document), further only while it looks for a ring position. A document it uses must match
 * its checksum (schema version 4 on); one that does not is passed over as damaged.
 * <p>
 * Why times, not ids: the kernel state a recorder adopts ({@code FlowProgram}'s pinned maps) records when its
 * ring was created and when its current owner took it over, both taken before that run journaled its
 * RecorderStarted. So a run whose RecorderStarted is older than the ring wrote positions of another ring, and a
 * loss report older than the owner's start was not written against the owner's baseline.
 *
 * @param lastRunStartNs the last RecorderStarted's time, {@link Long#MIN_VALUE} when the journal has none
 * @param lastRunLossReport the last run's last LossReport event (a copy, header included), null when it has none
 * @param ringPosition the last batch's ring position among the runs started at or after ringSinceNs,
 *                     {@link FlowDeltaBatch#NO_RING_POSITION} when there is none
 * @param documentsRead documents read to find these, for the one line the recorder says
 */
public record JournalTail(long lastRunStartNs, DirectBuffer lastRunLossReport, long ringPosition, long documentsRead)
{
    /** As {@link #read}, on the writer's queue: what it appended so far. */
    static JournalTail read(final SingleChronicleQueue queue, final long ringSinceNs)
    {
        long lastRunStartNs = Long.MIN_VALUE;
        DirectBuffer loss = null;
        long position = FlowDeltaBatch.NO_RING_POSITION;
        boolean lookingForPosition = true;
        long documents = 0;
        final UnsafeBuffer event = new UnsafeBuffer(0, 0);
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.direction(TailerDirection.BACKWARD).toEnd();
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    documents++;
                    final Bytes<?> bytes = dc.wire().bytes();
                    final int documentLength = (int)bytes.readRemaining();
                    if (documentLength < MessageHeader.ENCODED_LENGTH + 8)
                    {
                        continue;
                    }
                    final byte[] head = new byte[Math.min(documentLength, MessageHeader.ENCODED_LENGTH + LossReportDecoder.BLOCK_LENGTH)];
                    bytes.read(bytes.readPosition(), head, 0, head.length);
                    event.wrap(head);
                    final boolean trailer = DocumentChecksum.follows(event, 0);
                    final int length = trailer ? documentLength - DocumentChecksum.LENGTH : documentLength;
                    if (MessageHeader.check(event, 0, length) != MessageHeader.SUPPORTED)
                    {
                        continue;
                    }
                    final int templateId = MessageHeader.templateId(event, 0);
                    final boolean inLastRun = lastRunStartNs == Long.MIN_VALUE;
                    final boolean used = templateId == FlowDeltaBatch.TEMPLATE_ID && lookingForPosition ||
                        templateId == LossReportDecoder.TEMPLATE_ID && inLastRun && loss == null ||
                        templateId == RecorderStartedDecoder.TEMPLATE_ID;
                    if (used && trailer && !DocumentChecksum.matches(bytes, bytes.readPosition(), length))
                    {
                        continue; // damaged: as if not there (an earlier batch's position is behind the ring's consumer)
                    }
                    if (templateId == FlowDeltaBatch.TEMPLATE_ID && lookingForPosition)
                    {
                        position = FlowDeltaBatch.hasRingPosition(event, 0) ?
                            event.getLong(FlowDeltaBatch.RING_POSITION_OFFSET, MessageHeader.BYTE_ORDER) :
                            FlowDeltaBatch.NO_RING_POSITION;
                        lookingForPosition = false; // valid once its run's start is known to be the ring's
                    }
                    else if (templateId == LossReportDecoder.TEMPLATE_ID && inLastRun && loss == null)
                    {
                        loss = new UnsafeBuffer(head.clone());
                    }
                    else if (templateId == RecorderStartedDecoder.TEMPLATE_ID)
                    {
                        final long startNs = event.getLong(MessageHeader.ENCODED_LENGTH, MessageHeader.BYTE_ORDER);
                        if (inLastRun)
                        {
                            lastRunStartNs = startNs;
                        }
                        if (startNs < ringSinceNs)
                        {
                            if (!lookingForPosition)
                            {
                                position = FlowDeltaBatch.NO_RING_POSITION; // journaled by a run of another ring
                            }
                            break;
                        }
                        if (!lookingForPosition)
                        {
                            break;
                        }
                    }
                }
            }
        }
        return new JournalTail(lastRunStartNs, loss, position, documents);
    }
}
