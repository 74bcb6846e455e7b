package dev.flowrec.query;

import dev.flowrec.journal.UnreadableRange;
import java.util.List;

/**
 * What an answer may be missing: losses journaled inside the replayed window. Loss reports carry
 * cumulative counters per recorder run; a run's first report counts from zero.
 *
 * @param checksumFailures journal events (a batch counts one) skipped because their bytes do not match their CRC32C
 * @param unreadableRanges the parts of a damaged journal the replay could not read and stepped over; empty when none
 */
public record Coverage(long ringLostEvents, long ringLostPackets, long ringLostBytes, long journalLostEvents,
    long skippedEvents, long checksumFailures, List<UnreadableRange> unreadableRanges)
{
    public boolean complete()
    {
        return ringLostEvents == 0 && ringLostPackets == 0 && journalLostEvents == 0 && skippedEvents == 0 &&
            checksumFailures == 0 && unreadableRanges.isEmpty();
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
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
