package dev.flowrec.journal;

import dev.flowrec.journal.schema.MessageHeader;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a journal's events in order, from the start, and follows it as a writer appends.
 * <p>
 * Read-only: it never creates or changes files (Chronicle is opened {@code readOnly}); a reader needs no
 * privileges beyond reading the directory. Events that {@link MessageHeader#check} refuses (a foreign
 * schema id, a newer schema version, truncated) are skipped and counted, never delivered and never
 * thrown: {@link #skippedEvents()}, {@link #lastSkipReason()}.
 * <p>
 * Single-threaded: one thread at a time polls (Chronicle's thread-owner check is disabled so that it may
 * be handed over with a happens-before edge). Reading allocates nothing per event.
 */
public final class JournalReader implements AutoCloseable
{
    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final UnsafeBuffer eventBuffer = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private long skippedEvents;
    private String lastSkipReason;
    private boolean closed;
    private boolean lastEventZeroCopy;
    private long copiedEvents;
    private boolean zeroCopy = true;
    private final int prefixLength;
    private long prefix;
    private int probes;

    private JournalReader(final Path dir, final SingleChronicleQueue queue, final int prefixLength)
    {
        this.dir = dir;
        this.queue = queue;
        this.prefixLength = prefixLength;
        this.tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
    }

    /**
     * @throws JournalException when {@code dir} is missing, not a directory, or holds no journal
     * ("not a flowrec journal: /x (no .cq4 files)").
     */
    public static JournalReader open(final Path dir)
    {
        final Path absolute = dir.toAbsolutePath();
        if (!Files.exists(absolute))
        {
            throw new JournalException("journal directory does not exist: " + absolute);
        }
        if (!Files.isDirectory(absolute))
        {
            throw new JournalException("not a flowrec journal: " + absolute + " (not a directory)");
        }
        if (JournalPaths.cycleFileCount(absolute) == 0)
        {
            throw new JournalException(
                "not a flowrec journal: " + absolute + " (no " + JournalPaths.CYCLE_FILE_SUFFIX + " files)");
        }
        if (!Files.exists(absolute.resolve(JournalPaths.METADATA_FILE)))
        {
            throw new JournalException(
                "not a flowrec journal: " + absolute + " (no " + JournalPaths.METADATA_FILE + ")");
        }
        SingleChronicleQueue queue = null;
        try
        {
            queue = SingleChronicleQueueBuilder.binary(absolute).rollCycle(JournalPaths.DEFAULT_ROLL_CYCLE).readOnly(true).build();
            return new JournalReader(absolute, queue, 0);
        }
        catch (final RuntimeException ex)
        {
            if (queue != null)
            {
                queue.close();
            }
            throw new JournalException("cannot read journal " + absolute + ": " + ex, ex);
        }
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
        return Catalog.replayBefore(dir, tailer.index(), handler);
    }

    /** A reader of the journal's catalog, whose documents carry an 8-byte journal index before the event. */
    static JournalReader openCatalog(final Path catalogDir)
    {
        return new JournalReader(catalogDir, SingleChronicleQueueBuilder.binary(catalogDir)
            .rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_DAILY).readOnly(true).build(), Catalog.PREFIX_LENGTH);
    }

    /** The current document's prefix (the journal index, for a catalog reader); valid during the handler call. */
    long prefix()
    {
        return prefix;
    }

    /** @return the journal directory, absolute. */
    public Path dir()
    {
        return dir;
    }

    /**
     * Reads up to {@code limit} documents, delivering each supported event to {@code handler}.
     *
     * @return documents read, delivered plus skipped: 0 means the reader is at the end for now.
     */
    public int poll(final EventHandler handler, final int limit)
    {
        int read = 0;
        while (read < limit)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                read++;
                final Bytes<?> bytes = dc.wire().bytes();
                final long position = bytes.readPosition() + prefixLength;
                final int length = (int)bytes.readRemaining() - prefixLength;
                prefix = prefixLength > 0 ? bytes.readLong(position - prefixLength) : 0;
                wrapEvent(bytes, position, Math.max(length, 0));
                final int verdict = MessageHeader.check(eventBuffer, 0, length);
                if (verdict != MessageHeader.SUPPORTED)
                {
                    skippedEvents++;
                    lastSkipReason = MessageHeader.describe(verdict, eventBuffer, 0, length) +
                        " (index 0x" + Long.toHexString(dc.index()) + ")";
                }
                else
                {
                    handler.onEvent(MessageHeader.templateId(eventBuffer, 0), eventBuffer, 0, length);
                }
            }
            finally
            {
                eventBuffer.wrap(0, 0);
            }
        }
        return read;
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

    /** @return whether the last event was delivered straight from the mapped file (for tests and diagnostics). */
    boolean lastEventWasZeroCopy()
    {
        return lastEventZeroCopy;
    }

    /** Tests: false forces the copying fallback. */
    void zeroCopy(final boolean zeroCopy)
    {
        this.zeroCopy = zeroCopy;
    }

    /** @return events copied to scratch because they straddled a mapping chunk. */
    long copiedEvents()
    {
        return copiedEvents;
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
        final int first = queue.firstCycle();
        final int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || last < first)
        {
            tailer.toStart();
            return 0;
        }
        final RollCycle rollCycle = queue.rollCycle();
        probes = 0;
        Long chosen = null;
        for (final Long cycle : queue.listCyclesBetween(first, last).descendingSet())
        {
            final long t = timeAt(rollCycle.toIndex(cycle.intValue(), 0));
            if (t != Long.MIN_VALUE && t <= timeNs)
            {
                chosen = cycle;
                break;
            }
        }
        if (chosen == null)
        {
            tailer.toStart();
            return probes;
        }
        final int cycle = chosen.intValue();
        final long count = tailer.excerptsInCycle(cycle);
        long lo = 0;
        long hi = count;
        while (lo < hi)
        {
            final long mid = (lo + hi) >>> 1;
            final long t = timeAt(rollCycle.toIndex(cycle, mid));
            if (t != Long.MIN_VALUE && t < timeNs)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        if (lo < count)
        {
            tailer.moveToIndex(rollCycle.toIndex(cycle, lo));
        }
        else
        {
            // Every event of that cycle is earlier: start after its last one (the next cycle, or the end).
            tailer.moveToIndex(rollCycle.toIndex(cycle, count - 1));
            try (DocumentContext dc = tailer.readingDocument())
            {
                probes++;
            }
        }
        return probes;
    }

    /** The time field of the event at {@code index}, or Long.MIN_VALUE when there is none or it is unreadable. */
    private long timeAt(final long index)
    {
        if (!tailer.moveToIndex(index))
        {
            return Long.MIN_VALUE;
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            probes++;
            if (!dc.isPresent())
            {
                return Long.MIN_VALUE;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long position = bytes.readPosition() + prefixLength;
            return bytes.readRemaining() >= prefixLength + MessageHeader.ENCODED_LENGTH + 8 ?
                bytes.readLong(position + MessageHeader.ENCODED_LENGTH) : Long.MIN_VALUE;
        }
    }

    /** Rewinds to the first event of the journal. */
    public void toStart()
    {
        tailer.toStart();
    }

    /** Moves to the end: the next poll returns only events appended from now on. */
    public void toEnd()
    {
        tailer.toEnd();
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
        return tailer.moveToIndex(index);
    }

    /** @return events skipped because this reader cannot decode them (foreign schema, newer version, truncated). */
    public long skippedEvents()
    {
        return skippedEvents;
    }

    /** @return why the last skipped event was skipped, or null if none was. */
    public String lastSkipReason()
    {
        return lastSkipReason;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            tailer.close();
        }
        finally
        {
            queue.close();
        }
    }
}
