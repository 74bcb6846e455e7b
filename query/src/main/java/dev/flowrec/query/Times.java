package dev.flowrec.query;
import dev.flowrec.journal.text.Durations;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Instants as people type them: ISO-8601 ({@code 2026-11-26T12:00:00Z}, with an offset, or without one
 * meaning UTC; a space instead of the T; a bare date), epoch seconds ({@code 1764158400}, fractions
 * allowed), relative to now ({@code -15m}, {@code -2h}, {@code now}).
 */
public final class Times
{
    private Times()
    {
    }

    /** What epoch nanoseconds in a long can hold: a time outside is named out of range, not misread. */
    static final String RANGE = "flowrec's times lie between 1970-01-01T00:00:00Z and 2262-04-11T23:47:16Z";

    /**
     * @return epoch nanoseconds; throws IllegalArgumentException naming the text as typed and the forms accepted,
     * or saying that it is out of range.
     */
    public static long parseNs(final String text, final long nowNs)
    {
        final String s = text.trim();
        if (s.equalsIgnoreCase("now"))
        {
            return nowNs;
        }
        if (s.startsWith("-") || s.startsWith("+"))
        {
            return relative(text, s, nowNs);
        }
        if (s.matches("\\d+(\\.\\d+)?"))
        {
            final double ns = Double.parseDouble(s) * 1_000_000_000d;
            if (ns >= Long.MAX_VALUE)
            {
                throw outOfRange(text);
            }
            return (long)ns;
        }
        final String iso = s.replace(' ', 'T');
        try
        {
            return toNs(text, OffsetDateTime.parse(iso).toInstant());
        }
        catch (final DateTimeParseException ignored)
        {
            // no offset: UTC, as everything flowrec prints
        }
        try
        {
            return toNs(text, LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC));
        }
        catch (final DateTimeParseException ignored)
        {
            // maybe a bare date
        }
        try
        {
            return toNs(text, LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC));
        }
        catch (final DateTimeParseException ex)
        {
            throw new IllegalArgumentException("bad time '" + text
                + "': expected ISO-8601 (2026-11-26T12:00:00Z), epoch seconds, or relative to now (-15m, -2h, now)");
        }
    }

    private static long relative(final String text, final String s, final long nowNs)
    {
        final long offset;
        try
        {
            offset = Durations.parseNs(s.substring(1));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("bad relative time '" + text.trim()
                + "': expected a sign and a duration with a unit (-15m, -2h, +30s)");
        }
        try
        {
            final long ns = s.charAt(0) == '-' ? Math.subtractExact(nowNs, offset) : Math.addExact(nowNs, offset);
            if (ns < 0)
            {
                throw outOfRange(text);
            }
            return ns;
        }
        catch (final ArithmeticException ex)
        {
            throw outOfRange(text);
        }
    }

    private static IllegalArgumentException outOfRange(final String text)
    {
        return new IllegalArgumentException("time '" + text.trim() + "' is out of range: " + RANGE);
    }

    private static long toNs(final String text, final Instant instant)
    {
        try
        {
            final long ns = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
            if (ns < 0)
            {
                throw outOfRange(text);
            }
            return ns;
        }
        catch (final ArithmeticException ex)
        {
            throw outOfRange(text);
        }
    }
}
