package dev.flowrec.journal;

import dev.flowrec.journal.schema.MessageHeader;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Finds where a time window starts: a binary search on every event's first field (its time) over the roll
 * cycles and within one, so that finding a window costs a few dozen reads whatever the journal's length.
 * Apart from the reader because it reads documents in its own way (the time field alone, no delivery) and
 * must survive damage it lands on: an unreadable event counts as unknown time, a damaged index as "read the
 * whole cycle", and polling steps over the damage afterwards.
 */
final class TimeSeek
{
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final int prefixLength;
    private int probes;
    private int cycle = Integer.MIN_VALUE;

    TimeSeek(final SingleChronicleQueue queue, final ExcerptTailer tailer, final int prefixLength)
    {
        this.queue = queue;
        this.tailer = tailer;
        this.prefixLength = prefixLength;
    }

    /** The cycle the last seek landed in; Integer.MIN_VALUE when it went to the start. */
    int cycle()
    {
        return cycle;
    }

    /**
     * Positions the tailer at about the first event whose time is at or after {@code timeNs}.
     *
     * @return documents read to find the place.
     */
    int seek(final long timeNs)
    {
        cycle = Integer.MIN_VALUE;
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
        for (final Long candidate : queue.listCyclesBetween(first, last).descendingSet())
        {
            final long t = timeAt(rollCycle.toIndex(candidate.intValue(), 0));
            if (t != Long.MIN_VALUE && t <= timeNs)
            {
                chosen = candidate;
                break;
            }
        }
        if (chosen == null)
        {
            tailer.toStart();
            return probes;
        }
        cycle = chosen.intValue();
        final long count = TailerMoves.excerptsInCycle(tailer, cycle);
        if (count < 0)
        {
            TailerMoves.moveToCycle(tailer, cycle); // its index is damaged: read the whole cycle, polling steps over the damage
            return probes;
        }
        final long lo = firstAtOrAfter(rollCycle, count, timeNs);
        if (lo < count)
        {
            TailerMoves.moveTo(tailer, rollCycle.toIndex(cycle, lo));
        }
        else
        {
            afterLast(rollCycle, count);
        }
        return probes;
    }

    /** Binary search within the cycle: the sequence number of the first event at or after {@code timeNs}. */
    private long firstAtOrAfter(final RollCycle rollCycle, final long count, final long timeNs)
    {
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
        return lo;
    }

    /** Every event of the cycle is earlier: start after its last one (the next cycle, or the end). */
    private void afterLast(final RollCycle rollCycle, final long count)
    {
        try
        {
            tailer.moveToIndex(rollCycle.toIndex(cycle, count - 1));
            try (DocumentContext dc = tailer.readingDocument())
            {
                probes++;
            }
        }
        catch (final Exception | InternalError ex)
        {
            TailerMoves.moveToCycle(tailer, cycle); // damaged: polling steps over it
        }
    }

    /** The time field of the event at {@code index}, or Long.MIN_VALUE when there is none or it is unreadable. */
    private long timeAt(final long index)
    {
        try
        {
            return timeAt0(index);
        }
        catch (final Exception | InternalError ex)
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
}
