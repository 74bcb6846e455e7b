package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.journal.schema.FlowDeltaBatch;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.agrona.CloseHelper;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

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
 * <p>
 * This class opens, closes and keeps the journal's order; the jobs are its parts': {@link DocumentAppender}
 * claims and commits one document, {@link DeltaBatcher} packs deltas, {@link FreeSpace} suspends writing on a
 * full disk and counts what is lost, {@link Retention} deletes expired cycles, {@link Catalog} copies what a
 * seeking reader needs.
 */
public final class JournalWriter implements AutoCloseable
{
    /**
     * Largest event {@link #claim} accepts: far above the largest event of schema 1 (a RecorderStarted with
     * four 64 KiB strings, ~256 KiB) and far below Chronicle's limit (a document must be smaller than a
     * mapping chunk, 64 MiB by default).
     */
    public static final int MAX_EVENT_LENGTH = 1 << 20;

    /** Chronicle's mapping chunk for cycle files (see open). */
    static final long DEFAULT_BLOCK_SIZE = 16L << 20;

    /**
     * Largest batch document: about 900 IPv4 deltas, so that the per-document overhead (32 bytes) is
     * negligible, while a batch still fits a mapped chunk (zero-copy) almost always and a reader copying one
     * that straddles chunks copies little.
     */
    public static final int MAX_BATCH_LENGTH = 32 * 1024;

    /**
     * Disk space set aside while the writer runs ({@value JournalPaths#RESERVE_FILE}) and freed at its stop, so that
     * the last loss report and the stopped event can be written on a disk that filled up: a few pages of the mapped
     * cycle file, or a new cycle file's header and first index, fit in it many times over.
     */
    static final int RESERVE_BYTES = 1 << 20;

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final Catalog.Writer catalog;
    private final FreeSpace freeSpace;
    /** Whether this writer set the space reserve aside (and so is the one to delete it). */
    private boolean reserved;
    private final DocumentAppender documents;
    private final DeltaBatcher batcher;
    private final FlowDeltaDecoder delta = new FlowDeltaDecoder();
    private long eventsAppended;
    private final Set<Path> futureCycles = new HashSet<>();

