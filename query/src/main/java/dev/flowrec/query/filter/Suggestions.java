package dev.flowrec.query.filter;

import static dev.flowrec.query.filter.TokenCursor.describe;
import static dev.flowrec.query.filter.TokenCursor.lower;

/**
 * What to say where no term can start: an address written without ip/net, a misspelt word (the nearest term
 * start by edit distance), a lone &amp; or |.
 */
final class Suggestions
{
    private Suggestions()
    {
    }

    /** Why token, just consumed, cannot start a term. */
    static String unknownTerm(final TokenCursor cursor, final Token token)
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
            default -> "expected a filter term such as 'proto tcp', 'port 443' or 'ip 10.0.0.1'" +
                cursor.after(cursor.position() - 2) + ", got " + got;
        };
    }

    /** Why an ERROR token is no part of a filter. */
    static String badCharacter(final Token token)
    {
        final String text = token.text();
        if (text.equals("&") || text.equals("|"))
        {
            return Printable.quote(text) + " is not an operator: use " + (text.equals("&") ? "'and' or '&&'" : "'or' or '||'");
        }
        return "unexpected character " + Printable.quote(text);
    }

    private static String closest(final String word)
    {
        String best = null;
        int bestDistance = word.length() <= 3 ? 2 : 3;
        for (final String candidate : FilterParser.keywords())
        {
            if (FilterParser.startsTerm(candidate))
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
}
