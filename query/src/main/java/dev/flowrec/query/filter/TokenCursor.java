package dev.flowrec.query.filter;

import java.util.List;

/**
 * The parser's place in the token list, and the wording its faults share: which token to blame (the column) and
 * how to name it ({@code 'text'}, or {@code end of filter}).
 */
final class TokenCursor
{
    private final String text;
    private final List<Token> tokens;
    private int pos;

    TokenCursor(final String text, final List<Token> tokens)
    {
        this.text = text;
        this.tokens = tokens;
    }

    /** The next token, not consumed; null at the end. */
    Token peek()
    {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    /** The next token, consumed; the caller knows there is one. */
    Token next()
    {
        return tokens.get(pos++);
    }

    void skip()
    {
        pos++;
    }

    /** The next token if it can be a value (a word, number, address or keyword), consumed; else null, not consumed. */
    Token value()
    {
        final Token token = peek();
        if (token == null || token.kind() == Token.Kind.PAREN || token.kind() == Token.Kind.OPERATOR)
        {
            return null;
        }
        pos++;
        return token;
    }

    /** The next token if it is a comparison (= == != &lt; &gt; &lt;= &gt;=), consumed; else null, not consumed. */
    Token comparison()
    {
        final Token token = peek();
        if (token == null || token.kind() != Token.Kind.OPERATOR || Comparison.of(token.text()) == null)
        {
            return null;
        }
        pos++;
        return token;
    }

    /** " after 'x'" naming the token before the next one, or "" at the start. */
    String after()
    {
        return after(pos - 1);
    }

    /** " after 'x'" naming the token at index, or "" before the start. */
    String after(final int index)
    {
        return index < 0 ? "" : " after " + Printable.quote(tokens.get(index).text());
    }

    int position()
    {
        return pos;
    }

    /** The token to point at for a bad or missing value: the value, else whatever stands in its place. */
    Token blame(final Token value)
    {
        return value != null ? value : peek();
    }

    FilterSyntaxException error(final Token token, final String detail)
    {
        return new FilterSyntaxException(token == null ? text.length() + 1 : token.start() + 1, detail);
    }

    /** The value as {@link #describe(Token)} names it, or what stands in its place when it is missing. */
    String describeValue(final Token value)
    {
        return describe(blame(value));
    }

    static String describe(final Token token)
    {
        return token == null ? "end of filter" : Printable.quote(token.text());
    }

    static String quote(final String spelled)
    {
        return "'" + spelled + "'";
    }

    /** The token's text in ASCII lower case; "" for none, a parenthesis or an operator. */
    static String lower(final Token token)
    {
        return token == null || token.kind() == Token.Kind.PAREN || token.kind() == Token.Kind.OPERATOR ? "" :
            FilterLexer.asciiLower(token.text());
    }

    static boolean isWord(final Token token, final String keyword)
    {
        return token != null && (token.kind() == Token.Kind.KEYWORD || token.kind() == Token.Kind.FIELD) &&
            FilterLexer.asciiLower(token.text()).equals(keyword);
    }

    static boolean isConnective(final Token token)
    {
        return isWord(token, "and") || isWord(token, "or") || isOperator(token, "&&") || isOperator(token, "||");
    }

    static boolean isOperator(final Token token, final String op)
    {
        return token != null && token.kind() == Token.Kind.OPERATOR && token.text().equals(op);
    }

    static boolean isParen(final Token token, final String paren)
    {
        return token != null && token.kind() == Token.Kind.PAREN && token.text().equals(paren);
    }
}
