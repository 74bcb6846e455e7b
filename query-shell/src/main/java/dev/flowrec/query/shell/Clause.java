package dev.flowrec.query.shell;

import java.util.Locale;

/**
 * A clause of a shell query: a keyword and its value, in any order after the command's own arguments
 * ({@code top 10 src_addr by bytes where proto tcp since -1h}). The keywords are words the filter language never
 * uses, so a clause keyword ends a {@code where} filter unless the filter is waiting for a value there.
 */
enum Clause
{
    WHERE("where", "EXPR", "only the flows that match the filter, e.g. 'proto tcp and dst port 443'"),
    BY("by", "bytes|packets|flows", "what 'top' ranks by and groups are sorted by (default bytes)"),
    TOP("top", "N", "keep the N largest rows (per time bucket)"),
    SINCE("since", "T", "from this time: ISO-8601, epoch seconds, or relative (-15m, -2h)"),
    UNTIL("until", "T", "up to (not including) this time; same forms as since");

    final String keyword;
    final String label;
    final String description;

    Clause(final String keyword, final String label, final String description)
    {
        this.keyword = keyword;
        this.label = label;
        this.description = description;
    }

    /** The clause a word starts, or null. */
    static Clause of(final String word)
    {
        final String lower = word.toLowerCase(Locale.ROOT);
        for (final Clause clause : values())
        {
            if (clause.keyword.equals(lower))
            {
                return clause;
            }
        }
        return null;
    }

    String usage()
    {
        return "[" + keyword + " " + label + "]";
    }
}
