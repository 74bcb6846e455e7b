package dev.flowrec.journal.text;

import java.util.concurrent.TimeUnit;

/**
 * Durations as people type them: {@code 500ms}, {@code 1s}, {@code 15m}, {@code 2h}, {@code 7d}; always with a unit,
 * since nothing says whether a bare {@code 7} meant seconds or days.
 */
public final class Durations
{
    private Durations()
    {
    }

    /** Parses a duration into nanoseconds; throws IllegalArgumentException naming the bad text. */
    public static long parseNs(final String text)
    {
        final String s = text.trim();
        int end = 0;
        while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.'))
        {
            end++;
        }
        if (end == 0)
        {
            throw new IllegalArgumentException("bad duration '" + text + "': expected a number with a unit, e.g. 500ms, 1s, 15m, 2h, 7d");
        }
        final double value;
        try
        {
            value = Double.parseDouble(s.substring(0, end));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad duration '" + text + "': " + s.substring(0, end) + " is not a number");
        }
        if (end == s.length())
        {
            throw new IllegalArgumentException("bad duration '" + text + "': a unit is required, e.g. " + s + "s, " + s + "m, "
                + s + "h or " + s + "d");
        }
        final long unitNs = switch (s.substring(end))
        {
            case "ns" -> 1L;
            case "us" -> TimeUnit.MICROSECONDS.toNanos(1);
            case "ms" -> TimeUnit.MILLISECONDS.toNanos(1);
            case "s" -> TimeUnit.SECONDS.toNanos(1);
            case "m" -> TimeUnit.MINUTES.toNanos(1);
            case "h" -> TimeUnit.HOURS.toNanos(1);
            case "d" -> TimeUnit.DAYS.toNanos(1);
            default -> throw new IllegalArgumentException("bad duration '" + text + "': unknown unit '" + s.substring(end)
                + "' (use ns, us, ms, s, m, h or d)");
        };
        final double ns = value * unitNs;
        if (ns > Long.MAX_VALUE)
        {
            throw new IllegalArgumentException("bad duration '" + text + "': too large");
        }
        return (long)ns;
    }
}
