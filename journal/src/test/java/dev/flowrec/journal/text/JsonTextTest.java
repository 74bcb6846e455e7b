package dev.flowrec.journal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonTextTest
{
    private static String quoted(final String s)
    {
        final StringBuilder sb = new StringBuilder();
        JsonText.quote(sb, s);
        return sb.toString();
    }

    @Test
    void shouldEscapeQuoteBackslashAndControlCharacters()
    {
        assertEquals("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001\\u001f\"", quoted("a\"b\\c\nd\re\tf\u0001\u001f"));
    }

    @Test
    void shouldEscapeLoneSurrogatesAndKeepPairs()
    {
        assertEquals("\"\\ud800x\\udc00\"", quoted("\ud800x\udc00"));
        assertEquals("\"\ud83d\ude00\"", quoted("\ud83d\ude00"));
    }
}
