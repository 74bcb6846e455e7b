package dev.flowrec.journal;

import net.openhft.chronicle.queue.ExcerptTailer;

/**
 * A tailer's moves on a journal that may be damaged: Chronicle throws where an index or a header is broken (an
 * InternalError for a read past the end of a truncated mapped file), and a reader treats each such failure as
 * "not there" and steps on, so seeking and recovery share these instead of each catching them.
 */
final class TailerMoves
{
    private TailerMoves()
    {
    }

    /** @return whether the tailer now stands at {@code index}. */
    static boolean moveTo(final ExcerptTailer tailer, final long index)
    {
        try
        {
            return tailer.moveToIndex(index);
        }
        catch (final Exception | InternalError ex)
        {
            return false;
        }
    }

    /** @return whether the tailer now stands at the start of {@code cycle}. */
    static boolean moveToCycle(final ExcerptTailer tailer, final int cycle)
    {
        try
        {
            return tailer.moveToCycle(cycle) && tailer.cycle() == cycle;
        }
        catch (final Exception | InternalError ex)
        {
            return false;
        }
    }

    /** Documents in the cycle by its index, -1 when the index is unreadable. */
    static long excerptsInCycle(final ExcerptTailer tailer, final int cycle)
    {
        try
        {
            return tailer.excerptsInCycle(cycle);
        }
        catch (final Exception | InternalError ex)
        {
            return -1;
        }
    }
}
