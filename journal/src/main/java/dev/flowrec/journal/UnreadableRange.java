package dev.flowrec.journal;

/**
 * A part of a journal a reader could not read and stepped over: a damaged document, the rest of a damaged
 * cycle file, or a whole cycle file.
 *
 * @param fromIndex the first unreadable Chronicle index
 * @param toIndex   the last unreadable index, or {@link #END_OF_CYCLE} when the cycle's length is unknown
 * @param file      the cycle file's name
 * @param reason    what was found, in words ("truncated to 150000 bytes", "zeroed or half-written header")
 */
public record UnreadableRange(long fromIndex, long toIndex, String file, String reason)
{
    public static final long END_OF_CYCLE = -1;

    /** "journal unreadable from index 0x... to 0x... (cycle file 20260101-01F.cq4: reason)". */
    public String describe()
    {
        return "journal unreadable from index 0x" + Long.toHexString(fromIndex) + " to " +
            (toIndex == END_OF_CYCLE ? "the end of its cycle" : "0x" + Long.toHexString(toIndex)) +
            " (cycle file " + file + ": " + reason + ")";
    }
}
