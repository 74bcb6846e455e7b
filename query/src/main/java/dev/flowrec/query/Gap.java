package dev.flowrec.query;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * A part of a time window that the journal does not cover, [start, end) in epoch ns; an open side is
 * {@link Long#MIN_VALUE} or {@link Long#MAX_VALUE} (the window itself is open there).
 *
 * @param kind    why nothing is there
 * @param adopted for a {@link Kind#CRASH} gap: the next run adopted the dead run's pinned kernel state, so what its
 *                filters counted while no recorder ran was journaled at the restart
 * @param atNs    the instant the words name: the journal's start, or the last run's end (stop or last event)
 * @param crashed the run before the gap ended without a stop (always for {@link Kind#CRASH})
 */
public record Gap(long startNs, long endNs, Kind kind, boolean adopted, long atNs, boolean crashed)
{
    /** Why a part of a window is not covered; {@link #key} is the JSON value. */
    public enum Kind
    {
        /** Before the journal's first recorder run started. */
        BEFORE_JOURNAL("before_journal"),
        /** Hours whose cycle files retention deleted. */
        RETENTION("retention"),
        /** After a clean stop, until the next start. */
        NOT_RECORDED("not_recorded"),
        /** After a run that ended without a stop (its last event), until the next start. */
        CRASH("crash"),
        /** After the last run's end, no recorder running. */
        AFTER_JOURNAL("after_journal");

        private final String key;

        Kind(final String key)
        {
            this.key = key;
        }

        public String key()
        {
            return key;
        }
    }

    /** UTC, milliseconds: the words of a coverage line. */
    private static final DateTimeFormatter WORDS = new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
        .appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);

    /** The gap's part of [sinceNs, untilNs), or null when it has none. */
    Gap clip(final long sinceNs, final long untilNs)
    {
        final long start = Math.max(startNs, sinceNs);
        final long end = Math.min(endNs, untilNs);
        return start < end ? new Gap(start, end, kind, adopted, atNs, crashed) : null;
    }

    /** A phrase of a coverage line: "not recorded 2026-11-26T12:00:00.000Z .. 2026-11-26T12:05:00.000Z (recorder stopped)". */
    public String describe()
    {
        return switch (kind)
        {
            case BEFORE_JOURNAL -> "journal starts at " + time(atNs);
            case RETENTION -> "hours deleted by retention: " + span();
            case NOT_RECORDED -> "not recorded " + span() + " (recorder stopped)";
            case CRASH -> adopted ?
                "recorder crashed " + span() + ", downtime adopted (the kernel kept counting; journaled at restart)" :
                "recorder crashed: not recorded " + span();
            case AFTER_JOURNAL -> "no recorder after " + time(atNs) + (crashed ? " (crashed)" : " (stopped)");
        };
    }

    private String span()
    {
        return time(startNs) + " .. " + time(endNs);
    }

    static String time(final long epochNs)
    {
        return WORDS.format(Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L)));
    }
}