    private JournalWriter(final Path dir, final SingleChronicleQueue queue, final Catalog.Writer catalog)
    {
        this.dir = dir;
        this.queue = queue;
        this.catalog = catalog;
        this.freeSpace = new FreeSpace(dir);
        this.documents = new DocumentAppender(dir, queue, catalog, freeSpace);
        this.batcher = new DeltaBatcher(dir, documents, freeSpace);
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
        JournalFiles.restrictUmask();
        final JournalDirectory.Checked checked = JournalDirectory.prepare(dir);
        final Path absolute = checked.dir();
        if (!Files.isWritable(absolute))
        {
            throw new JournalException("journal directory " + absolute + " is not writable");
        }

        final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(absolute).rollCycle(rollCycle);
        if (timeProvider != null)
        {
            builder.timeProvider(timeProvider);
        }
        // Chronicle maps a cycle file in chunks of blockSize (64 MiB by default); a chunk's written pages stay
        // resident while it is mapped, so a smaller chunk bounds the writer's file-backed RSS
        // (scripts/bench/memory). A document must fit in one chunk: 16 MiB is 16x MAX_EVENT_LENGTH.
        builder.blockSize(blockSize > 0 ? blockSize : DEFAULT_BLOCK_SIZE);
        SingleChronicleQueue queue = null;
        Catalog.Writer catalog = null;
        try
        {
            queue = builder.build();
            catalog = Catalog.Writer.open(absolute, timeProvider);
            JournalDirectory.requireSame(checked);
            return new JournalWriter(absolute, queue, catalog);
        }
        catch (final JournalException ex)
        {
            CloseHelper.quietCloseAll(catalog, queue);
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(catalog, queue);
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
        return documents.claim(length);
    }

    /** As {@link #appendDelta(FlowDeltaEncoder, long)}, the ring position left as it was (deltas not from a ring). */
    public void appendDelta(final FlowDeltaEncoder encoded)
    {
        appendDelta(encoded, 0);
    }

    /**
     * Appends a flow delta to the open batch, opening one if there is none or it is full; a delta that no compact
     * entry can hold exactly ({@link FlowDeltaBatch#packable}) goes in whole, as a wide entry. Zero-copy,
     * allocation-free.
     *
     * @param encoded      a FlowDelta event, encoded (header included); read only during the call.
     * @param ringPosition the kernel ring's position just after the delta's record: the batch carries it, and
     *                     {@link #releasableRingPosition()} reaches it once the batch is committed.
     * @throws IllegalStateException when a {@link #claim} is open or the writer is closed.
     */
    public void appendDelta(final FlowDeltaEncoder encoded, final long ringPosition)
    {
        if (documents.isOpen() && !batcher.isOpen() || documents.claimedLost())
        {
            throw new IllegalStateException("appendDelta during an open claim: " + dir);
        }
        if (freeSpace.suspended())
        {
            freeSpace.lost(1);
            batcher.lost(ringPosition);
            return;
        }
        MessageHeader.wrap(delta, encoded.buffer(), encoded.offset() - MessageHeader.ENCODED_LENGTH);
        batcher.append(delta, ringPosition); // a delta that finds no room on disk is counted lost there
    }

    /**
     * Starts the ring position at {@code position}, what the journal already holds of an adopted ring buffer
     * (see {@link JournalTail}); call it before the first delta.
     */
    public void startRingPosition(final long position)
    {
        batcher.ringPosition(position);
    }

    /**
     * @return the ring position up to which every delta appended is committed (or counted lost): the recorder
     * hands the ring's space back to the kernel up to here and no further, so that a kill -9 loses no delta.
     */
    public long releasableRingPosition()
    {
        return batcher.releasablePosition();
    }

    /** Commits the open batch of deltas, if any: readers see them from now on. Call it at the end of a drain pass. */
    public void commitDeltas()
    {
        batcher.commit();
    }

    /** @return whether deltas wait in an open batch, unseen by readers until {@link #commitDeltas()}. */
    public boolean hasOpenBatch()
    {
        return batcher.isOpen();
    }

    /** Publishes the claimed event to readers (or counts it lost while the disk is short of space). */
    public void commit()
    {
        if (documents.claimedLost())
        {
            documents.dropLost();
            return;
        }
        if (!documents.isOpen() || batcher.isOpen())
        {
            throw new IllegalStateException("commit without claim: " + dir);
        }
        if (documents.commitEvent())
        {
            eventsAppended++;
        }
        else
        {
            freeSpace.lost(1);
        }
    }

    /** Drops the claimed event (or the open batch): nothing of it reaches the journal. No-op without a claim. */
    public void abort()
    {
        batcher.drop();
        documents.abort();
    }

    /**
     * Suspends writing while the journal's file system has less than {@code minFreeBytes} free, and resumes once
     * it has again; call it often enough that fewer bytes than that are written between calls (the recorder:
     * every 100 ms). Writing into a mapped file on a full disk is a SIGBUS, so the reserve is what keeps it away.
     *
     * @return whether this call suspended or resumed writing.
     */
    public boolean checkSpace(final long minFreeBytes)
    {
        return freeSpace.check(minFreeBytes);
    }

    /** @return whether events are being counted as lost instead of written, for want of disk space. */
    public boolean suspended()
    {
        return freeSpace.suspended();
    }

    /** @return why writing is suspended (free bytes, or the write that failed), or null when it is not. */
    public String suspendedReason()
    {
        return freeSpace.reason();
    }

    /** @return events this writer could not append (disk short of space or a failed write), since it was opened. */
    public long lostEvents()
    {
        return freeSpace.lostEvents();
    }

    /**
     * At the stop: frees the space set aside at open and lets the last events be tried even on a full disk (they are
     * counted lost again if they cannot be written). Idempotent.
     */
    public void releaseReserve()
    {
        deleteReserve();
        freeSpace.resumeForLastEvents();
    }

    /**
     * Sets {@link #RESERVE_BYTES} aside in the journal directory, for the last events of a stop on a full disk. The
     * recorder calls it once it holds the journal's lock: a second recorder, refused, must not take (or delete) the
     * first one's reserve.
     */
    public void reserveSpace()
    {
        final Path file = dir.resolve(JournalPaths.RESERVE_FILE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS))
        {
            reserved = true;
            final ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (int written = 0; written < RESERVE_BYTES; written += zeros.capacity())
            {
                zeros.clear();
                while (zeros.hasRemaining())
                {
                    channel.write(zeros);
                }
            }
            channel.force(false);
        }
        catch (final IOException ex)
        {
            deleteReserve(); // no room even for the reserve: the free-space check will suspend at once
        }
    }

