package dev.flowrec.query.cli;

import java.util.Locale;

/** Human units for tables: 1000-based for counts (k, M, G), 1024-based for bytes (KiB, MiB, GiB). */
final class Units
{
    private static final String[] COUNT_UNITS = {"k", "M", "G", "T"};
    private static final String[] BYTE_UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB"};

    private Units()
    {
    }

    static String count(final long n)
    {
        return n < 10_000 ? Long.toString(n) : scaled(n, 1000, COUNT_UNITS, "");
    }

    static String bytes(final long n)
    {
        return n < 1024 ? n + " B" : scaled(n, 1024, BYTE_UNITS, " ");
    }

    /** n divided by base until it is below base (or the units run out), with one decimal and its unit. */
    private static String scaled(final long n, final int base, final String[] units, final String space)
    {
        double v = n;
        int u = -1;
        while (v >= base && u < units.length - 1)
        {
            v /= base;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f%s%s", v, space, units[u]);
    }
}
