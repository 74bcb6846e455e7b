package dev.flowrec.journal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** One convention for units: sizes binary in and out, durations always with a unit. */
class UnitsTest
{
    @Test
    void shouldReadSizeSuffixesAsPowersOf1024()
    {
        assertEquals(512, Sizes.parseBytes("512"));
        assertEquals(64L << 10, Sizes.parseBytes("64k"));
        assertEquals(100L << 20, Sizes.parseBytes("100M"));
        assertEquals(100L << 20, Sizes.parseBytes("100MiB"));
        assertEquals(20L << 30, Sizes.parseBytes("20G"));
        assertEquals(3L << 39, Sizes.parseBytes("1.5T"));
    }

    @Test
    void shouldPrintSizesForPeopleInBinaryUnits()
    {
        assertEquals("1023 B", Sizes.human(1023));
        assertEquals("1.0 KiB", Sizes.human(1024));
        assertEquals("64.0 MiB", Sizes.human(64L << 20));
        assertEquals("100.0 MiB", Sizes.human(Sizes.parseBytes("100M")));
        assertEquals("1.5 GiB", Sizes.human(3L << 29));
    }

    @Test
    void shouldRefuseADurationWithoutAUnit()
    {
        final IllegalArgumentException bare = assertThrows(IllegalArgumentException.class, () -> Durations.parseNs("7"));
        assertEquals("bad duration '7': a unit is required, e.g. 7s, 7m, 7h or 7d", bare.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Durations.parseNs("0"));
        assertEquals(7L * 86_400_000_000_000L, Durations.parseNs("7d"));
        assertEquals(1_500_000_000L, Durations.parseNs("1.5s"));
        assertEquals(500_000_000L, Durations.parseNs("500ms"));
    }
}
