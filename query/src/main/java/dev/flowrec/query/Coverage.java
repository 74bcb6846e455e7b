package dev.flowrec.query;

import dev.flowrec.journal.UnreadableRange;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer may be missing: losses journaled inside the replayed window, and the parts of the window the
 * journal does not cover ({@link Gap}: before its start, hours retention deleted, time when no recorder ran, after
 * its end). Loss reports carry cumulative counters per recorder run; a run's first report counts from zero.
 *
 * @param checksumFailures journal events (a batch counts one) skipped because their bytes do not match their CRC32C
 * @param unreadableRanges the parts of a damaged journal the replay could not read and stepped over; empty when none
 * @param gaps             the parts of the window no recorder run covers, in order; empty when none
 */
public record Coverage(long ringLostEvents, long ringLostPackets, long ringLostBytes, long journalLostEvents,
    long skippedEvents, long checksumFailures, List<UnreadableRange> unreadableRanges, List<Gap> gaps)
{
    /** Losses and damage only: a window the journal covers whole. */
    public Coverage(final long ringLostEvents, final long ringLostPackets, final long ringLostBytes,
        final long journalLostEvents, final long skippedEvents, final long checksumFailures,
        final List<UnreadableRange> unreadableRanges)
    {
        this(ringLostEvents, ringLostPackets, ringLostBytes, journalLostEvents, skippedEvents, checksumFailures,
            unreadableRanges, List.of());
    }

    /** No checksum failures: a window the journal covers whole. */
    public Coverage(final long ringLostEvents, final long ringLostPackets, final long ringLostBytes,
        final long journalLostEvents, final long skippedEvents, final List<UnreadableRange> unreadableRanges)
    {
        this(ringLostEvents, ringLostPackets, ringLostBytes, journalLostEvents, skippedEvents, 0, unreadableRanges);
    }

    /** No checksum failures. */
    public Coverage(final long ringLostEvents, final long ringLostPackets, final long ringLostBytes,
        final long journalLostEvents, final long skippedEvents, final List<UnreadableRange> unreadableRanges,
        final List<Gap> gaps)
    {
        this(ringLostEvents, ringLostPackets, ringLostBytes, journalLostEvents, skippedEvents, 0, unreadableRanges, gaps);
    }

    public boolean complete()
    {
        return ringLostEvents == 0 && ringLostPackets == 0 && journalLostEvents == 0 && skippedEvents == 0 &&
            checksumFailures == 0 && unreadableRanges.isEmpty() && gaps.isEmpty();
    }

    /** The same losses, with the window's gaps. */
    public Coverage withGaps(final List<Gap> gaps)
    {
        return new Coverage(ringLostEvents, ringLostPackets, ringLostBytes, journalLostEvents, skippedEvents,
            checksumFailures, unreadableRanges, List.copyOf(gaps));
    }

    /** Two windows' coverage as one (diff): losses summed, ranges and gaps of both, each once. */
    public Coverage and(final Coverage other)
    {
        final List<UnreadableRange> ranges = new ArrayList<>(unreadableRanges);
        other.unreadableRanges.stream().filter(r -> !ranges.contains(r)).forEach(ranges::add);
        final List<Gap> both = new ArrayList<>(gaps);
        other.gaps.stream().filter(g -> !both.contains(g)).forEach(both::add);
        return new Coverage(ringLostEvents + other.ringLostEvents, ringLostPackets + other.ringLostPackets,
            ringLostBytes + other.ringLostBytes, journalLostEvents + other.journalLostEvents,
            Math.max(skippedEvents, other.skippedEvents), Math.max(checksumFailures, other.checksumFailures),
            List.copyOf(ranges), List.copyOf(both));
    }

    /** One sentence for a warning or a table footer. */
    public String describe()
    {
        if (complete())
        {
            return "complete: no loss journaled";
        }
        final StringBuilder sb = new StringBuilder("incomplete:");
        if (ringLostEvents != 0 || ringLostPackets != 0)
        {
            sb.append(" ring buffer full lost ").append(ringLostEvents).append(" deltas (")
                .append(ringLostPackets).append(" packets, ").append(ringLostBytes).append(" bytes);");
        }
        if (journalLostEvents != 0)
        {
            sb.append(" the recorder could not journal ").append(journalLostEvents).append(" events;");
        }
        if (skippedEvents != 0)
        {
            sb.append(" ").append(skippedEvents).append(" journal events unreadable by this version;");
        }
        if (checksumFailures != 0)
        {
            sb.append(" ").append(checksumFailures).append(" journal events failed their checksum (damaged, skipped);");
        }
        for (final UnreadableRange range : unreadableRanges)
        {
            sb.append(" ").append(range.describe()).append(';');
        }
        for (final Gap gap : gaps)
        {
            sb.append(" ").append(gap.describe()).append(';');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
