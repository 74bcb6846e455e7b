package dev.flowrec.journal.text;

import java.util.Locale;

/**
 * Byte sizes, one convention everywhere (options, the filter's {@code bytes} terms, tables, messages): binary.
 * As people type them: {@code 512}, {@code 64k}, {@code 100M}, {@code 20G}, where k, M, G, T are powers of 1024
 * (KiB, MiB, GiB, TiB, which are also accepted as suffixes); as printed for people: {@code 64.0 MiB}.
 */
public final class Sizes
{
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes()
    {
    }

    /**
     * For people: bytes below 1024 as {@code 512 B}, above with one decimal and a binary unit ({@code 64.0 MiB}); a
     * change below zero with its sign ({@code -4.9 KiB}).
     */
    public static String human(final long bytes)
    {
        if (bytes < 0)
        {
            return "-" + (bytes == Long.MIN_VALUE ? "8.0 EiB" : human(-bytes));
        }
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < UNITS.length - 1)
        {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[u]);
    }

    public static long parseBytes(final String text)
    {
        final String trimmed = text.trim();
        final boolean iec = trimmed.length() > 3 && trimmed.endsWith("iB") &&
            "KMGT".indexOf(Character.toUpperCase(trimmed.charAt(trimmed.length() - 3))) >= 0;
        final String s = iec ? trimmed.substring(0, trimmed.length() - 2) : trimmed; // 100MiB is 100M
        if (s.isEmpty())
        {
            throw new IllegalArgumentException("bad size '': expected a number with an optional k, M, G or T");
        }
        final char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        final int shift = switch (unit)
        {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        final String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        final double value;
        try
        {
            value = Double.parseDouble(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad size '" + text + "': expected a number with an optional k, M, G or T");
        }
        if (value < 0 || value * (1L << shift) > Long.MAX_VALUE)
        {
            throw new IllegalArgumentException("bad size '" + text + "': out of range");
        }
        return (long)(value * (1L << shift));
    }
}
