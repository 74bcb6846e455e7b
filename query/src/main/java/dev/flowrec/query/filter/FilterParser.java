package dev.flowrec.query.filter;

import static dev.flowrec.query.filter.TokenCursor.describe;
import static dev.flowrec.query.filter.TokenCursor.isConnective;
import static dev.flowrec.query.filter.TokenCursor.isOperator;
import static dev.flowrec.query.filter.TokenCursor.isParen;
import static dev.flowrec.query.filter.TokenCursor.isWord;
import static dev.flowrec.query.filter.TokenCursor.lower;
import static dev.flowrec.query.filter.TokenCursor.quote;

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
 * This class holds the connectives and picks the term; the values of terms are read by {@link AddressTermParser},
 * {@link NumberTermParser} and {@link WordTermParser}.
 */
public final class FilterParser
{
    public static final int MAX_LENGTH = 4096;
    public static final int MAX_DEPTH = 64;

    /** Accepts every flow; its canonical form is {@code any}. */
    public static final FlowFilter ALL = Connectives.ALL;

    static final Set<String> FIELDS = Set.of("ip", "host", "net", "port", "portrange", "proto", "iface", "container",
        "direction", "flags", "bytes", "packets", "family", "pid", "comm", "name");
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

    private final TokenCursor cursor;
    private int depth;

    private FilterParser(final TokenCursor cursor)
    {
        this.cursor = cursor;
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
                throw new FilterSyntaxException(token.start() + 1, Suggestions.badCharacter(token));
            }
        }
        return new FilterParser(new TokenCursor(text, tokens)).parseFilter();
    }

    /** Every keyword and field name of the language, sorted, for completion. */
    public static List<String> keywords()
    {
        return ALL_KEYWORDS;
    }

    /** Whether a term can begin with this (lower-case) word. */
    static boolean startsTerm(final String word)
    {
        return FIELDS.contains(word) || TERM_STARTS.contains(word);
    }

    private FlowFilter parseFilter()
    {
        final FlowFilter filter = parseOr();
        if (cursor.peek() != null)
        {
            throw cursor.error(cursor.peek(), "unbalanced ')': there is no '(' before it");
        }
        return filter;
    }

    private FlowFilter parseOr()
    {
        final List<FlowFilter> operands = new ArrayList<>();
        operands.add(parseAnd());
        while (isWord(cursor.peek(), "or") || isOperator(cursor.peek(), "||"))
        {
            cursor.skip();
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
            final Token next = cursor.peek();
            if (next == null || isParen(next, ")") || isWord(next, "or") || isOperator(next, "||"))
            {
                break;
            }
            if (isWord(next, "and") || isOperator(next, "&&"))
            {
                cursor.skip();
            }
            else if (!startsTerm(next))
            {
                throw cursor.error(next, "expected 'and', 'or', ')' or end of filter, got " + describe(next));
            }
            operands.add(parseNot());
        }
        return Connectives.and(operands);
    }

    private FlowFilter parseNot()
    {
        int nots = 0;
        while (isWord(cursor.peek(), "not") || isOperator(cursor.peek(), "!"))
        {
            cursor.skip();
            nots++;
        }
        final FlowFilter operand = parsePrimary();
        return nots % 2 == 1 ? Connectives.not(operand) : operand;
    }

    private FlowFilter parsePrimary()
    {
        final Token token = cursor.peek();
        if (token == null || isParen(token, ")") || token.kind() == Token.Kind.OPERATOR || isConnective(token))
        {
            throw cursor.error(token, "expected a filter term" + cursor.after() + ", got " + describe(token));
        }
        if (isParen(token, "("))
        {
            if (++depth > MAX_DEPTH)
            {
                throw cursor.error(token, "too deeply nested: at most " + MAX_DEPTH + " levels of parentheses");
            }
            cursor.skip();
            final FlowFilter inner = parseOr();
            final Token close = cursor.peek();
            if (!isParen(close, ")"))
            {
                throw cursor.error(close, "expected ')' to close the '(' at column " + (token.start() + 1) + ", got " +
                    describe(close));
            }
            cursor.skip();
            depth--;
            return inner;
        }
        return parseTerm();
    }

    private FlowFilter parseTerm()
    {
        final Token token = cursor.next();
        final String word = lower(token);
        return switch (word)
        {
            case "src" -> sided(Side.SRC, token);
            case "dst" -> sided(Side.DST, token);
            case "ip", "host", "net", "port", "portrange" -> sidedTerm(Side.EITHER, word, word);
            case "any" -> ALL;
            case "tcp" -> Terms.proto(6);
            case "udp" -> Terms.proto(17);
            case "icmp" -> Terms.proto(1);
            case "icmpv6", "icmp6" -> Terms.proto(58);
            case "inet" -> Terms.family(4);
            case "inet6" -> Terms.family(6);
            case "proto" -> WordTermParser.proto(cursor);
            case "family" -> WordTermParser.family(cursor);
            case "direction" -> WordTermParser.direction(cursor);
            case "iface" -> Terms.iface(WordTermParser.name(cursor, "an interface name", "iface"));
            case "container" -> Terms.container(WordTermParser.name(cursor, "a container id or name", "container"));
            case "flags" -> WordTermParser.flags(cursor);
            case "pid" -> NumberTermParser.pid(cursor);
            case "comm" -> Terms.comm(WordTermParser.name(cursor, "a command name", "comm"));
            case "bytes", "packets" -> NumberTermParser.count(cursor, word);
            case "name" -> NameTerms.parse(cursor, Side.EITHER, word);
            default -> throw cursor.error(token, Suggestions.unknownTerm(cursor, token));
        };
    }

    private FlowFilter sided(final Side side, final Token sideToken)
    {
        final Token field = cursor.peek();
        final String word = lower(field);
        final String spelled = lower(sideToken) + " " + word;
        if (word.equals("ip") || word.equals("host") || word.equals("net") || word.equals("port") || word.equals("portrange"))
        {
            cursor.skip();
            return sidedTerm(side, word, spelled);
        }
        if (word.equals("name"))
        {
            cursor.skip();
            return NameTerms.parse(cursor, side, spelled);
        }
        final String hint = field != null && field.kind() == Token.Kind.ADDRESS ?
            " (write '" + lower(sideToken) + (field.text().indexOf('/') >= 0 ? " net " : " ip ") + field.text() + "')" : "";
        throw cursor.error(field, "expected ip, host, net, port or portrange after " + quote(lower(sideToken)) + ", got " +
            describe(field) + hint);
    }

    private FlowFilter sidedTerm(final Side side, final String field, final String spelled)
    {
        return switch (field)
        {
            case "ip", "host" -> AddressTermParser.host(cursor, side, spelled);
            case "net" -> AddressTermParser.net(cursor, side, spelled);
            default -> NumberTermParser.port(cursor, side, spelled, field.equals("portrange"));
        };
    }

    private static boolean startsTerm(final Token token)
    {
        if (isParen(token, "(") || isOperator(token, "!"))
        {
            return true;
        }
        return token.kind() == Token.Kind.WORD || startsTerm(lower(token));
    }
}
