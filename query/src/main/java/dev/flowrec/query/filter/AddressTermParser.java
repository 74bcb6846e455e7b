package dev.flowrec.query.filter;

import static dev.flowrec.query.filter.TokenCursor.describe;
import static dev.flowrec.query.filter.TokenCursor.isWord;
import static dev.flowrec.query.filter.TokenCursor.quote;

/** The values of {@code ip ADDR}, {@code host ADDR}, {@code net ADDR/N} and {@code net ADDR mask NETMASK}. */
final class AddressTermParser
{
    private AddressTermParser()
    {
    }

    /** @param spelled the term as written so far ({@code src ip}), for the message */
    static FlowFilter host(final TokenCursor cursor, final Side side, final String spelled)
    {
        final Token value = cursor.value();
        final long[] halves = new long[2];
        final int family = value == null ? 0 : AddressText.parse(value.text(), halves);
        if (family == 0)
        {
            final String hint = value != null && value.kind() == Token.Kind.ADDRESS ? " (use 'net' for a prefix)" :
                value != null && value.kind() == Token.Kind.WORD && looksLikeName(value.text()) ? " (names are not resolved)" : "";
            throw cursor.error(cursor.blame(value), "expected an IPv4 or IPv6 address after " + quote(spelled) + ", got " +
                cursor.describeValue(value) + hint);
        }
        return new AddressTerm(side, family, halves[0], halves[1], 128, true);
    }

    /** @param spelled the term as written so far ({@code dst net}), for the message */
    static FlowFilter net(final TokenCursor cursor, final Side side, final String spelled)
    {
        final Token value = cursor.value();
        final String expected = "expected a prefix such as 10.0.0.0/8 or 2001:db8::/32 after " + quote(spelled) + ", got ";
        if (value == null)
        {
            throw cursor.error(cursor.peek(), expected + describe(cursor.peek()));
        }
        final String text = value.text();
        final int slash = text.lastIndexOf('/');
        final long[] halves = new long[2];
        final int family = AddressText.parse(slash < 0 ? text : text.substring(0, slash), halves);
        if (family == 0)
        {
            throw cursor.error(value, expected + describe(value));
        }
        final boolean dotted = text.indexOf(':') < 0;
        if (slash < 0)
        {
            if (!dotted || !isWord(cursor.peek(), "mask"))
            {
                throw cursor.error(value, expected + describe(value) + " (add the prefix length" +
                    (dotted ? ", or 'mask' and a netmask)" : ")"));
            }
            cursor.skip();
            return new AddressTerm(side, 4, halves[0], halves[1], 96 + netmask(cursor), false);
        }
        final int bits = Counts.parseSmall(text, slash + 1, text.length());
        final int max = dotted ? 32 : 128;
        if (bits < 0 || bits > max)
        {
            throw new FilterSyntaxException(value.start() + slash + 2, "expected a prefix length from 0 to " + max +
                " after '/', got " + Printable.quote(text.substring(slash + 1)));
        }
        if (dotted)
        {
            return new AddressTerm(side, 4, halves[0], halves[1], 96 + bits, false);
        }
        return new AddressTerm(side, family == 4 && bits >= 96 ? 4 : 6, halves[0], halves[1], bits, false);
    }

    /** The prefix length of the netmask after 'mask', which must be contiguous. */
    private static int netmask(final TokenCursor cursor)
    {
        final Token value = cursor.value();
        final long mask = value == null || value.text().indexOf(':') >= 0 ? -1 :
            AddressText.parseV4(value.text(), 0, value.text().length());
        final int bits = mask < 0 ? -1 : Long.numberOfLeadingZeros(~mask & 0xFFFF_FFFFL) - 32;
        if (mask < 0 || (bits == 0 ? 0 : (0xFFFF_FFFFL << (32 - bits)) & 0xFFFF_FFFFL) != mask)
        {
            throw cursor.error(cursor.blame(value), "expected a contiguous netmask such as 255.255.0.0 after 'mask', got " +
                cursor.describeValue(value));
        }
        return bits;
    }

    /** A host name rather than a mistyped address: dotted, with a letter that is no hex digit. */
    private static boolean looksLikeName(final String text)
    {
        boolean letter = false;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = Counts.lower(text.charAt(i));
            letter |= c >= 'g' && c <= 'z';
        }
        return letter && text.indexOf('.') > 0 && text.indexOf(':') < 0;
    }
}
