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
 */
final class DeltaBatcher
{
    private final Path dir;
    private final DocumentAppender documents;
    private final FreeSpace freeSpace;
    private final FlowDeltaBatch batch = new FlowDeltaBatch();
    private boolean batchOpen;
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
     * Appends a delta that {@link FlowDeltaBatch#packable} accepts to the open batch, opening one if there is none
     * or it is full. A batch that cannot begin (a full disk) loses the delta, counted.
     */
    void append(final FlowDeltaDecoder delta)
    {
        if (batchOpen && batch.tryAppend(delta))
        {
            return;
        }
        commit();
        final MutableDirectBuffer claimed = documents.open(JournalWriter.MAX_BATCH_LENGTH);
        if (documents.claimedLost())
        {
            documents.dropLost(); // the batch could not begin (a full disk): this delta is lost
            return;
        }
        batch.wrapAndApplyHeader(claimed, 0, JournalWriter.MAX_BATCH_LENGTH);
        batchOpen = true;
        if (!batch.tryAppend(delta))
        {
            throw new IllegalStateException("an empty FlowDeltaBatch refused a packable delta: " + dir);
        }
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
        if (documents.commit(batch.encodedLength(), false))
        {
            deltasAppended += deltas;
            batchesAppended++;
        }
        else
        {
            freeSpace.lost(deltas);
        }
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
