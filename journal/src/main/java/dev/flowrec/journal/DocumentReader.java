package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.MessageHeader;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.CloseHelper;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the document at the tailer as one event (a batch as the deltas it packs) and hands it to an
 * {@link EventHandler}: the hot path of every reader, so it is allocation-free per event and zero-copy over
 * the mapped file when the document lies in one mapped chunk (else the event is copied to a reusable scratch
 * buffer). Events that {@link MessageHeader#check} refuses are skipped and counted here. Chronicle's failures on
 * a document are caught and described for {@link DamageRecovery}; a handler's own failures pass through.
 * <p>
 * An event of schema version {@link DocumentChecksum#SINCE_VERSION} or later is followed by its document's CRC32C
 * ({@link DocumentChecksum}): a document whose bytes do not match it, or too short to hold it, is skipped and
 * counted ({@link #checksumFailures()}); one that matches is delivered without it, so handlers see the event's own
 * bytes and length. Older events have no trailer and are read as before.
 */
final class DocumentReader
{
    /** Benchmarks only (ChecksumBench): false delivers events without checking their trailer, to measure what it costs. */
    static boolean verifyChecksums = true;
    private static final int SIZE_REFRESH_DOCUMENTS = 1024;

    /** {@link #read}'s result when Chronicle failed on the document ({@link #failure()}). */
    static final int FAILED = -1;
    /**
     * {@link #read}'s result when Chronicle, at the end of a cycle, went to an earlier one (a damaged metadata.cq4t
     * whose listing names a last cycle far ahead): the reader stays where it was, at the end ({@link #failure()}).
     */
    static final int SENT_BACK = -2;
    /** {@link #read(EventHandler, long)}'s result for a document of Chronicle's own (its header, an index): read on. */
    private static final int CHRONICLE_METADATA = -3;

    /** The longest document a writer makes: an event, a catalog prefix, a checksum. */
    private static final long MAX_DOCUMENT_LENGTH =
        (long)Catalog.PREFIX_LENGTH + JournalWriter.MAX_EVENT_LENGTH + DocumentChecksum.LENGTH;

    private final ExcerptTailer tailer;
    private final int prefixLength;
    private final UnsafeBuffer eventBuffer = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer mapped = new UnsafeBuffer(0, 0);
    /** Sized for a whole batch document: a live follower copies the documents past the file size it last saw. */
    private final ExpandableDirectByteBuffer scratch =
        new ExpandableDirectByteBuffer(Catalog.PREFIX_LENGTH + JournalWriter.MAX_BATCH_LENGTH + DocumentChecksum.LENGTH);
    private final BatchExpander batches = new BatchExpander();
    private final DocumentChecksum checksum = new DocumentChecksum();
    private long skippedEvents;
    private long checksumFailures;
    private String lastSkipReason;
    private String failure;
    private boolean lastEventZeroCopy;
    private long copiedEvents;
    private boolean zeroCopy = true;
    private long prefix;
    /** The document's address in the mapped file, 0 when it was copied to {@link #scratch}. */
    private long documentAddress;
    private int sizedCycle = Integer.MIN_VALUE;
    private long cycleFileSize;
    private int channelCycle = Integer.MIN_VALUE;
    private FileChannel cycleChannel;
    private final ByteBuffer wordsAfter = ByteBuffer.allocateDirect(Long.BYTES);
    private long pastSize;
    private boolean inHandler;
    /** Where the last document read since the reader last moved ended: reading on, the next one starts after it. */
    private int forwardCycle = Integer.MIN_VALUE;
    private long forwardEnd;
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
     * there, {@link #FAILED} when Chronicle failed on it, {@link #SENT_BACK} when it went back to an earlier cycle.
     */
    int read(final EventHandler handler)
    {
        final long before = tailer.index();
        int events;
        do
        {
            events = read(handler, before);
        }
        while (events == CHRONICLE_METADATA);
        if (events == SENT_BACK || events == 0 && tailer.index() < before)
        {
            // Chronicle stepped "forward" from the end of a cycle into an earlier one (seen with a highestCycle far ahead
            // in metadata.cq4t: the tailer then reads the earlier cycle files under the last one's number, for ever).
            failure = "the journal's cycle listing (metadata.cq4t) sends readers back to an earlier cycle after index 0x" +
                Long.toHexString(before);
            TailerMoves.moveTo(tailer, before); // read nothing twice: stay at the end
            return SENT_BACK;
        }
        return events;
    }

    /**
     * A document flagged as metadata: Chronicle's own (its header, an index array), passed over; or one of ours whose
     * header had its metadata bit flipped, which Chronicle's readers pass over in silence (a batch of deltas gone
     * unseen): counted with the checksum failures, as the damage it is.
     */
    private int metaData(final DocumentContext dc)
    {
        final Bytes<?> bytes = dc.wire().bytes();
        final long start = bytes.readPosition() + prefixLength;
        if (bytes.readLimit() - start < MessageHeader.ENCODED_LENGTH ||
            bytes.readUnsignedShort(start + MessageHeader.SCHEMA_ID_OFFSET) != MessageHeader.SCHEMA_ID)
        {
            return CHRONICLE_METADATA;
        }
        checksumFailures++;
        lastSkipReason = "a journal event flagged as Chronicle metadata, a flipped header bit (index 0x" +
            Long.toHexString(tailer.index()) + ")";
        return 1;
    }

    private int read(final EventHandler handler, final long before)
    {
        try (DocumentContext dc = tailer.readingDocument(true))
        {
            if (!dc.isPresent())
            {
                return 0;
            }
            if (dc.isMetaData())
            {
                return metaData(dc);
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long start = bytes.readPosition();
            final int cycle = tailer.cycle();
            if (dc.index() < before || cycle == forwardCycle && start < forwardEnd)
            {
                dc.rollbackOnClose();
                return SENT_BACK;
            }
            forwardCycle = cycle;
            forwardEnd = bytes.readLimit();
            final long remaining = bytes.readRemaining();
            lastEndPosition = bytes.readLimit();
            lastEndCycle = tailer.cycle();
            if (remaining > MAX_DOCUMENT_LENGTH)
            {
                // A flipped length bit: Chronicle hands over hundreds of megabytes as one document. No writer of
                // ours makes one; copying it would take seconds and the memory to hold it.
                skippedEvents++;
                lastSkipReason = "journal document of " + remaining + " bytes, longer than any event flowrec writes (index 0x" +
                    Long.toHexString(dc.index()) + ")";
                return 1;
            }
            final int documentLength = (int)remaining;
            prefix = documentLength >= prefixLength && prefixLength > 0 ? bytes.readLong(start) : 0;
            wrapDocument(bytes, start, documentLength);
            int length = documentLength - prefixLength;
            if (DocumentChecksum.follows(eventBuffer, 0))
            {
                length -= DocumentChecksum.LENGTH;
                if (!checksumMatches(bytes, length))
                {
                    checksumFailures++;
                    lastSkipReason = (length < MessageHeader.ENCODED_LENGTH ?
                        "journal event too short for its checksum: " + (length + DocumentChecksum.LENGTH) + " bytes" :
                        "journal event failed its checksum") + " (index 0x" + Long.toHexString(dc.index()) + ")";
                    return 1;
                }
                wrapEvent(length);
            }
            else if (length >= DocumentChecksum.LENGTH && length < MessageHeader.ENCODED_LENGTH + DocumentChecksum.LENGTH &&
                trailerMatches(bytes, length - DocumentChecksum.LENGTH))
            {
                length -= DocumentChecksum.LENGTH; // a writer's trailer after bytes too short to say their version
                wrapEvent(length);
            }
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
        catch (final Exception | InternalError ex)
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

    /** Whether the document's bytes before the trailer that follows the {@code length}-byte event match it. */
    private boolean checksumMatches(final Bytes<?> bytes, final int length)
    {
        if (length < MessageHeader.ENCODED_LENGTH)
        {
            return false; // a header with a version that writes a trailer, and no room for both
        }
        if (!verifyChecksums)
        {
            return true;
        }
        return trailerMatches(bytes, length);
    }

    /** Whether the 4 bytes after the first {@code length} of the event are the CRC32C of the document before them. */
    private boolean trailerMatches(final Bytes<?> bytes, final int length)
    {
        final int covered = prefixLength + length;
        final int expected = eventBuffer.getInt(length, DocumentChecksum.BYTE_ORDER);
        if (documentAddress == 0)
        {
            return expected == checksum.ofBuffer(scratch, 0, covered);
        }
        if (!insideFile(bytes.readPosition() + covered + DocumentChecksum.LENGTH))
        {
            // Past the size last seen (a live writer's new bytes, or a truncated file): copied by reads that turn a
            // SIGBUS into an InternalError, which read() reports as damage.
            mapped.wrap(documentAddress, covered);
            scratch.putBytes(0, mapped, 0, covered); // Unsafe.copyMemory: a SIGBUS is an InternalError
            mapped.wrap(0, 0);
            return expected == checksum.ofBuffer(scratch, 0, covered);
        }
        return expected == checksum.ofMapped(bytes.bytesStore(), documentAddress, covered);
    }

    /**
     * Whether the file holds the current cycle up to {@code end}: the CRC's intrinsic reads mapped memory where a page
     * past the end of a truncated file is a SIGBUS that, unlike one in an Unsafe read, the JVM does not survive. The
     * size is read again when a cycle starts, and at most every {@link #SIZE_REFRESH_DOCUMENTS} documents that end past
     * it (a live writer's), so that reading stays allocation-free.
     */
    private boolean insideFile(final long end)
    {
        final int cycle = tailer.cycle();
        if (end <= cycleFileSize && cycle == sizedCycle)
        {
            return true;
        }
        if (cycle != sizedCycle || end > cycleFileSize && ++pastSize % SIZE_REFRESH_DOCUMENTS == 0)
        {
            sizedCycle = cycle;
            cycleFileSize = Math.max(0, fileSize(cycle));
        }
        return end <= cycleFileSize;
    }

    /** @return the size of the cycle's file, -1 when it cannot be read: an fstat, allocation-free once per cycle. */
    long fileSize(final int cycle)
    {
        final FileChannel channel = channel(cycle);
        try
        {
            return channel == null ? -1 : channel.size();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * Whether the file holds bytes after the last document read in {@code cycle} (0 when none was), where the next
     * document's 4-byte header (Chronicle aligns headers to 4 bytes) and its first bytes are: at the end of what a
     * writer has written both are zero. Not zero, a document follows, complete or not, or damage changed a header
     * (flowrec's documents begin with a schema id or a journal index, so a header zeroed by damage is followed by
     * bytes that are not). True when it cannot tell. A pread into a direct buffer: allocation-free, so that a reader
     * polling at the end of a journal, as a follower does, asks Chronicle nothing (its last index costs kilobytes).
     */
    boolean bytesAfterLastRead(final int cycle)
    {
        final FileChannel channel = channel(cycle);
        if (cycle != lastEndCycle || channel == null)
        {
            return true;
        }
        try
        {
            wordsAfter.clear();
            wordsAfter.putLong(0, 0);
            final long at = (lastEndPosition + 3) & ~3L;
            while (wordsAfter.hasRemaining() && channel.read(wordsAfter, at + wordsAfter.position()) > 0)
            {
                // a short read at the file's end leaves the rest zero
            }
            return wordsAfter.getLong(0) != 0;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /** The cycle's file, opened once per cycle a reader asks about; null when it cannot be opened. */
    private FileChannel channel(final int cycle)
    {
        if (cycle != channelCycle)
        {
            CloseHelper.quietClose(cycleChannel);
            cycleChannel = null;
            channelCycle = cycle;
            try
            {
                final ChronicleQueue queue = tailer.queue();
                cycleChannel = FileChannel.open(
                    Path.of(queue.fileAbsolutePath(), JournalPaths.cycleFileName(queue.rollCycle(), cycle)));
            }
            catch (final IOException | RuntimeException ex)
            {
                cycleChannel = null; // unknown: callers assume the worst
            }
        }
        return cycleChannel;
    }

    /**
     * Wraps {@link #eventBuffer} over the document after its prefix: zero-copy over the mapped file when the document
     * lies in one mapped chunk; else copied to scratch.
     */
    private void wrapDocument(final Bytes<?> bytes, final long start, final int documentLength)
    {
        documentAddress = 0;
        if (documentLength <= prefixLength)
        {
            eventBuffer.wrap(scratch, 0, 0);
            return;
        }
        if (zeroCopy && bytes.isDirectMemory())
        {
            final long address = bytes.addressForRead(start);
            if (bytes.bytesStore().inside(start, documentLength))
            {
                documentAddress = address;
                lastEventZeroCopy = true;
                wrapEvent(documentLength - prefixLength);
                return;
            }
        }
        lastEventZeroCopy = false;
        copiedEvents++;
        scratch.checkLimit(documentLength);
        for (int i = 0; i < documentLength; i++)
        {
            scratch.putByte(i, bytes.readByte(start + i));
        }
        wrapEvent(documentLength - prefixLength);
    }

    /** Wraps {@link #eventBuffer} over the first {@code length} bytes of the event, where the document lies. */
    private void wrapEvent(final int length)
    {
        if (documentAddress != 0)
        {
            eventBuffer.wrap(documentAddress + prefixLength, length);
        }
        else
        {
            eventBuffer.wrap(scratch, prefixLength, length);
        }
    }

    /** The reader was moved (a seek, to its start or end): the next document may lie before the last one read. */
    void moved()
    {
        forwardCycle = Integer.MIN_VALUE;
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

    long checksumFailures()
    {
        return checksumFailures;
    }

    /** Closes the channel it reads a cycle file's size from. */
    void close()
    {
        CloseHelper.quietClose(cycleChannel);
        cycleChannel = null;
        channelCycle = Integer.MIN_VALUE;
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
