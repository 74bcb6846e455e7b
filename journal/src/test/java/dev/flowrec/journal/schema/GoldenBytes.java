package dev.flowrec.journal.schema;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Annotated hex ("52 46  # schemaId") to bytes, and a comparison that names the first differing offset. */
final class GoldenBytes
{
    private GoldenBytes()
    {
    }

    static byte[] parse(final String annotated)
    {
        final StringBuilder hex = new StringBuilder();
        for (final String line : annotated.split("\n"))
        {
            final int hash = line.indexOf('#');
            hex.append((hash >= 0 ? line.substring(0, hash) : line).replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(hex);
    }

    static void assertBytes(final byte[] expected, final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] actual = new byte[length];
        buffer.getBytes(offset, actual);
        for (int i = 0; i < Math.min(expected.length, length); i++)
        {
            final int index = i;
            assertEquals(expected[i], actual[i], () -> "byte at offset " + index + ": expected " +
                HexFormat.of().toHexDigits(expected[index]) + " got " + HexFormat.of().toHexDigits(actual[index]) +
                "\n" + HexFormat.ofDelimiter(" ").formatHex(actual));
        }
        assertEquals(expected.length, length, "encoded length");
    }
}
