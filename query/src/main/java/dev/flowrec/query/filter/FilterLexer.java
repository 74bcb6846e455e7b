package dev.flowrec.query.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a filter into tokens and classifies each one without context, for the parser and for the shell's
 * highlighting and completion. Whitespace separates words; parentheses and the operator characters
 * {@code = < > ! & |} are tokens of their own even without spaces ({@code port>=1024}); a character that can never
 * appear in a filter (a control or format character, an unpaired surrogate) is an ERROR token of its own.
 */
public final class FilterLexer
{
    private static final String OPERATOR_CHARS = "=<>!&|";
    private static final String[] OPERATORS = {"==", "!=", "<=", ">=", "&&", "||", "=", "<", ">", "!"};

    private FilterLexer()
    {
    }

    /** Every token of the text in order; never throws, and every non-blank character is in exactly one token. */
    public static List<Token> tokens(final String text)
    {
        final List<Token> tokens = new ArrayList<>();
        if (text == null)
        {
            return tokens;
        }
        final int n = text.length();
        int i = 0;
        while (i < n)
        {
            final char c = text.charAt(i);
            if (isSeparator(c))
            {
                i++;
            }
            else if (c == '(' || c == ')')
            {
                tokens.add(new Token(Token.Kind.PAREN, i, i + 1, String.valueOf(c)));
                i++;
            }
            else if (OPERATOR_CHARS.indexOf(c) >= 0)
            {
                final String op = operatorAt(text, i);
                final Token.Kind kind = op == null ? Token.Kind.ERROR : Token.Kind.OPERATOR;
                final int end = i + (op == null ? 1 : op.length());
                tokens.add(new Token(kind, i, end, text.substring(i, end)));
                i = end;
            }
            else if (!Printable.isPlain(c))
            {
                tokens.add(new Token(Token.Kind.ERROR, i, i + 1, String.valueOf(c)));
                i++;
            }
            else
            {
                int end = i + 1;
                while (end < n && isWordChar(text.charAt(end)))
                {
                    end++;
                }
                final String word = text.substring(i, end);
                tokens.add(new Token(classify(word), i, end, word));
                i = end;
            }
        }
        return tokens;
    }

    static boolean isSeparator(final char c)
    {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static boolean isWordChar(final char c)
    {
        return !isSeparator(c) && c != '(' && c != ')' && OPERATOR_CHARS.indexOf(c) < 0 && Printable.isPlain(c);
    }

    private static String operatorAt(final String text, final int i)
    {
        for (final String op : OPERATORS)
        {
            if (text.startsWith(op, i))
            {
                return op;
            }
        }
        return null;
    }

    private static Token.Kind classify(final String word)
    {
        final String lower = asciiLower(word);
        if (FilterParser.FIELDS.contains(lower))
        {
            return Token.Kind.FIELD;
        }
        if (FilterParser.KEYWORDS.contains(lower))
        {
            return Token.Kind.KEYWORD;
        }
        if (Counts.looksLikeCount(word) || isRange(word))
        {
            return Token.Kind.NUMBER;
        }
        if (isAddressOrPrefix(word))
        {
            return Token.Kind.ADDRESS;
        }
        return Token.Kind.WORD;
    }

    static String asciiLower(final String word)
    {
        final char[] chars = word.toCharArray();
        for (int i = 0; i < chars.length; i++)
        {
            chars[i] = Counts.lower(chars[i]);
        }
        return new String(chars);
    }

    private static boolean isRange(final String word)
    {
        final int dash = word.indexOf('-');
        return dash > 0 && Counts.parseSmall(word, 0, dash) >= 0 && Counts.parseSmall(word, dash + 1, word.length()) >= 0;
    }

    private static boolean isAddressOrPrefix(final String word)
    {
        final long[] halves = new long[2];
        final int slash = word.lastIndexOf('/');
        if (slash < 0)
        {
            return AddressText.parse(word, halves) != 0;
        }
        final int bits = Counts.parseSmall(word, slash + 1, word.length());
        return bits >= 0 && bits <= 128 && AddressText.parse(word.substring(0, slash), halves) != 0;
    }
}
