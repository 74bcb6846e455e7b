package dev.flowrec.query.cli;

import java.util.Locale;

/** Human units for tables: 1000-based for counts (k, M, G), 1024-based for bytes (KiB, MiB, GiB). */
final class Units
{
    private Units()
    {
    }

    static String count(final long n)
    {
        if (n < 10_000)
        {
            return Long.toString(n);
        }
        final String[] units = {"k", "M", "G", "T"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1)
        {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, units[u]);
    }

    static String bytes(final long n)
    {
        if (n < 1024)
        {
            return n + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1)
        {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
