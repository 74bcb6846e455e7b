package dev.flowrec.query.filter;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterLexerTest
{
    private static String kinds(final String text)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Token token : FilterLexer.tokens(text))
        {
            sb.append(sb.isEmpty() ? "" : " ").append(token.kind()).append(':').append(token.text());
        }
        return sb.toString();
    }

    @Test
    void shouldClassifyEveryKindOfToken()
    {
        assertEquals("KEYWORD:src FIELD:net ADDRESS:10.0.0.0/8 KEYWORD:and KEYWORD:not PAREN:( FIELD:port OPERATOR:>= NUMBER:1024 " +
            "KEYWORD:or FIELD:bytes OPERATOR:> NUMBER:1.5M PAREN:) FIELD:iface WORD:eth0 FIELD:ip ADDRESS:2001:db8::1 " +
            "FIELD:portrange NUMBER:1-1023 OPERATOR:! KEYWORD:TCP OPERATOR:&& FIELD:flags WORD:SA OPERATOR:|| FIELD:direction KEYWORD:in",
            kinds("src net 10.0.0.0/8 and not (port>=1024 or bytes > 1.5M) iface eth0 ip 2001:db8::1 portrange 1-1023 !TCP&&flags SA||direction in"));
    }

    @Test
    void shouldMarkCharactersThatCanNeverBePartOfAFilter()
    {
        assertEquals("KEYWORD:tcp ERROR:& KEYWORD:udp ERROR:| ERROR:\u0000 WORD:x", kinds("tcp & udp | \u0000x"));
        assertEquals("OPERATOR:!= OPERATOR:== OPERATOR:<= OPERATOR:<=", kinds("!===<=<="));
    }

    @Test
    void shouldGiveOffsetsIntoTheText()
    {
        final List<Token> tokens = FilterLexer.tokens("  port  80 ");
        assertEquals(new Token(Token.Kind.FIELD, 2, 6, "port"), tokens.get(0));
        assertEquals(new Token(Token.Kind.NUMBER, 8, 10, "80"), tokens.get(1));
    }

    @Test
    void shouldNeverThrowAndCoverEveryNonBlankCharacter()
    {
        assertTrue(FilterLexer.tokens(null).isEmpty());
        final String text = "ip\u00A0::1\uD83D\uDE00(\uDC00)é\u2028x";
        final List<Token> tokens = FilterLexer.tokens(text);
        int covered = 0;
        for (final Token token : tokens)
        {
            assertEquals(text.substring(token.start(), token.end()), token.text());
            covered += token.end() - token.start();
        }
        assertEquals(text.length() - 2, covered, "all but the no-break space and the line separator: " + tokens);
    }
}
