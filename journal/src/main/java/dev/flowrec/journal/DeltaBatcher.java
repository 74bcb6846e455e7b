package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaBatch;
import org.agrona.MutableDirectBuffer;

import java.nio.file.Path;

/**
 * Packs flow deltas many to a document ({@link FlowDeltaBatch}): a FlowDelta of its own is 88 bytes and a
 * document; packed, an IPv4 delta is 36 bytes and the document is paid once per batch. A batch is one Chronicle
 * document claimed at its largest ({@link JournalWriter#MAX_BATCH_LENGTH}) and committed at its actual length;
 * until then readers see nothing of it, and a writer killed meanwhile loses it whole (Chronicle never exposes a
 * document left incomplete). Apart from {@link JournalWriter} because a batch outlives the call that opened it:
 * this class owns that state.
 * <p>
 * It also keeps the ring position of the deltas ({@link FlowDeltaBatch#ringPosition}): each batch carries the
 * latest position handed in with its deltas, and {@link #releasablePosition()} is the position up to which the
 * journal holds, or has counted as lost, every delta: the recorder hands ring space back to the kernel only up
 * to there, so that a kill -9 with a batch open re-reads that batch's records instead of losing them.
 */
final class DeltaBatcher
{
    private final Path dir;
    private final DocumentAppender documents;
    private final FreeSpace freeSpace;
    private final FlowDeltaBatch batch = new FlowDeltaBatch();
    private boolean batchOpen;
    private long ringPosition;
    private long releasablePosition;
    private long batchesAppended;
    private long deltasAppended;

    DeltaBatcher(final Path dir, final DocumentAppender documents, final FreeSpace freeSpace)
    {
        this.dir = dir;
        this.documents = documents;
        this.freeSpace = freeSpace;
    }

    /** @return whether deltas wait in an open batch, unseen by readers until {@link #commit()}. */
    boolean isOpen()
    {
        return batchOpen;
    }

    /**
     * Appends a delta to the open batch, opening one if there is none or it is full. A batch that cannot begin (a
     * full disk) loses the delta, counted by the caller.
     *
     * @param position the ring position just after the delta's record (kept if lower than the last one handed in)
     * @return false when the delta is lost.
     */
    boolean append(final FlowDeltaDecoder delta, final long position)
    {
        ringPosition = Math.max(ringPosition, position);
        if (batchOpen && batch.tryAppend(delta))
        {
            batch.ringPosition(ringPosition);
            return true;
        }
        commit();
        final MutableDirectBuffer claimed = documents.open(JournalWriter.MAX_BATCH_LENGTH);
        if (documents.claimedLost())
        {
            documents.dropLost(); // the batch could not begin (a full disk): this delta is lost
            releasablePosition = ringPosition;
            return false;
        }
        batch.wrapAndApplyHeader(claimed, 0, JournalWriter.MAX_BATCH_LENGTH).ringPosition(ringPosition);
        batchOpen = true;
        if (!batch.tryAppend(delta))
        {
            throw new IllegalStateException("an empty FlowDeltaBatch refused a delta: " + dir);
        }
        return true;
    }

    /** A delta at this ring position is lost (counted by the caller) without a batch: nothing is left to re-read. */
    void lost(final long position)
    {
        ringPosition = Math.max(ringPosition, position);
        if (!batchOpen)
        {
            releasablePosition = ringPosition;
        }
    }

    /** Starts the ring position at what the journal already holds (an adopted ring); call before any delta. */
    void ringPosition(final long position)
    {
        ringPosition = position;
        releasablePosition = position;
    }

    /** @return the ring position up to which every delta handed in is committed or counted lost. */
    long releasablePosition()
    {
        return releasablePosition;
    }

    /** Commits the open batch, if any: readers see its deltas from now on; a failed write counts them lost. */
    void commit()
    {
        if (!batchOpen)
        {
            return;
        }
        batchOpen = false;
        final int deltas = batch.count();
        final long position = batch.ringPosition();
        if (documents.commit(batch.encodedLength(), false))
        {
            deltasAppended += deltas;
            batchesAppended++;
        }
        else
        {
            freeSpace.lost(deltas);
        }
        releasablePosition = position; // journaled or counted lost: either way not to be read again
    }

    /** Forgets the open batch, whose document the caller aborts. */
    void drop()
    {
        batchOpen = false;
    }

    /** @return deltas committed in batches. */
    long deltasAppended()
    {
        return deltasAppended;
    }

    /** @return batch documents committed. */
    long batchesAppended()
    {
        return batchesAppended;
    }
}
