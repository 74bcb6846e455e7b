package dev.flowrec.journal;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads a damaged journal (a truncated, zeroed or overwritten cycle file, a header left half-written in a cycle
 * that is not the last) around its damage: when a reader finds nothing, or Chronicle fails, where there should be
 * a document, it steps to the next indexed document of the cycle, else to the next cycle, and records what it
 * stepped over as {@link UnreadableRange}s, together with the {@link HeaderlessCycles} it was kept away from.
 * Apart from the reader's read path because it runs only on damage and must tell damage from a live writer's
 * end of the journal. See journal/CORRUPTION.md for what Chronicle does in each case.
 */
final class DamageRecovery
{
    /** Chronicle grows a cycle file a chunk ahead of its writer: a file ending this close after the last document was cut. */
    private static final long TRUNCATION_SLACK_BYTES = 64;
    /** Smaller than a cycle file's header and index: cut. */
    private static final long MIN_CYCLE_FILE_BYTES = 4096;
    /** How often a reader that finds nothing looks for the writer's new cycles in a journal with headerless ones. */
    private static final long REFRESH_INTERVAL_MS = 500;

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final HeaderlessCycles headerless;
    private final DocumentReader documents;
    private final List<UnreadableRange> unreadable = new ArrayList<>();
    /** The first cycle the reader's position may have started in (seeks move it); headerless cycles before it are not its concern. */
    private int fromCycle = Integer.MIN_VALUE;
    private boolean reachedEnd;
    private long nextRefreshMs;
    private long checkedStuck = -1;
    /** Where the reader found nothing while a later document existed: found nothing there once more, it is damage. */
    private long suspect = -1;
    private long nextCheckMs;

    DamageRecovery(final Path dir, final SingleChronicleQueue queue, final ExcerptTailer tailer,
        final HeaderlessCycles headerless, final DocumentReader documents)
    {
        this.dir = dir;
        this.queue = queue;
        this.tailer = tailer;
        this.headerless = headerless;
        this.documents = documents;
    }

    /** The reader moved: headerless cycles before {@code cycle} (Integer.MIN_VALUE: none) are not its concern. */
    void readFrom(final int cycle)
    {
        fromCycle = cycle;
    }

    /**
     * After a poll that read {@code read} events of {@code limit}: a follower of a damaged journal still sees the
     * writer's new cycles.
     */
    void polled(final int read, final int limit)
    {
        reachedEnd = read < limit;
        if (read == 0 && System.currentTimeMillis() >= nextRefreshMs)
        {
            nextRefreshMs = System.currentTimeMillis() + REFRESH_INTERVAL_MS;
            headerless.refresh();
        }
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
    boolean recover(final long stuck, final String failure)
    {
        try
        {
            return recoverAt(stuck, failure);
        }
        catch (final Exception | InternalError ex)
        {
            // Chronicle's own position is broken (a damaged index or header gave it an index no cycle has): stop here.
            final UnreadableRange range = new UnreadableRange(stuck, UnreadableRange.END_OF_CYCLE, currentFileName(),
                "cannot step over damage: " + JournalException.firstLine(ex));
            if (unreadable.isEmpty() || !unreadable.getLast().equals(range))
            {
                unreadable.add(range); // once, however often a follower polls here
            }
            return false;
        }
    }

    /** Chronicle sent the reader back from {@code stuck} to an earlier cycle: recorded once, however often it polls. */
    void sentBack(final long stuck, final String reason)
    {
        final UnreadableRange range = new UnreadableRange(stuck, UnreadableRange.END_OF_CYCLE, currentFileName(), reason);
        if (unreadable.isEmpty() || !unreadable.getLast().equals(range))
        {
            unreadable.add(range);
        }
    }

    private boolean recoverAt(final long stuck, final String failure)
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
        if (failure == null && truncation == null && cycle >= lastCycle && stuck != suspect)
        {
            // A cycle read from (its header is whole) with bytes after the last document read: written after, or damage?
            if (documents.endOfLastRead(cycle) > 0 && documents.bytesAfterLastRead(cycle) && writtenAfter(stuck))
            {
                suspect = stuck;
                return true; // read there once more: if it is still not there, it is damage
            }
            return false; // the end for now: in the newest cycle a half-written header is a live writer's
        }
        final long count = TailerMoves.excerptsInCycle(tailer, cycle); // acquires the cycle's store: only once damage is certain
        final String reason = failure != null ? failure : truncation != null ? truncation :
            "zeroed, overwritten or half-written document header";
        final int spacing = Math.max(1, rollCycle.defaultIndexSpacing());
        for (long s = (seq / spacing + 1) * spacing; s < count; s += spacing)
        {
            final long index = rollCycle.toIndex(cycle, s);
            if (TailerMoves.moveTo(tailer, index))
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
            TailerMoves.moveTo(tailer, from); // stay: a live writer may yet complete the document
            return false;
        }
        for (final int next : cyclesBetween(cycle + 1, lastCycle))
        {
            if (TailerMoves.moveToCycle(tailer, next))
            {
                return true;
            }
            unreadable.add(new UnreadableRange(rollCycle.toIndex(next, 0), UnreadableRange.END_OF_CYCLE,
                fileName(next), "cannot open the cycle file"));
        }
        return false;
    }

