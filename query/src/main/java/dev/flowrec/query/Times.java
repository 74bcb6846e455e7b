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

    /** @return epoch nanoseconds; throws IllegalArgumentException naming the text and the forms accepted. */
    public static long parseNs(final String text, final long nowNs)
    {
        final String s = text.trim();
        if (s.equalsIgnoreCase("now"))
        {
            return nowNs;
        }
        if (s.startsWith("-") || s.startsWith("+"))
        {
            final long offset = Durations.parseNs(s.substring(1));
            return s.charAt(0) == '-' ? nowNs - offset : nowNs + offset;
        }
        if (s.matches("\\d+(\\.\\d+)?"))
        {
            return (long)(Double.parseDouble(s) * 1_000_000_000d);
        }
        final String iso = s.replace(' ', 'T');
        try
        {
            return toNs(OffsetDateTime.parse(iso).toInstant());
        }
        catch (final DateTimeParseException ignored)
        {
            // no offset: UTC, as everything flowrec prints
        }
        try
        {
            return toNs(LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC));
        }
        catch (final DateTimeParseException ignored)
        {
            // maybe a bare date
        }
        try
        {
            return toNs(LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC));
        }
        catch (final DateTimeParseException ex)
        {
            throw new IllegalArgumentException("bad time '" + text
                + "': expected ISO-8601 (2026-11-26T12:00:00Z), epoch seconds, or relative to now (-15m, -2h, now)");
        }
    }

    private static long toNs(final Instant instant)
    {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
