package dev.flowrec.query;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimesTest
{
    private static final long NOW_NS = 1_764_158_400_000_000_000L; // 2025-11-26T12:00:00Z

    @Test
    void shouldReadEveryFormAsTheSameInstant()
    {
        assertEquals(NOW_NS, Times.parseNs("2025-11-26T12:00:00Z", 0));
        assertEquals(NOW_NS, Times.parseNs("2025-11-26 12:00:00", 0));
        assertEquals(NOW_NS, Times.parseNs("1764158400", 0));
        assertEquals(NOW_NS - 900_000_000_000L, Times.parseNs("-15m", NOW_NS));
        assertEquals(NOW_NS + 30_000_000_000L, Times.parseNs("+30s", NOW_NS));
        assertEquals(NOW_NS, Times.parseNs("now", NOW_NS));
    }

    @Test
    void shouldNameATimeOutOfRangeAsSuch()
    {
        for (final String text : new String[] {"99999999999999999999", "9999999999.5", "3000-01-01", "1960-01-01T00:00:00Z",
            "-100000d"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Times.parseNs(text, NOW_NS));
            assertEquals("time '" + text + "' is out of range: " + Times.RANGE, ex.getMessage());
        }
    }

    @Test
    void shouldKeepTheSignOfABadRelativeTimeInItsError()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Times.parseNs("-5x", NOW_NS));
        assertEquals("bad relative time '-5x': expected a sign and a duration with a unit (-15m, -2h, +30s)", ex.getMessage());
    }
}
