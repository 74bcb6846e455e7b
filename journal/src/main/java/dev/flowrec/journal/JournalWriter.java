package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDelta;
import dev.flowrec.journal.schema.FlowDeltaBatch;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Appends events to a journal: one Chronicle Queue document per event, raw bytes; flow deltas are packed
 * many to a document ({@link FlowDeltaBatch}).
 * <pre>{@code
 * MutableDirectBuffer b = writer.claim(LossReport.ENCODED_LENGTH);
 * loss.wrapAndApplyHeader(b, 0).timeNs(...)...;
 * writer.commit();
 *
 * writer.appendDelta(delta);   // into the open batch, visible to readers once it is committed:
 * writer.commitDeltas();       // at the end of a drain pass; any claim commits the open batch first
 * }</pre>
 * <p>
 * The journal's order is the order of the calls: a claim commits the open batch before it begins, so an
 * event never overtakes a delta appended before it. A batch is one Chronicle document claimed at its
 * largest ({@link #MAX_BATCH_LENGTH}) and committed at its actual length; until then readers see nothing of
 * it, and a writer killed meanwhile loses it whole (Chronicle never exposes a document left incomplete).
 * <p>
 * Single-threaded: one thread at a time claims and commits (it may be handed to another thread with a
 * happens-before edge; Chronicle's own thread-owner check is disabled for that reason). One writer per
 * journal directory at a time is the intended use; Chronicle's write lock serialises several.
 * <p>
 * {@link #claim} is zero-copy: the returned buffer points into the memory-mapped cycle file, inside the
 * open document (Chronicle maps each chunk with an overlap, so an event crossing a chunk boundary is
 * still contiguous). Should an event ever not lie in the mapped window, it is built in a reusable
 * scratch buffer and copied on commit. Nothing is allocated per event, except by Chronicle when a cycle rolls.
 * The journal reads no clock for event times; Chronicle's {@link TimeProvider} only picks the cycle file.
 */
public final class JournalWriter implements AutoCloseable
{
    /**
     * Largest event {@link #claim} accepts: far above the largest event of schema 1 (a RecorderStarted with
     * four 64 KiB strings, ~256 KiB) and far below Chronicle's limit (a document must be smaller than a
     * mapping chunk, 64 MiB by default).
     */
    public static final int MAX_EVENT_LENGTH = 1 << 20;

    /**
     * Largest batch document: about 900 IPv4 deltas, so that the per-document overhead (32 bytes) is
     * negligible, while a batch still fits a mapped chunk (zero-copy) almost always and a reader copying one
     * that straddles chunks copies little.
     */
    public static final int MAX_BATCH_LENGTH = 32 * 1024;

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final UnsafeBuffer claimBuffer = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private final Catalog.Writer catalog;

    private final FlowDeltaBatch batch = new FlowDeltaBatch();

    private DocumentContext document;
    private Bytes<?> documentBytes;
    private long documentStart;
    private int claimedLength;
    private boolean claimedScratch;
    private boolean batchOpen;
    private long batchesAppended;
    private long eventsAppended;
    private long scratchClaims;
    private boolean zeroCopy = true;
    private boolean closed;

    private JournalWriter(final Path dir, final SingleChronicleQueue queue, final Catalog.Writer catalog)
    {
        this.dir = dir;
        this.queue = queue;
        this.catalog = catalog;
        this.appender = queue.createAppender();
        appender.singleThreadedCheckDisabled(true);
    }

    /** Opens (creating if needed) the journal in {@code dir}, rolled {@link JournalPaths#DEFAULT_ROLL_CYCLE hourly}. */
    public static JournalWriter open(final Path dir)
    {
        return open(dir, JournalPaths.DEFAULT_ROLL_CYCLE);
    }

    public static JournalWriter open(final Path dir, final RollCycle rollCycle)
    {
        return open(dir, rollCycle, null);
    }

    /**
     * @param rollCycle    how often a new cycle file starts; an existing journal keeps the cycle it was created with.
     * @param timeProvider the clock that selects the cycle file, null for the system clock.
     * @throws JournalException when the directory cannot be created or written, or Chronicle cannot open it.
     */
    public static JournalWriter open(final Path dir, final RollCycle rollCycle, final TimeProvider timeProvider)
    {
        return open(dir, rollCycle, timeProvider, 0);
    }

    /** As {@link #open(Path, RollCycle, TimeProvider)}; {@code blockSize} > 0 sets Chronicle's mapping chunk size (tests). */
    static JournalWriter open(
        final Path dir, final RollCycle rollCycle, final TimeProvider timeProvider, final long blockSize)
    {
        final Path absolute = dir.toAbsolutePath();
        JournalFiles.restrictUmask();
        try
        {
            Files.createDirectories(absolute);
        }
        catch (final IOException | SecurityException ex)
        {
            throw new JournalException(
                "journal directory " + absolute + " is not writable (cannot create it: " + reason(ex) + ")", ex);
        }
        if (!Files.isWritable(absolute))
        {
            throw new JournalException("journal directory " + absolute + " is not writable");
        }

        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(absolute).rollCycle(rollCycle);
        if (timeProvider != null)
        {
            builder.timeProvider(timeProvider);
        }
        if (blockSize > 0)
        {
            builder.blockSize(blockSize);
        }
        SingleChronicleQueue queue = null;
        Catalog.Writer catalog = null;
        try
        {
            queue = builder.build();
            catalog = Catalog.Writer.open(absolute, timeProvider);
            JournalFiles.restrict(absolute);
            JournalFiles.restrict(absolute.resolve(Catalog.DIRECTORY));
            return new JournalWriter(absolute, queue, catalog);
        }
        catch (final RuntimeException ex)
        {
            if (catalog != null)
            {
                catalog.close();
            }
            if (queue != null)
            {
                queue.close();
            }
            throw new JournalException("cannot open journal " + absolute + " for writing: " + ex, ex);
        }
    }

    /** @return the journal directory, absolute. */
    public Path dir()
    {
        return dir;
    }

    /**
     * Begins a document of exactly {@code length} bytes, after committing the open batch of deltas if any.
     *
     * @return a buffer whose bytes {@code [0, length)} are the event, valid until {@link #commit()} or {@link #abort()}.
     * @throws IllegalStateException when a claim is already open or the writer is closed.
     */
    public MutableDirectBuffer claim(final int length)
    {
        if (length <= 0 || length > MAX_EVENT_LENGTH)
        {
            throw new IllegalArgumentException("event length must be in 1.." + MAX_EVENT_LENGTH + ": " + length);
        }
        commitDeltas();
        return open(length);
    }

    /**
     * Appends a flow delta to the open batch, opening one if there is none or it is full. A delta that no
     * batch can hold exactly ({@link FlowDeltaBatch#packable}) is journaled as a FlowDelta event of its own,
     * after the batch (which it commits), so the order of deltas is kept. Zero-copy, allocation-free.
     *
     * @param delta a FlowDelta event, read only during the call.
     * @throws IllegalStateException when a {@link #claim} is open or the writer is closed.
     */
    public void appendDelta(final FlowDelta delta)
    {
        if (document != null && !batchOpen)
        {
            throw new IllegalStateException("appendDelta during an open claim: " + dir);
        }
        if (!FlowDeltaBatch.packable(delta))
        {
            commitDeltas();
            claim(FlowDelta.ENCODED_LENGTH).putBytes(0, delta.buffer(), delta.offset(), FlowDelta.ENCODED_LENGTH);
            commit();
            return;
        }
        if (batchOpen && batch.tryAppend(delta))
        {
            return;
        }
        commitDeltas();
        batch.wrapAndApplyHeader(open(MAX_BATCH_LENGTH), 0, MAX_BATCH_LENGTH);
        batchOpen = true;
        if (!batch.tryAppend(delta))
        {
            throw new IllegalStateException("an empty FlowDeltaBatch refused a packable delta: " + dir);
        }
    }

    /** Commits the open batch of deltas, if any: readers see them from now on. Call it at the end of a drain pass. */
    public void commitDeltas()
    {
        if (!batchOpen)
        {
            return;
        }
        batchOpen = false;
        final int deltas = batch.count();
        close(batch.encodedLength(), false);
        eventsAppended += deltas;
        batchesAppended++;
    }

    /** @return whether deltas wait in an open batch, unseen by readers until {@link #commitDeltas()}. */
    public boolean hasOpenBatch()
    {
        return batchOpen;
    }

    private MutableDirectBuffer open(final int length)
    {
        if (document != null)
        {
            throw new IllegalStateException("claim without commit of the previous event: " + dir);
        }
        if (closed)
        {
            throw new IllegalStateException("journal writer is closed: " + dir);
        }

        final DocumentContext dc = appender.writingDocument();
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.writePosition();
        document = dc;
        documentBytes = bytes;
        documentStart = position;
        claimedLength = length;
        try
        {
            // Zero-copy when the event fits the mapped chunk holding its start (the usual case).
            if (zeroCopy && bytes.isDirectMemory())
            {
                final long address = bytes.addressForWrite(position);
                if (bytes.bytesStore().inside(position, length))
                {
                    bytes.writeSkip(length);
                    claimedScratch = false;
                    claimBuffer.wrap(address, length);
                    return claimBuffer;
                }
            }
            claimedScratch = true;
            scratchClaims++;
            scratch.checkLimit(length);
            claimBuffer.wrap(scratch, 0, length);
            return claimBuffer;
        }
        catch (final RuntimeException ex)
        {
            abort();
            throw new JournalException("cannot append to journal " + dir + ": " + ex, ex);
        }
    }

    /** Publishes the claimed event to readers. */
    public void commit()
    {
        if (document == null || batchOpen)
        {
            throw new IllegalStateException("commit without claim: " + dir);
        }
        close(claimedLength, Catalog.holds(claimBuffer, claimedLength));
        eventsAppended++;
    }

    /** Commits the open document at {@code length} bytes, at most what was claimed: Chronicle writes its length now. */
    private void close(final int length, final boolean catalogued)
    {
        final DocumentContext dc = document;
        try
        {
            if (catalogued)
            {
                catalog.stage(claimBuffer, length);
            }
            if (claimedScratch)
            {
                copyScratch(documentBytes, length);
            }
            else
            {
                documentBytes.writePosition(documentStart + length);
            }
        }
        catch (final RuntimeException ex)
        {
            abort();
            throw new JournalException("cannot append to journal " + dir + ": " + ex, ex);
        }
        finally
        {
            claimBuffer.wrap(0, 0);
        }
        document = null;
        documentBytes = null;
        dc.close();
        if (catalogued)
        {
            catalog.append(appender.lastIndexAppended());
        }
    }

    /** Drops the claimed event (or the open batch): nothing of it reaches the journal. No-op without a claim. */
    public void abort()
    {
        final DocumentContext dc = document;
        if (dc != null)
        {
            document = null;
            documentBytes = null;
            batchOpen = false;
            claimBuffer.wrap(0, 0);
            dc.rollbackOnClose();
            dc.close();
        }
    }

    /** @return events committed by this writer since it was opened, each delta of a batch counted. */
    public long eventsAppended()
    {
        return eventsAppended;
    }

    /** @return the Chronicle index of the last event this writer committed. */
    public long lastIndex()
    {
        return appender.lastIndexAppended();
    }

    /** @return batch documents committed by this writer since it was opened. */
    public long batchesAppended()
    {
        return batchesAppended;
    }

    /** @return whether the last claim pointed straight into the mapped file (for tests and diagnostics). */
    boolean lastClaimWasZeroCopy()
    {
        return !claimedScratch;
    }

    /** Tests: false forces the copying fallback. */
    void zeroCopy(final boolean zeroCopy)
    {
        this.zeroCopy = zeroCopy;
    }

    /** @return claims that went through the scratch buffer because the event straddled a mapping chunk. */
    long scratchClaims()
    {
        return scratchClaims;
    }

    /**
     * Deletes expired cycle files (see {@link Retention}) and tells the queue its directory changed.
     * @return the number of cycle files deleted.
     */
    public int applyRetention(final Retention.Policy policy, final long nowMs)
    {
        commitDeltas(); // no document stays open while files go
        final int deleted = Retention.apply(dir, queue.rollCycle(), policy, nowMs);
        if (deleted > 0)
        {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    /** Disk usage of the journal's cycle files, in bytes. */
    public long diskBytes()
    {
        return Retention.diskBytes(dir, queue.rollCycle());
    }

    /** Commits the open batch of deltas, aborts an open claim, then closes the appender and the queue. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            commitDeltas(); // its deltas were handed over whole: they belong in the journal
        }
        finally
        {
            closed = true;
            closeQueue();
        }
    }

    private void closeQueue()
    {
        try
        {
            abort();
        }
        finally
        {
            try
            {
                appender.close();
            }
            finally
            {
                try
                {
                    queue.close();
                }
                finally
                {
                    catalog.close();
                }
            }
        }
    }

    private void copyScratch(final Bytes<?> bytes, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            bytes.writeLong(scratch.getLong(i, java.nio.ByteOrder.nativeOrder()));
        }
        for (; i < length; i++)
        {
            bytes.writeByte(scratch.getByte(i));
        }
    }

    private static String reason(final Exception ex)
    {
        return ex instanceof java.nio.file.FileSystemException fse && fse.getReason() != null ?
            fse.getReason() : ex.toString();
    }
}
