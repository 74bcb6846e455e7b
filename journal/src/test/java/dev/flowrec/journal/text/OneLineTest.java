package dev.flowrec.journal.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class OneLineTest
{
    @Test
    void shouldReturnPlainTextItself()
    {
        final String plain = "eth0 → web-1 ✓ 日本 😀";
        assertSame(plain, OneLine.of(plain), "nothing to escape: no copy");
    }

    @Test
    void shouldEscapeWhatATerminalWouldInterpret()
    {
        assertEquals("\\u001b[31mred\\u001b[0m", OneLine.of("\u001b[31mred\u001b[0m"), "ESC: colours, cursor moves, titles");
        assertEquals("a\\u0007b\\u0000c\\u007fd", OneLine.of("a\u0007b\u0000c\u007fd"), "BEL, NUL, DEL");
        assertEquals("\\u009b2J", OneLine.of("\u009b2J"), "C1 CSI, which some terminals act on");
        assertEquals("x\\ny\\rz\\tw", OneLine.of("x\ny\rz\tw"), "line breaks and tabs keep the line one line");
        assertEquals("abc\\u202egpj.exe", OneLine.of("abc\u202egpj.exe"), "a right-to-left override hides what it follows");
        assertEquals("a\\u200bb\\u2028c", OneLine.of("a\u200bb\u2028c"), "zero-width space, line separator");
        assertEquals("\\ud800x", OneLine.of("\ud800x"), "a lone surrogate");
        assertEquals("\\U000e0001", OneLine.of(new String(Character.toChars(0xE0001))), "a supplementary format character");
    }
}