    /** Deletes the reserve if this writer set it aside. Idempotent. */
    private void deleteReserve()
    {
        if (reserved)
        {
            try
            {
                Files.deleteIfExists(dir.resolve(JournalPaths.RESERVE_FILE));
            }
            catch (final IOException ex)
            {
                // nothing freed: the last events are tried all the same
            }
            reserved = false;
        }
    }

    /**
     * Records beside the journal ({@link UnjournaledLoss}) events lost that not even the last loss report could
     * journal, from the first suspension of this writer until {@code nowNs}.
     *
     * @throws JournalException when that cannot be written either, naming the file and the count.
     */
    public void recordUnjournaledLoss(final long events, final long nowNs)
    {
        final long from = freeSpace.firstLossNs();
        UnjournaledLoss.append(dir, new UnjournaledLoss.Entry(from == 0 ? nowNs : from, nowNs, events));
    }

    /** @return events committed by this writer since it was opened, each delta of a batch counted. */
    public long eventsAppended()
    {
        return eventsAppended + batcher.deltasAppended();
    }

    /** @return the Chronicle index of the last event this writer committed. */
    public long lastIndex()
    {
        return documents.lastIndex();
    }

    /** @return batch documents committed by this writer since it was opened. */
    public long batchesAppended()
    {
        return batcher.batchesAppended();
    }

    /** @return whether the last claim pointed straight into the mapped file (for tests and diagnostics). */
    boolean lastClaimWasZeroCopy()
    {
        return documents.lastClaimWasZeroCopy();
    }

    /** Tests: false forces the copying fallback. */
    void zeroCopy(final boolean zeroCopy)
    {
        documents.zeroCopy(zeroCopy);
    }

    /** @return claims that went through the scratch buffer because the event straddled a mapping chunk. */
    long scratchClaims()
    {
        return documents.scratchClaims();
    }

    /**
     * Deletes expired cycle files (see {@link Retention}) and tells the queue its directory changed.
     * @return the number of cycle files deleted.
     */
    public int applyRetention(final Retention.Policy policy, final long nowMs)
    {
        return applyRetention(policy, nowMs, message -> { });
    }

    /**
     * As {@link #applyRetention(Retention.Policy, long)}; warnings is told once of each cycle file dated after
     * now (a clock stepped back), which retention leaves alone.
     */
    public int applyRetention(final Retention.Policy policy, final long nowMs, final Consumer<String> warnings)
    {
        commitDeltas(); // no document stays open while files go
        final int deleted = Retention.apply(dir, queue.rollCycle(), policy, nowMs, future ->
        {
            if (futureCycles.add(future))
            {
                warnings.accept("journal cycle " + future.getFileName() + " is dated after now (was the clock set back?): "
                    + "retention leaves it alone");
            }
        });
        if (deleted > 0)
        {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    /**
     * Reads the end of the journal as appended so far (see {@link JournalTail}); commits the open batch first.
     *
     * @param ringSinceNs when the ring buffer whose position is wanted was created (wall clock, ns)
     */
    public JournalTail tail(final long ringSinceNs)
    {
        commitDeltas();
        return JournalTail.read(queue, ringSinceNs);
    }

    /** Disk usage of the journal's cycle files, in bytes. */
    public long diskBytes()
    {
        return Retention.diskBytes(dir, queue.rollCycle());
    }

    /**
     * Commits the open batch of deltas (its deltas were handed over whole: they belong in the journal), aborts an
     * open claim, then closes the appender, the catalog and the queue, in the reverse of their opening. Idempotent.
     */
    @Override
    public void close()
    {
        if (!documents.isClosed())
        {
            CloseHelper.closeAll(this::commitDeltas, documents, catalog, queue, this::deleteReserve);
        }
    }

    static String reason(final Exception ex)
    {
        return ex instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : ex.toString();
    }
}
