package dev.flowrec.query.cli;

import dev.flowrec.journal.text.Sizes;

/**
 * Human units for tables, one convention: bytes in binary units (KiB, MiB, GiB: powers of 1024, as every size
 * flowrec parses), packets and flows as exact counts.
 */
final class Units
{
    /** What a table's footer says of its units when it has a bytes column. */
    static final String LEGEND = "bytes in KiB/MiB/GiB (powers of 1024); packets and flows exact";

    private Units()
    {
    }

    static String count(final long n)
    {
        return Long.toString(n);
    }

    static String bytes(final long n)
    {
        return Sizes.human(n);
    }
}
