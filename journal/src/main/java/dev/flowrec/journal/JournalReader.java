package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.MessageHeader;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.agrona.CloseHelper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a journal's events in order, from the start, and follows it as a writer appends.
 * <p>
 * Read-only: it never creates or changes files (Chronicle is opened {@code readOnly}); a reader needs no
 * privileges beyond reading the directory. Events that {@link MessageHeader#check} refuses (a foreign
 * schema id, a newer schema version, truncated) are skipped and counted, never delivered and never
 * thrown: {@link #skippedEvents()}, {@link #lastSkipReason()}. So are events whose CRC32C trailer (schema version 4
 * on) does not match their bytes: {@link #checksumFailures()}.
 * <p>
 * A {@link FlowDeltaBatch} is delivered as the FlowDelta events it packs, one call each, in order, byte for
 * byte as a FlowDelta of their own would have been: handlers never see a batch. A damaged batch (entries that
 * do not fill it exactly, or fewer or more than it says) is skipped whole, before any of it is delivered.
 * <p>
 * A damaged journal (a truncated, zeroed or overwritten cycle file, a header left half-written in a cycle
 * that is not the last) is read around its damage: the reader steps to the next indexed document of the
 * cycle, else to the next cycle, and records what it stepped over in {@link #unreadableRanges()}. Chronicle's
 * exceptions while reading never escape; see journal/CORRUPTION.md for what Chronicle does in each case.
 * <p>
 * Single-threaded: one thread at a time polls (Chronicle's thread-owner check is disabled so that it may
 * be handed over with a happens-before edge). Reading allocates nothing per event.
 * <p>
 * This class opens, closes and drives; the jobs are its parts': {@link DocumentReader} reads one document
 * ({@link BatchExpander} unpacks batches), {@link DamageRecovery} steps over damage, {@link TimeSeek} finds a
 * time, {@link HeaderlessCycles} keeps Chronicle away from cycle files without a header.
 */
public final class JournalReader implements AutoCloseable
{
    /** Bounds Chronicle's wait for a cycle file's first header (it waits forever on an empty file). */
    private static final long HEADER_TIMEOUT_MS = 500;

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final HeaderlessCycles headerless;
    private final ExcerptTailer tailer;
    private final DocumentReader documentReader;
    private final DamageRecovery recovery;
    private final TimeSeek timeSeek;
    private final Catalog.Damage catalogDamage = new Catalog.Damage();
    private boolean closed;

    private JournalReader(final Path dir, final SingleChronicleQueue queue, final int prefixLength,
        final HeaderlessCycles headerless)
    {
        this.dir = dir;
        this.headerless = headerless;
        this.queue = queue;
        this.tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        this.documentReader = new DocumentReader(tailer, prefixLength);
        this.recovery = new DamageRecovery(dir, queue, tailer, headerless, documentReader);
        this.timeSeek = new TimeSeek(queue, tailer, prefixLength);
    }

    /**
     * @throws JournalException when {@code dir} is missing, not a directory, or holds no journal
     * ("not a flowrec journal: /x (no .cq4 files)").
     */
    public static JournalReader open(final Path dir)
    {
        final Path absolute = dir.toAbsolutePath();
        JournalPaths.requireReadable(absolute);
        return open(absolute, JournalPaths.DEFAULT_ROLL_CYCLE, 0);
    }

    /**
     * A reader of the journal's catalog, whose documents carry an 8-byte journal index before the event.
     *
     * @throws JournalException at once when its metadata.cq4t is damaged: Chronicle would wait ten seconds for a lock
     * first, on every open (each answer opens the catalog, for its runs and to seek).
     */
    static JournalReader openCatalog(final Path catalogDir)
    {
        final Path metadata = catalogDir.resolve(JournalPaths.METADATA_FILE);
        if (Files.exists(metadata) && !JournalPaths.startsWithWholeHeader(metadata, JournalPaths.TABLE_STORE))
        {
            throw new JournalException("its " + JournalPaths.METADATA_FILE + " does not start with a whole Chronicle table store header");
        }
        return open(catalogDir.toAbsolutePath(), RollCycles.FAST_DAILY, Catalog.PREFIX_LENGTH);
    }

    /**
     * Opens Chronicle around what would make it wait or read wrongly: cycle files without a whole header, and the
     * journal's metadata file. Chronicle is never shown the metadata: a flipped bit anywhere in it can make Chronicle
     * start an hour late in silence (listing.lowestCycle) or wait for a lock it will never get (BitFlipTest found
     * both, one seed at a time); a read-only queue in a private directory without it lists the cycle files instead.
     * (Chronicle warns of the missing file at every open, "Failback to readonly tablestore": scripts/jvm.options sets
     * that one logger to error.)
     */
    private static JournalReader open(final Path absolute, final RollCycle rollCycle, final int prefixLength)
    {
        HeaderlessCycles headerless = null;
        SingleChronicleQueue queue = null;
        try
        {
            headerless = HeaderlessCycles.withoutListing(absolute);
            queue = queue(headerless, rollCycle);
            return new JournalReader(absolute, queue, prefixLength, headerless);
        }
        catch (final Exception | InternalError ex) // Chronicle throws checked ones unchecked; InternalError: SIGBUS
        {
            CloseHelper.quietCloseAll(queue, headerless);
            throw new JournalException("cannot read journal " + absolute + ": " + JournalException.firstLine(ex), ex);
        }
    }

    private static SingleChronicleQueue queue(final HeaderlessCycles headerless, final RollCycle rollCycle)
    {
        return SingleChronicleQueueBuilder.binary(headerless.dir()).rollCycle(rollCycle).readOnly(true)
            .timeoutMS(HEADER_TIMEOUT_MS).build();
    }

    /**
     * Replays the events that precede the reader's position and are not flow deltas (interfaces, containers,
     * loss reports, recorder runs) from the journal's catalog, so that a reader that seeks knows the state
     * there without reading what it skipped.
     *
     * @return false when the journal has no catalog: read it from its start instead.
     */
    public boolean replayStateBefore(final EventHandler handler)
    {
        return Catalog.replayBefore(dir, tailer.index(), handler, catalogDamage);
    }

    /** The current document's prefix (the journal index, for a catalog reader); valid during the handler call. */
    long prefix()
    {
        return documentReader.prefix();
    }

    /** @return the journal directory, absolute. */
    public Path dir()
    {
        return dir;
    }

    /**
     * Reads up to {@code limit} documents, delivering each supported event to {@code handler}.
     *
     * @return events read, delivered plus skipped, each delta of a batch counted: 0 means the reader is at
     * the end for now.
     */
    public int poll(final EventHandler handler, final int limit)
    {
        int read = 0;
        int documents = 0;
        int recoveries = 0;
        while (documents < limit)
        {
            final long at = tailer.index();
            final int events = documentReader.read(handler);
            if (events > 0)
            {
                read += events;
                documents++;
            }
            else if (events == DocumentReader.SENT_BACK)
            {
                recovery.sentBack(at, documentReader.failure());
                break; // the end: reading on would read the earlier cycles again
            }
            else if (recoveries++ >= limit || !recovery.recover(at, events == 0 ? null : documentReader.failure()))
            {
                break; // the end, for now; or enough stepping for one poll (progress is kept)
            }
        }
        recovery.polled(read, limit);
        return read;
    }

    /** @return what the reader stepped over because it was damaged, in journal order; empty for an intact journal. */
    public List<UnreadableRange> unreadableRanges()
    {
        return catalogDamage.withRanges(recovery.unreadableRanges());
    }

    /** @return whether the last event was delivered straight from the mapped file (for tests and diagnostics). */
    boolean lastEventWasZeroCopy()
    {
        return documentReader.lastEventWasZeroCopy();
    }

    /** Tests: false forces the copying fallback. */
    void zeroCopy(final boolean zeroCopy)
    {
        documentReader.zeroCopy(zeroCopy);
    }

    /** @return events copied to scratch because they straddled a mapping chunk. */
    long copiedEvents()
    {
        return documentReader.copiedEvents();
    }

    /**
     * Positions the reader at about the first event whose time is at or after {@code timeNs}: a binary search
     * on every event's first field (its time) over the roll cycles and within one, so that finding a window
     * costs a few dozen reads whatever the journal's length. Events are appended in time order only up to the
     * recorder's flush delay (a delta's first packet may be a flush interval older than its neighbours), so
     * callers seek a margin early and filter exactly.
     *
     * @return documents read to find the place.
     */
    public int seek(final long timeNs)
    {
        try
        {
            final int probes = timeSeek.seek(timeNs);
            recovery.readFrom(timeSeek.cycle());
            documentReader.moved();
            return probes;
        }
        catch (final Exception | InternalError ex)
        {
            toStart(); // Chronicle cannot list the cycles (a damaged metadata.cq4t): read from the start, the answer whole
            return 0;
        }
    }

    /** Rewinds to the first event of the journal. */
    public void toStart()
    {
        recovery.readFrom(Integer.MIN_VALUE);
        documentReader.moved();
        tailer.toStart();
    }

    /** Moves to the end: the next poll returns only events appended from now on. */
    public void toEnd()
    {
        recovery.readFrom(queue.lastCycle());
        documentReader.moved();
        tailer.toEnd();
    }

    /**
     * @return the hourly cycle of the document being read (during a handler's call) or of the next one: what a
     * replay that reads some cycles from their rollups checks to leave them.
     */
    public int cycle()
    {
        return queue.rollCycle().toCycle(tailer.index());
    }

    /** @return the first and last cycles of the journal (first &gt; last when it has none). */
    public int firstCycle()
    {
        return queue.firstCycle();
    }

    public int lastCycle()
    {
        return queue.lastCycle();
    }

    /** Moves to the first document of {@code cycle}; false when the cycle has none (then the reader is not moved). */
    public boolean toCycle(final int cycle)
    {
        return moveToIndex(queue.rollCycle().toIndex(cycle, 0));
    }

    /** @return the Chronicle index of the next document to read. */
    public long index()
    {
        return tailer.index();
    }

    /**
     * Moves to the document at {@code index}, as returned by {@link #index()} or {@link JournalWriter#lastIndex()}.
     *
     * @return false when there is no such document.
     */
    public boolean moveToIndex(final long index)
    {
        recovery.readFrom(queue.rollCycle().toCycle(index));
        documentReader.moved();
        return tailer.moveToIndex(index);
    }

    /** @return events skipped because this reader cannot decode them (foreign schema, newer version, truncated). */
    public long skippedEvents()
    {
        return documentReader.skippedEvents() + catalogDamage.skippedEvents();
    }

    /**
     * @return documents skipped because their bytes do not match their CRC32C trailer (damage: a flipped bit, a
     * length that moved the document's end), their catalog copies replayed for a seek included.
     */
    public long checksumFailures()
    {
        return documentReader.checksumFailures() + catalogDamage.checksumFailures();
    }

    /** @return why the last skipped event was skipped (a checksum failure included), or null if none was. */
    public String lastSkipReason()
    {
        final String reason = documentReader.lastSkipReason();
        return reason != null ? reason : catalogDamage.lastSkipReason();
    }

    /** Closes the tailer, the queue and the headerless cycles' links, in the reverse of their opening. Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.closeAll(documentReader::close, tailer, queue, headerless);
        }
    }
}