    /**
     * The cycles whose files exist in [from, to], in order. Not Chronicle's listCyclesBetween: it throws unless a
     * file exists for {@code from} itself, and after a gap in the cycles (hours without a writer, a clock set back
     * past a cycle dated ahead) none does.
     */
    private int[] cyclesBetween(final int from, final int to)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString())
                .filter(name -> name.endsWith(JournalPaths.CYCLE_FILE_SUFFIX))
                .mapToInt(this::cycleOfOrMinusOne)
                .filter(c -> c >= from && c <= to)
                .sorted()
                .toArray();
        }
        catch (final IOException ex)
        {
            return new int[0];
        }
    }

    private int cycleOfOrMinusOne(final String fileName)
    {
        try
        {
            return JournalPaths.cycleOf(queue.rollCycle(), fileName);
        }
        catch (final DateTimeException ex)
        {
            return -1; // not a cycle file of this roll cycle
        }
    }

    /**
     * Whether the journal holds a document after {@code stuck}: then what stops the reader there is not a live writer's
     * document in progress (one writer completes its documents in order) but damage, e.g. a header flipped to "not
     * complete" — if a read there after this answer still finds nothing (the writer may have completed it and others
     * since the reader looked). Asked once per place a reader stops at, then at most every
     * {@link #REFRESH_INTERVAL_MS}, as a follower at the end polls often.
     */
    private boolean writtenAfter(final long stuck)
    {
        final long nowMs = System.currentTimeMillis();
        if (stuck == checkedStuck && nowMs < nextCheckMs)
        {
            return false;
        }
        checkedStuck = stuck;
        nextCheckMs = nowMs + REFRESH_INTERVAL_MS;
        try
        {
            return queue.lastIndex() > stuck;
        }
        catch (final Exception | InternalError ex)
        {
            return false;
        }
    }

    /** "truncated to N bytes" when the cycle file ends before the document after the last one read; else null. */
    private String truncation(final int cycle)
    {
        try
        {
            final long size = documents.fileSize(cycle);
            if (size < 0)
            {
                return null;
            }
            final long after = documents.endOfLastRead(cycle);
            return size < after + TRUNCATION_SLACK_BYTES || size < MIN_CYCLE_FILE_BYTES ? "truncated to " + size + " bytes" : null;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private String currentFileName()
    {
        try
        {
            return fileName(tailer.cycle());
        }
        catch (final RuntimeException ex)
        {
            return "unknown";
        }
    }

    private String fileName(final int cycle)
    {
        return JournalPaths.cycleFileName(queue.rollCycle(), cycle);
    }

    /** What the reader stepped over because it was damaged, in journal order; empty for an intact journal. */
    List<UnreadableRange> unreadableRanges()
    {
        final List<UnreadableRange> ranges = new ArrayList<>(unreadable);
        final RollCycle rollCycle = queue.rollCycle();
        for (final Map.Entry<String, Long> cycleFile : headerless.headerless().entrySet())
        {
            final String name = cycleFile.getKey();
            final int cycle = JournalPaths.cycleOf(rollCycle, name);
            if (cycle >= fromCycle && (cycle < tailer.cycle() || reachedEnd))
            {
                ranges.add(new UnreadableRange(rollCycle.toIndex(cycle, 0), UnreadableRange.END_OF_CYCLE, name,
                    "cut to " + cycleFile.getValue() + " bytes, before its header"));
            }
        }
        ranges.sort(Comparator.comparingLong(UnreadableRange::fromIndex));
        return List.copyOf(ranges);
    }
}
