package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.MessageHeader;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads the document at the tailer as one event (a batch as the deltas it packs) and hands it to an
 * {@link EventHandler}: the hot path of every reader, so it is allocation-free per event and zero-copy over
 * the mapped file when the document lies in one mapped chunk (else the event is copied to a reusable scratch
 * buffer). Events that {@link MessageHeader#check} refuses are skipped and counted here. Chronicle's failures on
 * a document are caught and described for {@link DamageRecovery}; a handler's own failures pass through.
 */
final class DocumentReader
{
    /** {@link #read}'s result when Chronicle failed on the document ({@link #failure()}). */
    static final int FAILED = -1;

    private final ExcerptTailer tailer;
    private final int prefixLength;
    private final UnsafeBuffer eventBuffer = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private final BatchExpander batches = new BatchExpander();
    private long skippedEvents;
    private String lastSkipReason;
    private String failure;
    private boolean lastEventZeroCopy;
    private long copiedEvents;
    private boolean zeroCopy = true;
    private long prefix;
    private boolean inHandler;
    private long lastEndPosition;
    private int lastEndCycle = Integer.MIN_VALUE;

    /** @param prefixLength bytes before the event in each document (a catalog's journal index), 0 in a journal. */
    DocumentReader(final ExcerptTailer tailer, final int prefixLength)
    {
        this.tailer = tailer;
        this.prefixLength = prefixLength;
    }

    /**
     * @return events read from one document (1, or a batch's deltas; a skipped document counts 1), 0 for none
     * there, {@link #FAILED} when Chronicle failed on it.
     */
    int read(final EventHandler handler)
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return 0;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long position = bytes.readPosition() + prefixLength;
            final int length = (int)bytes.readRemaining() - prefixLength;
            lastEndPosition = bytes.readLimit();
            lastEndCycle = tailer.cycle();
            prefix = prefixLength > 0 ? bytes.readLong(position - prefixLength) : 0;
            wrapEvent(bytes, position, Math.max(length, 0));
            final int verdict = MessageHeader.check(eventBuffer, 0, length);
            if (verdict != MessageHeader.SUPPORTED)
            {
                skippedEvents++;
                lastSkipReason = MessageHeader.describe(verdict, eventBuffer, 0, length) +
                    " (index 0x" + Long.toHexString(dc.index()) + ")";
                return 1;
            }
            final int templateId = MessageHeader.templateId(eventBuffer, 0);
            if (templateId == FlowDeltaBatch.TEMPLATE_ID)
            {
                return deliverBatch(handler, length, dc.index());
            }
            inHandler = true;
            handler.onEvent(templateId, eventBuffer, 0, length);
            inHandler = false;
            return 1;
        }
        catch (final RuntimeException | InternalError ex)
        {
            if (inHandler)
            {
                inHandler = false;
                throw ex; // the handler's own failure, not the journal's
            }
            // InternalError: a read past the end of a truncated mapped file (SIGBUS).
            failure = ex instanceof InternalError ? "a read past the end of the file" : JournalException.firstLine(ex);
            return FAILED;
        }
        finally
        {
            eventBuffer.wrap(0, 0);
        }
    }

    /** Delivers each delta of the batch in {@link #eventBuffer}, or skips the batch whole when it is damaged. */
    private int deliverBatch(final EventHandler handler, final int length, final long index)
    {
        final String damage = batches.wrap(eventBuffer, length);
        if (damage != null)
        {
            skippedEvents++;
            lastSkipReason = damage + " (index 0x" + Long.toHexString(index) + ")";
            return 1;
        }
        inHandler = true;
        final int delivered = batches.deliver(handler);
        inHandler = false;
        return delivered;
    }

    /** Zero-copy over the mapped file when the document lies in one mapped chunk; else copies to scratch. */
    private void wrapEvent(final Bytes<?> bytes, final long position, final int length)
    {
        if (length == 0)
        {
            eventBuffer.wrap(scratch, 0, 0);
            return;
        }
        if (zeroCopy && bytes.isDirectMemory())
        {
            final long address = bytes.addressForRead(position);
            if (bytes.bytesStore().inside(position, length))
            {
                eventBuffer.wrap(address, length);
                lastEventZeroCopy = true;
                return;
            }
        }
        lastEventZeroCopy = false;
        copiedEvents++;
        scratch.checkLimit(length);
        for (int i = 0; i < length; i++)
        {
            scratch.putByte(i, bytes.readByte(position + i));
        }
        eventBuffer.wrap(scratch, 0, length);
    }

    /** Chronicle's failure on the last document that {@link #read} returned {@link #FAILED} for, in one line. */
    String failure()
    {
        return failure;
    }

    /** Where the last document read in {@code cycle} ends in its file, 0 when none of that cycle was read. */
    long endOfLastRead(final int cycle)
    {
        return cycle == lastEndCycle ? lastEndPosition : 0;
    }

    /** The current document's prefix (the journal index, for a catalog reader); valid during the handler call. */
    long prefix()
    {
        return prefix;
    }

    long skippedEvents()
    {
        return skippedEvents;
    }

    String lastSkipReason()
    {
        return lastSkipReason;
    }

    boolean lastEventWasZeroCopy()
    {
        return lastEventZeroCopy;
    }

    void zeroCopy(final boolean zeroCopy)
    {
        this.zeroCopy = zeroCopy;
    }

    long copiedEvents()
    {
        return copiedEvents;
    }
}
