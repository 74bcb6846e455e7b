package dev.flowrec.query.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compiles a {@code --where} filter (nfdump/tcpdump style) into a {@link FlowFilter}.
 * <pre>
 *   expr    := or
 *   or      := and (('or' | '||') and)*
 *   and     := not ((('and' | '&&'))? not)*        juxtaposition is and
 *   not     := ('not' | '!') not | primary
 *   primary := '(' expr ')' | term                  at most 64 levels of parentheses
 * </pre>
 * Keywords are case-insensitive; a blank text is {@link #ALL}; texts longer than {@link #MAX_LENGTH} are refused.
 * Every fault is a {@link FilterSyntaxException} (and nothing else is thrown, whatever the text).
 */
public final class FilterParser
{
    public static final int MAX_LENGTH = 4096;
    public static final int MAX_DEPTH = 64;

    /** Accepts every flow; its canonical form is {@code any}. */
    public static final FlowFilter ALL = Connectives.ALL;

    static final Set<String> FIELDS = Set.of("ip", "host", "net", "port", "portrange", "proto", "iface", "container",
        "direction", "flags", "bytes", "packets", "family");
    static final Set<String> KEYWORDS = Set.of("and", "or", "not", "src", "dst", "mask", "any", "in", "out", "tcp", "udp",
        "icmp", "icmpv6", "icmp6", "inet", "inet6");
    private static final Set<String> TERM_STARTS = Set.of("src", "dst", "any", "tcp", "udp", "icmp", "icmpv6", "icmp6",
        "inet", "inet6", "not");
    private static final List<String> ALL_KEYWORDS;

    static
    {
        final TreeSet<String> all = new TreeSet<>(FIELDS);
        all.addAll(KEYWORDS);
        ALL_KEYWORDS = List.copyOf(all);
    }

    private final String text;
    private final List<Token> tokens;
    private int pos;
    private int depth;

    private FilterParser(final String text, final List<Token> tokens)
    {
        this.text = text;
        this.tokens = tokens;
    }

    /** @throws FilterSyntaxException naming the column of the fault and what was expected there */
    public static FlowFilter parse(final String text) throws FilterSyntaxException
    {
        if (text == null)
        {
            return ALL;
        }
        if (text.length() > MAX_LENGTH)
        {
            throw new FilterSyntaxException(MAX_LENGTH + 1,
                "filter too long: " + text.length() + " characters, at most " + MAX_LENGTH);
        }
        final List<Token> tokens = FilterLexer.tokens(text);
        if (tokens.isEmpty())
        {
            return ALL;
        }
        for (final Token token : tokens)
        {
            if (token.kind() == Token.Kind.ERROR)
            {
                throw new FilterSyntaxException(token.start() + 1, badCharacter(token));
            }
        }
        return new FilterParser(text, tokens).parseFilter();
    }

    /** Every keyword and field name of the language, sorted, for completion. */
    public static List<String> keywords()
    {
        return ALL_KEYWORDS;
    }

    private FlowFilter parseFilter()
    {
        final FlowFilter filter = parseOr();
        if (peek() != null)
        {
            throw error(peek(), "unbalanced ')': there is no '(' before it");
        }
        return filter;
    }

    private FlowFilter parseOr()
    {
        final List<FlowFilter> operands = new ArrayList<>();
        operands.add(parseAnd());
        while (isWord(peek(), "or") || isOperator(peek(), "||"))
        {
            pos++;
            operands.add(parseAnd());
        }
        return Connectives.or(operands);
    }

    private FlowFilter parseAnd()
    {
        final List<FlowFilter> operands = new ArrayList<>();
        operands.add(parseNot());
        while (true)
        {
            final Token next = peek();
            if (next == null || isParen(next, ")") || isWord(next, "or") || isOperator(next, "||"))
            {
                break;
            }
            if (isWord(next, "and") || isOperator(next, "&&"))
            {
                pos++;
            }
            else if (!startsTerm(next))
            {
                throw error(next, "expected 'and', 'or', ')' or end of filter, got " + describe(next));
            }
            operands.add(parseNot());
        }
        return Connectives.and(operands);
    }

    private FlowFilter parseNot()
    {
        int nots = 0;
        while (isWord(peek(), "not") || isOperator(peek(), "!"))
        {
            pos++;
            nots++;
        }
        final FlowFilter operand = parsePrimary();
        return nots % 2 == 1 ? Connectives.not(operand) : operand;
    }

    private FlowFilter parsePrimary()
    {
        final Token token = peek();
        if (token == null || isParen(token, ")") || token.kind() == Token.Kind.OPERATOR || isConnective(token))
        {
            throw error(token, "expected a filter term" + after() + ", got " + describe(token));
        }
        if (isParen(token, "("))
        {
            if (++depth > MAX_DEPTH)
            {
                throw error(token, "too deeply nested: at most " + MAX_DEPTH + " levels of parentheses");
            }
            pos++;
            final FlowFilter inner = parseOr();
            final Token close = peek();
            if (!isParen(close, ")"))
            {
                throw error(close, "expected ')' to close the '(' at column " + (token.start() + 1) + ", got " + describe(close));
            }
            pos++;
            depth--;
            return inner;
        }
        return parseTerm();
    }

    private FlowFilter parseTerm()
    {
        final Token token = tokens.get(pos++);
        final String word = lower(token);
        return switch (word)
        {
            case "src" -> sided(Side.SRC, token);
            case "dst" -> sided(Side.DST, token);
            case "ip", "host", "net", "port", "portrange" -> sidedTerm(Side.EITHER, word, word);
            case "any" -> ALL;
            case "tcp" -> new Terms.Proto(6);
            case "udp" -> new Terms.Proto(17);
            case "icmp" -> new Terms.Proto(1);
            case "icmpv6", "icmp6" -> new Terms.Proto(58);
            case "inet" -> new Terms.Family(4);
            case "inet6" -> new Terms.Family(6);
            case "proto" -> proto();
            case "family" -> family();
            case "direction" -> direction();
            case "iface" -> new Terms.Iface(name("an interface name", "iface"));
            case "container" -> new Terms.Container(name("a container id or name", "container"));
            case "flags" -> flags();
            case "bytes", "packets" -> count(word);
            default -> throw error(token, unknownTerm(token));
        };
    }

    private FlowFilter sided(final Side side, final Token sideToken)
    {
        final Token field = peek();
        final String word = lower(field);
        final String spelled = lower(sideToken) + " " + word;
        if (word.equals("ip") || word.equals("host") || word.equals("net") || word.equals("port") || word.equals("portrange"))
        {
            pos++;
            return sidedTerm(side, word, spelled);
        }
        final String hint = field != null && field.kind() == Token.Kind.ADDRESS ?
            " (write '" + lower(sideToken) + (field.text().indexOf('/') >= 0 ? " net " : " ip ") + field.text() + "')" : "";
        throw error(field, "expected ip, host, net, port or portrange after " + quote(lower(sideToken)) + ", got " +
            describe(field) + hint);
    }

    private FlowFilter sidedTerm(final Side side, final String field, final String spelled)
    {
        return switch (field)
        {
            case "ip", "host" -> host(side, spelled);
            case "net" -> net(side, spelled);
            default -> port(side, spelled, field.equals("portrange"));
        };
    }

    private FlowFilter host(final Side side, final String spelled)
    {
        final Token value = value();
        final long[] halves = new long[2];
        final int family = value == null ? 0 : AddressText.parse(value.text(), halves);
        if (family == 0)
        {
            final String hint = value != null && value.kind() == Token.Kind.ADDRESS ? " (use 'net' for a prefix)" :
                value != null && value.kind() == Token.Kind.WORD && looksLikeName(value.text()) ? " (names are not resolved)" : "";
            throw error(blame(value), "expected an IPv4 or IPv6 address after " + quote(spelled) + ", got " + describeValue(value) + hint);
        }
        return new AddressTerm(side, family, halves[0], halves[1], 128, true);
    }

    private FlowFilter net(final Side side, final String spelled)
    {
        final Token value = value();
        final String expected = "expected a prefix such as 10.0.0.0/8 or 2001:db8::/32 after " + quote(spelled) + ", got ";
        if (value == null)
        {
            throw error(peek(), expected + describe(peek()));
        }
        final String text = value.text();
        final int slash = text.lastIndexOf('/');
        final long[] halves = new long[2];
        final int family = AddressText.parse(slash < 0 ? text : text.substring(0, slash), halves);
        if (family == 0)
        {
            throw error(blame(value), expected + describe(value));
        }
        final boolean dotted = text.indexOf(':') < 0;
        if (slash < 0)
        {
            if (!dotted || !isWord(peek(), "mask"))
            {
                throw error(blame(value), expected + describe(value) + " (add the prefix length" + (dotted ? ", or 'mask' and a netmask)" : ")"));
            }
            pos++;
            return new AddressTerm(side, 4, halves[0], halves[1], 96 + netmask(), false);
        }
        final int bits = Counts.parseSmall(text, slash + 1, text.length());
        final int max = dotted ? 32 : 128;
        if (bits < 0 || bits > max)
        {
            throw new FilterSyntaxException(value.start() + slash + 2, "expected a prefix length from 0 to " + max + " after '/', got " +
                Printable.quote(text.substring(slash + 1)));
        }
        if (dotted)
        {
            return new AddressTerm(side, 4, halves[0], halves[1], 96 + bits, false);
        }
        return new AddressTerm(side, family == 4 && bits >= 96 ? 4 : 6, halves[0], halves[1], bits, false);
    }

    private int netmask()
    {
        final Token value = value();
        final long mask = value == null || value.text().indexOf(':') >= 0 ? -1 : AddressText.parseV4(value.text(), 0, value.text().length());
        final int bits = mask < 0 ? -1 : Long.numberOfLeadingZeros(~mask & 0xFFFF_FFFFL) - 32;
        if (mask < 0 || (bits == 0 ? 0 : (0xFFFF_FFFFL << (32 - bits)) & 0xFFFF_FFFFL) != mask)
        {
            throw error(blame(value), "expected a contiguous netmask such as 255.255.0.0 after 'mask', got " + describeValue(value));
        }
        return bits;
    }

    private FlowFilter port(final Side side, final String spelled, final boolean rangeOnly)
    {
        Comparison op = Comparison.EQ;
        String after = spelled;
        final Token maybeOp = peek();
        if (!rangeOnly && maybeOp != null && maybeOp.kind() == Token.Kind.OPERATOR && Comparison.of(maybeOp.text()) != null)
        {
            op = Comparison.of(maybeOp.text());
            after = spelled + " " + maybeOp.text();
            pos++;
        }
        final Token value = value();
        final String text = value == null ? "" : value.text();
        final int dash = text.indexOf('-');
        if (rangeOnly || (dash > 0 && op == Comparison.EQ && maybeOp == value))
        {
            final int lo = dash > 0 ? portNumber(value, 0, dash) : -1;
            final int hi = dash > 0 && lo >= 0 ? portNumber(value, dash + 1, text.length()) : -1;
            if (lo < 0 || hi < 0)
            {
                throw error(blame(value), "expected a port range such as 1024-65535 after " + quote(after) + ", got " + describeValue(value));
            }
            if (lo > hi)
            {
                throw error(blame(value), "empty port range " + Printable.quote(text) + ": " + lo + " is above " + hi);
            }
            return PortTerm.range(side, lo, hi);
        }
        final int port = value == null ? -1 : portNumber(value, 0, text.length());
        if (port < 0)
        {
            throw error(blame(value), "expected a port number after " + quote(after) + ", got " + describeValue(value));
        }
        return PortTerm.compare(side, op, port);
    }

    /** The port in value[from, to), -1 if not a number; a number above 65535 is a fault of its own. */
    private int portNumber(final Token value, final int from, final int to)
    {
        final String text = value.text();
        if (!isDigits(text, from, to))
        {
            return -1;
        }
        final int port = Counts.parseSmall(text, from, to);
        if (port < 0 || port > PortTerm.MAX)
        {
            throw new FilterSyntaxException(value.start() + from + 1, "port " + Printable.quote(text.substring(from, to)) +
                " is out of range: ports go from 0 to 65535");
        }
        return port;
    }

    private FlowFilter proto()
    {
        final Token value = value();
        final String word = lower(value);
        final int proto = switch (word)
        {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "icmpv6", "icmp6" -> 58;
            default -> isDigits(word, 0, word.length()) && word.length() <= 3 ? Counts.parseSmall(word, 0, word.length()) : -1;
        };
        if (proto < 0 || proto > 255)
        {
            throw error(blame(value), "expected tcp, udp, icmp, icmpv6 or a protocol number from 0 to 255 after 'proto', got " + describeValue(value));
        }
        return new Terms.Proto(proto);
    }

    private FlowFilter family()
    {
        final Token value = value();
        final String word = lower(value);
        if (!word.equals("4") && !word.equals("6"))
        {
            throw error(blame(value), "expected 4 or 6 after 'family', got " + describeValue(value));
        }
        return new Terms.Family(word.charAt(0) - '0');
    }

    private FlowFilter direction()
    {
        final Token value = value();
        final String word = lower(value);
        if (!word.equals("in") && !word.equals("out"))
        {
            throw error(blame(value), "expected 'in' or 'out' after 'direction', got " + describeValue(value));
        }
        return new Terms.Direction(word.equals("in") ? 0 : 1);
    }

    private FlowFilter flags()
    {
        final Token value = value();
        if (value == null || isConnective(value) || isWord(value, "not"))
        {
            throw error(value == null ? peek() : value, "expected TCP flag letters such as S or SA after 'flags', got " +
                describeValue(value));
        }
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

    private FlowFilter count(final String field)
    {
        Comparison op = Comparison.EQ;
        String after = field;
        final Token maybeOp = peek();
        if (maybeOp != null && maybeOp.kind() == Token.Kind.OPERATOR && Comparison.of(maybeOp.text()) != null)
        {
            op = Comparison.of(maybeOp.text());
            after = field + " " + maybeOp.text();
            pos++;
        }
        final Token value = value();
        final long count = value == null ? -1 : Counts.parse(value.text());
        if (count == -2)
        {
            throw error(blame(value), "count " + Printable.quote(value.text()) + " is too large: at most " + Long.MAX_VALUE);
        }
        if (count < 0)
        {
            throw error(blame(value), "expected a whole count such as 1000, 64k or 1.5M after " + quote(after) + ", got " + describeValue(value));
        }
        return new CountTerm(field.equals("bytes"), op, count);
    }

    /** An interface or container name: any word but and/or/not, taken as written. */
    private String name(final String what, final String field)
    {
        final Token value = value();
        if (value == null || isConnective(value) || isWord(value, "not"))
        {
            throw error(value == null ? peek() : value, "expected " + what + " after " + quote(field) + ", got " +
                describeValue(value == null ? peek() : value));
        }
        return value.text();
    }

    /** The next token if it can be a value (a word, number, address or keyword), consumed; else null, not consumed. */
    private Token value()
    {
        final Token token = peek();
        if (token == null || token.kind() == Token.Kind.PAREN || token.kind() == Token.Kind.OPERATOR)
        {
            return null;
        }
        pos++;
        return token;
    }

    private String unknownTerm(final Token token)
    {
        final String got = describe(token);
        return switch (token.kind())
        {
            case ADDRESS -> "expected a filter term, got " + got + " (write '" + (token.text().indexOf('/') >= 0 ? "net " : "ip ") +
                token.text() + "')";
            case WORD ->
            {
                final String guess = closest(lower(token));
                yield "unknown term " + got + (guess == null ? "" : " (did you mean '" + guess + "'?)");
            }
            default -> "expected a filter term such as 'proto tcp', 'port 443' or 'ip 10.0.0.1'" + after(pos - 2) + ", got " + got;
        };
    }

    private static String closest(final String word)
    {
        String best = null;
        int bestDistance = word.length() <= 3 ? 2 : 3;
        for (final String candidate : ALL_KEYWORDS)
        {
            if (FIELDS.contains(candidate) || TERM_STARTS.contains(candidate))
            {
                final int distance = distance(word, candidate, bestDistance);
                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }
        }
        return best;
    }

    /** Levenshtein distance, or at least {@code limit} once it is certain to reach it. */
    private static int distance(final String a, final String b, final int limit)
    {
        if (Math.abs(a.length() - b.length()) >= limit || a.length() > 32)
        {
            return limit;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private boolean startsTerm(final Token token)
    {
        if (isParen(token, "(") || isOperator(token, "!"))
        {
            return true;
        }
        final String word = lower(token);
        return token.kind() == Token.Kind.WORD || FIELDS.contains(word) || TERM_STARTS.contains(word);
    }

    private static String badCharacter(final Token token)
    {
        final String text = token.text();
        if (text.equals("&") || text.equals("|"))
        {
            return Printable.quote(text) + " is not an operator: use " + (text.equals("&") ? "'and' or '&&'" : "'or' or '||'");
        }
        return "unexpected character " + Printable.quote(text);
    }

    private String after()
    {
        return after(pos - 1);
    }

    private String after(final int index)
    {
        return index < 0 ? "" : " after " + Printable.quote(tokens.get(index).text());
    }

    /** The token to point at for a bad or missing value: the value, else whatever stands in its place. */
    private Token blame(final Token value)
    {
        return value != null ? value : peek();
    }

    private Token peek()
    {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private FilterSyntaxException error(final Token token, final String detail)
    {
        return new FilterSyntaxException(token == null ? text.length() + 1 : token.start() + 1, detail);
    }

    private static String describe(final Token token)
    {
        return token == null ? "end of filter" : Printable.quote(token.text());
    }

    private String describeValue(final Token value)
    {
        return value != null ? describe(value) : describe(peek());
    }

    private static String quote(final String spelled)
    {
        return "'" + spelled + "'";
    }

    private static String lower(final Token token)
    {
        return token == null || token.kind() == Token.Kind.PAREN || token.kind() == Token.Kind.OPERATOR ? "" :
            FilterLexer.asciiLower(token.text());
    }

    private static boolean isWord(final Token token, final String keyword)
    {
        return token != null && (token.kind() == Token.Kind.KEYWORD || token.kind() == Token.Kind.FIELD) &&
            FilterLexer.asciiLower(token.text()).equals(keyword);
    }

    private static boolean isConnective(final Token token)
    {
        return isWord(token, "and") || isWord(token, "or") || isOperator(token, "&&") || isOperator(token, "||");
    }

    private static boolean isOperator(final Token token, final String op)
    {
        return token != null && token.kind() == Token.Kind.OPERATOR && token.text().equals(op);
    }

    private static boolean isParen(final Token token, final String paren)
    {
        return token != null && token.kind() == Token.Kind.PAREN && token.text().equals(paren);
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

    private static boolean isDigits(final String text, final int from, final int to)
    {
        if (to <= from)
        {
            return false;
        }
        for (int i = from; i < to; i++)
        {
            if (!Counts.isDigit(text.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }
}
