package dev.flowrec.query;

/**
 * What an answer may be missing: losses journaled inside the replayed window. Loss reports carry
 * cumulative counters per recorder run; a run's first report counts from zero.
 */
public final class Coverage
{
    long ringLostEvents;
    long ringLostPackets;
    long ringLostBytes;
    long journalLostEvents;
    long skippedEvents;

    public boolean complete()
    {
        return ringLostEvents == 0 && ringLostPackets == 0 && journalLostEvents == 0 && skippedEvents == 0;
    }

    public long ringLostEvents()
    {
        return ringLostEvents;
    }

    public long ringLostPackets()
    {
        return ringLostPackets;
    }

    public long ringLostBytes()
    {
        return ringLostBytes;
    }

    public long journalLostEvents()
    {
        return journalLostEvents;
    }

    public long skippedEvents()
    {
        return skippedEvents;
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
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }
}
