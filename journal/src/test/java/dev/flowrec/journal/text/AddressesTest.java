package dev.flowrec.journal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AddressesTest
{
    @Test
    void shouldFormatAnAddressHeldAsTwoBigEndianHalves()
    {
        assertEquals("10.1.2.3", Addresses.format(0L, 0x0000_FFFF_0A01_0203L, 4));
        assertEquals("2001:db8::1", Addresses.format(0x2001_0DB8_0000_0000L, 1L, 6));
    }
}
