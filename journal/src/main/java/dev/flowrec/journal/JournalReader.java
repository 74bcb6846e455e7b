package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a journal's events in order, from the start, and follows it as a writer appends.
 * <p>
 * Read-only: it never creates or changes files (Chronicle is opened {@code readOnly}); a reader needs no
 * privileges beyond reading the directory. Events that {@link MessageHeader#check} refuses (a foreign
 * schema id, a newer schema version, truncated) are skipped and counted, never delivered and never
 * thrown: {@link #skippedEvents()}, {@link #lastSkipReason()}.
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
 */
public final class JournalReader implements AutoCloseable
{
    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final UnsafeBuffer eventBuffer = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private final FlowDeltaBatch batch = new FlowDeltaBatch();
    private final FlowDeltaEncoder expandedDelta = new FlowDeltaEncoder();
    private final UnsafeBuffer expanded = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
    private long skippedEvents;
    private String lastSkipReason;
    private boolean closed;
    private boolean lastEventZeroCopy;
    private long copiedEvents;
    private boolean zeroCopy = true;
    private final int prefixLength;
    private long prefix;
    private int probes;
    private final List<UnreadableRange> unreadable = new ArrayList<>();
    private boolean inHandler;
    private long lastEndPosition;
    private int lastEndCycle = Integer.MIN_VALUE;

    /** Bounds Chronicle's wait for a cycle file's first header (it waits forever on an empty file). */
    private static final long HEADER_TIMEOUT_MS = 500;
    /** Chronicle grows a cycle file a chunk ahead of its writer: a file ending this close after the last document was cut. */
    private static final long TRUNCATION_SLACK_BYTES = 64;
    /** Smaller than a cycle file's header and index: cut. */
    private static final long MIN_CYCLE_FILE_BYTES = 4096;

    private final HeaderlessCycles headerless;
    /** The first cycle this reader's position may have started in (seeks move it); headerless cycles before it are not its concern. */
    private int fromCycle = Integer.MIN_VALUE;
    private boolean reachedEnd;
    private long nextRefreshMs;

    private JournalReader(final Path dir, final SingleChronicleQueue queue, final int prefixLength,
        final HeaderlessCycles headerless)
    {
        this.dir = dir;
        this.headerless = headerless;
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
        checkFiles(absolute);
        final HeaderlessCycles headerless = HeaderlessCycles.check(absolute);
        SingleChronicleQueue queue = null;
        try
        {
            queue = SingleChronicleQueueBuilder.binary(headerless.dir()).rollCycle(JournalPaths.DEFAULT_ROLL_CYCLE)
                .readOnly(true).timeoutMS(HEADER_TIMEOUT_MS).build();
            return new JournalReader(absolute, queue, 0, headerless);
        }
        catch (final RuntimeException ex)
        {
            if (queue != null)
            {
                queue.close();
            }
            headerless.close();
            throw new JournalException("cannot read journal " + absolute + ": " + oneLine(ex), ex);
        }
    }

    /**
     * Refuses, in one line and at once, a directory whose .cq4 files are none of them Chronicle cycle files,
     * and a journal whose metadata.cq4t is damaged (Chronicle would wait ten seconds for a lock, then throw).
     * A missing metadata.cq4t is no obstacle: a read-only queue works without it.
     */
    private static void checkFiles(final Path dir)
    {
        final Path metadata = dir.resolve(JournalPaths.METADATA_FILE);
        if (Files.exists(metadata) && !startsWith(metadata, "STStore"))
        {
            throw new JournalException("journal " + dir + " is damaged: its " + JournalPaths.METADATA_FILE +
                " is not a Chronicle table store (zeroed or overwritten); move it aside to read the cycle files without it");
        }
        try (var files = Files.list(dir))
        {
            final List<Path> cycles = files.filter(p -> p.getFileName().toString().endsWith(JournalPaths.CYCLE_FILE_SUFFIX)).toList();
            if (cycles.stream().noneMatch(p -> startsWith(p, CYCLE_STORE)))
            {
                throw new JournalException("not a flowrec journal: " + dir + " (none of its " + cycles.size() + " " +
                    JournalPaths.CYCLE_FILE_SUFFIX + " files is a Chronicle Queue cycle file)");
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot list journal directory " + dir + ": " + ex, ex);
        }
    }

    /** The store type a Chronicle cycle file's first header names. */
    static final String CYCLE_STORE = "SCQStore";

    /** Whether the file's first header names the Chronicle store {@code type} (a cycle file or the metadata). */
    static boolean startsWith(final Path file, final String type)
    {
        try (InputStream in = Files.newInputStream(file))
        {
            final String head = new String(in.readNBytes(64), StandardCharsets.ISO_8859_1);
            return head.contains("header") && head.contains(type);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static String oneLine(final Throwable ex)
    {
        final String text = String.valueOf(ex);
        final int eol = text.indexOf('\n');
        return eol < 0 ? text : text.substring(0, eol);
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
            .rollCycle(net.openhft.chronicle.queue.RollCycles.FAST_DAILY).readOnly(true).build(), Catalog.PREFIX_LENGTH,
            HeaderlessCycles.check(catalogDir));
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
            final int events = pollOne(handler);
            if (events > 0)
            {
                read += events;
                documents++;
            }
            else if (recoveries++ >= limit || !recover(at, events == 0 ? null : lastFailure))
            {
                break; // the end, for now; or enough stepping for one poll (progress is kept)
            }
        }
        reachedEnd = read < limit;
        if (read == 0 && System.currentTimeMillis() >= nextRefreshMs)
        {
            nextRefreshMs = System.currentTimeMillis() + 500;
            headerless.refresh(); // a follower of a damaged journal still sees the writer's new cycles
        }
        return read;
    }

    private String lastFailure;

    /**
     * @return events read from one document (1, or a batch's deltas; a skipped document counts 1), 0 for none
     * there, -1 when Chronicle failed on it ({@link #lastFailure}).
     */
    private int pollOne(final EventHandler handler)
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
            lastFailure = ex instanceof InternalError ? "a read past the end of the file" : oneLine(ex);
            return -1;
        }
        finally
        {
            eventBuffer.wrap(0, 0);
        }
    }

    /** Delivers each delta of the batch in {@link #eventBuffer} as the FlowDelta it was packed from. */
    private int deliverBatch(final EventHandler handler, final int length, final long index)
    {
        batch.wrap(eventBuffer, 0, length);
        final int verdict = batch.verify();
        if (verdict != FlowDeltaBatch.VALID)
        {
            skippedEvents++;
            lastSkipReason = batch.describe(verdict) + " (index 0x" + Long.toHexString(index) + ")";
            return 1;
        }
        final int end = batch.end();
        int delivered = 0;
        inHandler = true;
        for (int at = batch.firstEntry(); at < end; delivered++)
        {
            at = batch.expand(at, expanded, 0, expandedDelta);
            handler.onEvent(FlowDeltaDecoder.TEMPLATE_ID, expanded, 0, Templates.FLOW_DELTA_LENGTH);
        }
        inHandler = false;
        return delivered;
    }

    /**
     * After no document (or a failed one) at {@code stuck}: if that is damage, records it and moves past it.
     * The end of the last cycle is the end unless its file is truncated there or its index knows of later
     * documents; anywhere else, nothing to read is damage (a complete cycle ends with an end-of-file marker
     * that leads to the next). Every move is to a greater index, so recovery always ends.
     *
     * @param failure Chronicle's failure on the document, or null when it found none.
     * @return whether the reader moved past damage.
     */
    private boolean recover(final long stuck, final String failure)
    {
        final RollCycle rollCycle = queue.rollCycle();
        final int lastCycle = queue.lastCycle();
        final int cycle = stuck == 0 ? queue.firstCycle() : rollCycle.toCycle(stuck);
        if (cycle == Integer.MAX_VALUE || lastCycle == Integer.MIN_VALUE)
        {
            return false;
        }
        final long from = stuck == 0 ? rollCycle.toIndex(cycle, 0) : stuck;
        final long seq = rollCycle.toSequenceNumber(from);
        final String truncation = truncation(cycle);
        if (failure == null && truncation == null && cycle >= lastCycle)
        {
            return false; // the end for now: in the newest cycle a half-written header is a live writer's
        }
        final long count = excerptsInCycle(cycle); // acquires the cycle's store: only once damage is certain
        final String reason = failure != null ? failure : truncation != null ? truncation :
            "zeroed, overwritten or half-written document header";
        final int spacing = Math.max(1, rollCycle.defaultIndexSpacing());
        for (long s = (seq / spacing + 1) * spacing; s < count; s += spacing)
        {
            final long index = rollCycle.toIndex(cycle, s);
            if (moveTo(index))
            {
                unreadable.add(new UnreadableRange(from, index - 1, fileName(cycle), reason));
                return true;
            }
        }
        if (count < 0 || seq < count)
        {
            unreadable.add(new UnreadableRange(from, count > seq ? rollCycle.toIndex(cycle, count - 1) : UnreadableRange.END_OF_CYCLE,
                fileName(cycle), reason));
        } // else every document of the cycle was read: what failed was stepping into the next one, reported below
        if (cycle >= lastCycle)
        {
            moveTo(from); // stay: a live writer may yet complete the document
            return false;
        }
        for (final Long next : queue.listCyclesBetween(cycle + 1, lastCycle))
        {
            if (moveToCycle(next.intValue()))
            {
                return true;
            }
            unreadable.add(new UnreadableRange(rollCycle.toIndex(next.intValue(), 0), UnreadableRange.END_OF_CYCLE,
                fileName(next.intValue()), "cannot open the cycle file"));
        }
        return false;
    }

    private boolean moveTo(final long index)
    {
        try
        {
            return tailer.moveToIndex(index);
        }
        catch (final RuntimeException | InternalError ex)
        {
            return false;
        }
    }

    private boolean moveToCycle(final int cycle)
    {
        try
        {
            return tailer.moveToCycle(cycle) && tailer.cycle() == cycle;
        }
        catch (final RuntimeException | InternalError ex)
        {
            return false;
        }
    }

    /** Documents in the cycle by its index, -1 when the index is unreadable. */
    private long excerptsInCycle(final int cycle)
    {
        try
        {
            return tailer.excerptsInCycle(cycle);
        }
        catch (final RuntimeException | InternalError ex)
        {
            return -1;
        }
    }

    /** "truncated to N bytes" when the cycle file ends before the document after the last one read; else null. */
    private String truncation(final int cycle)
    {
        try
        {
            final long size = Files.size(dir.resolve(fileName(cycle)));
            final long after = cycle == lastEndCycle ? lastEndPosition : 0;
            return size < after + TRUNCATION_SLACK_BYTES || size < MIN_CYCLE_FILE_BYTES ? "truncated to " + size + " bytes" : null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private String fileName(final int cycle)
    {
        return java.time.format.DateTimeFormatter.ofPattern(queue.rollCycle().format()).format(java.time.Instant.ofEpochMilli(
            (long)cycle * queue.rollCycle().lengthInMillis()).atZone(java.time.ZoneOffset.UTC)) + JournalPaths.CYCLE_FILE_SUFFIX;
    }

    /** @return what the reader stepped over because it was damaged, in journal order; empty for an intact journal. */
    public List<UnreadableRange> unreadableRanges()
    {
        final List<UnreadableRange> ranges = new ArrayList<>(unreadable);
        final RollCycle rollCycle = queue.rollCycle();
        final java.time.format.DateTimeFormatter names = java.time.format.DateTimeFormatter.ofPattern(rollCycle.format())
            .withZone(java.time.ZoneOffset.UTC);
        for (final var cycleFile : headerless.headerless().entrySet())
        {
            final String name = cycleFile.getKey();
            final int cycle = (int)(java.time.Instant.from(names.parse(
                name.substring(0, name.length() - JournalPaths.CYCLE_FILE_SUFFIX.length()))).toEpochMilli() /
                rollCycle.lengthInMillis());
            if (cycle >= fromCycle && (cycle < tailer.cycle() || reachedEnd))
            {
                ranges.add(new UnreadableRange(rollCycle.toIndex(cycle, 0), UnreadableRange.END_OF_CYCLE, name,
                    "cut to " + cycleFile.getValue() + " bytes, before its header"));
            }
        }
        ranges.sort(java.util.Comparator.comparingLong(UnreadableRange::fromIndex));
        return List.copyOf(ranges);
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
        fromCycle = Integer.MIN_VALUE;
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
        fromCycle = cycle;
        final long count = excerptsInCycle(cycle);
        if (count < 0)
        {
            moveToCycle(cycle); // its index is damaged: read the whole cycle, polling steps over the damage
            return probes;
        }
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
            moveTo(rollCycle.toIndex(cycle, lo));
        }
        else
        {
            // Every event of that cycle is earlier: start after its last one (the next cycle, or the end).
            try
            {
                tailer.moveToIndex(rollCycle.toIndex(cycle, count - 1));
                try (DocumentContext dc = tailer.readingDocument())
                {
                    probes++;
                }
            }
            catch (final RuntimeException | InternalError ex)
            {
                moveToCycle(cycle); // damaged: polling steps over it
            }
        }
        return probes;
    }

    /** The time field of the event at {@code index}, or Long.MIN_VALUE when there is none or it is unreadable. */
    private long timeAt(final long index)
    {
        try
        {
            return timeAt0(index);
        }
        catch (final RuntimeException | InternalError ex)
        {
            return Long.MIN_VALUE; // damaged: the search treats it as unknown
        }
    }

    private long timeAt0(final long index)
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
        fromCycle = Integer.MIN_VALUE;
        tailer.toStart();
    }

    /** Moves to the end: the next poll returns only events appended from now on. */
    public void toEnd()
    {
        fromCycle = queue.lastCycle();
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
        fromCycle = queue.rollCycle().toCycle(index);
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
            try
            {
                queue.close();
            }
            finally
            {
                headerless.close();
            }
        }
    }
}
