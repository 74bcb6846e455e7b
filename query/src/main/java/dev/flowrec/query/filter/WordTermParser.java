package dev.flowrec.query.filter;

import static dev.flowrec.query.filter.TokenCursor.isConnective;
import static dev.flowrec.query.filter.TokenCursor.isWord;
import static dev.flowrec.query.filter.TokenCursor.lower;
import static dev.flowrec.query.filter.TokenCursor.quote;

import dev.flowrec.journal.text.Protocols;

/**
 * The values of the terms that take one word: {@code proto NAME|N} (an IANA keyword), {@code family 4|6|inet|inet6},
 * {@code direction in|out}, {@code flags LETTERS}, {@code iface NAME} and {@code container ID|NAME}.
 */
final class WordTermParser
{
    private WordTermParser()
    {
    }

    static FlowFilter proto(final TokenCursor cursor)
    {
        final Token value = cursor.value();
        final String word = lower(value);
        // every IANA keyword (gre, esp, sctp, ...), as nfdump takes them
        final int proto = Counts.isDigits(word, 0, word.length()) && word.length() <= 3 ?
            Counts.parseSmall(word, 0, word.length()) : Protocols.number(word);
        if (proto < 0 || proto > 255)
        {
            throw cursor.error(cursor.blame(value), "expected a protocol name (tcp, udp, icmp, gre, esp, sctp, ...) or number from 0 to 255 " +
                "after 'proto', got " + cursor.describeValue(value));
        }
        return Terms.proto(proto);
    }

    static FlowFilter family(final TokenCursor cursor)
    {
        final Token value = cursor.value();
        final String word = lower(value);
        final int family = switch (word)
        {
            case "4", "inet" -> 4;
            case "6", "inet6" -> 6;
            default -> throw cursor.error(cursor.blame(value),
                "expected 4, 6, inet or inet6 after 'family', got " + cursor.describeValue(value));
        };
        return Terms.family(family);
    }

    static FlowFilter direction(final TokenCursor cursor)
    {
        final Token value = cursor.value();
        final String word = lower(value);
        if (!word.equals("in") && !word.equals("out"))
        {
            throw cursor.error(cursor.blame(value), "expected 'in' or 'out' after 'direction', got " +
                cursor.describeValue(value));
        }
        return Terms.direction(word.equals("in") ? 0 : 1);
    }

    static FlowFilter flags(final TokenCursor cursor)
    {
        final Token value = word(cursor, "TCP flag letters such as S or SA", "flags");
        int mask = 0;
        for (int i = 0; i < value.text().length(); i++)
        {
            final int bit = FlagsTerm.bit(value.text().charAt(i));
            if (bit == 0)
            {
                throw new FilterSyntaxException(value.start() + i + 1, Printable.quote(String.valueOf(value.text().charAt(i))) +
                    " is not a TCP flag: use letters from U A P R S F (and E, C) after 'flags'");
            }
            mask |= bit;
        }
        return new FlagsTerm(mask);
    }

    /** An interface or container name: any word but and/or/not, taken as written. */
    static String name(final TokenCursor cursor, final String what, final String field)
    {
        return word(cursor, what, field).text();
    }

    /** The value after field: any word but and/or/not. */
    private static Token word(final TokenCursor cursor, final String what, final String field)
    {
        final Token value = cursor.value();
        if (value == null || isConnective(value) || isWord(value, "not"))
        {
            throw cursor.error(cursor.blame(value), "expected " + what + " after " + quote(field) + ", got " +
                cursor.describeValue(value));
        }
        return value;
    }
}
