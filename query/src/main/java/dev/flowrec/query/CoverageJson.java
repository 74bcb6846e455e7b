package dev.flowrec.query;

import dev.flowrec.journal.text.JsonText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * A {@link Coverage} as JSON, the same keys wherever it is written (export metadata {@code flowrec.coverage}, the
 * {@code coverage} line of {@code query --format json}): {@code complete}, {@code describe}, the loss counters, then
 * {@code gaps}, each {@code {"start","end","kind","adopted"}} with ISO-8601 UTC times (null for an open side).
 */
public final class CoverageJson
{
    private static final DateTimeFormatter ISO_NANOS = new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
        .appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);

    private CoverageJson()
    {
    }

    /** Appends the coverage's fields, comma-separated, without braces: a caller may put its own keys first. */
    public static StringBuilder appendFields(final StringBuilder sb, final Coverage c)
    {
        sb.append("\"complete\":").append(c.complete()).append(",\"describe\":");
        JsonText.quote(sb, c.describe());
        sb.append(",\"ring_lost_events\":").append(c.ringLostEvents())
            .append(",\"ring_lost_packets\":").append(c.ringLostPackets())
            .append(",\"ring_lost_bytes\":").append(c.ringLostBytes())
            .append(",\"journal_lost_events\":").append(c.journalLostEvents())
            .append(",\"skipped_events\":").append(c.skippedEvents())
            .append(",\"gaps\":[");
        for (int i = 0; i < c.gaps().size(); i++)
        {
            final Gap g = c.gaps().get(i);
            sb.append(i == 0 ? "{" : ",{").append("\"start\":");
            time(sb, g.startNs(), Long.MIN_VALUE);
            sb.append(",\"end\":");
            time(sb, g.endNs(), Long.MAX_VALUE);
            sb.append(",\"kind\":\"").append(g.kind().key()).append("\",\"adopted\":").append(g.adopted()).append('}');
        }
        return sb.append(']');
    }

    /** {@code {"complete":...,"gaps":[...]}}. */
    public static String object(final Coverage c)
    {
        return appendFields(new StringBuilder("{"), c).append('}').toString();
    }

    private static void time(final StringBuilder sb, final long epochNs, final long open)
    {
        if (epochNs == open)
        {
            sb.append("null");
        }
        else
        {
            sb.append('"').append(ISO_NANOS.format(Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L),
                Math.floorMod(epochNs, 1_000_000_000L)))).append('"');
        }
    }
}
