package dev.flowrec.query.filter;

import static dev.flowrec.query.filter.TokenCursor.quote;

/**
 * The values of the terms that compare a number: {@code port [OP] N}, {@code port LO-HI}, {@code portrange LO-HI},
 * {@code bytes [OP] N} and {@code packets [OP] N}, N with a k/M/G/T suffix for the counts.
 */
final class NumberTermParser
{
    /** Linux's PID_MAX_LIMIT (2^22). */
    static final int MAX_PID = 4_194_304;

    private NumberTermParser()
    {
    }

    /** @param spelled the term as written so far ({@code src port}), for the message */
    static FlowFilter port(final TokenCursor cursor, final Side side, final String spelled, final boolean rangeOnly)
    {
        final Token operator = rangeOnly ? null : cursor.comparison();
        final String after = spelledWith(spelled, operator);
        final Token value = cursor.value();
        final String text = value == null ? "" : value.text();
        final int dash = text.indexOf('-');
        if (rangeOnly || (dash > 0 && operator == null))
        {
            final int lo = dash > 0 ? portNumber(value, 0, dash) : -1;
            final int hi = dash > 0 && lo >= 0 ? portNumber(value, dash + 1, text.length()) : -1;
            if (lo < 0 || hi < 0)
            {
                throw cursor.error(cursor.blame(value), "expected a port range such as 1024-65535 after " + quote(after) +
                    ", got " + cursor.describeValue(value));
            }
            if (lo > hi)
            {
                throw cursor.error(value, "empty port range " + Printable.quote(text) + ": " + lo + " is above " + hi);
            }
            return PortTerm.range(side, lo, hi);
        }
        final int port = value == null ? -1 : portNumber(value, 0, text.length());
        if (port < 0)
        {
            throw cursor.error(cursor.blame(value), "expected a port number after " + quote(after) + ", got " +
                cursor.describeValue(value));
        }
        return PortTerm.compare(side, comparison(operator), port);
    }

    /** {@code pid N}: a process id, 0 (no known owner) to {@value #MAX_PID}, as Linux's pid_max allows. */
    static FlowFilter pid(final TokenCursor cursor)
    {
        final Token value = cursor.value();
        final String text = value == null ? "" : value.text();
        final boolean digits = !text.isEmpty() && text.length() <= 10 && Counts.isDigits(text, 0, text.length());
        final long pid = digits ? Long.parseLong(text) : -1;
        if (pid < 0)
        {
            throw cursor.error(cursor.blame(value), "expected a process id after 'pid', got " + cursor.describeValue(value));
        }
        if (pid > MAX_PID)
        {
            throw cursor.error(value, "pid " + Printable.quote(text) + " is out of range: pids go from 1 to " + MAX_PID +
                " (0 for flows without a known process)");
        }
        return Terms.pid((int)pid);
    }

    /** @param field bytes or packets */
    static FlowFilter count(final TokenCursor cursor, final String field)
    {
        final Token operator = cursor.comparison();
        final Token value = cursor.value();
        final long count = value == null ? -1 : Counts.parse(value.text(), field.equals("bytes"));
        if (count == -2)
        {
            throw cursor.error(value, "count " + Printable.quote(value.text()) + " is too large: at most " + Long.MAX_VALUE);
        }
        if (count < 0)
        {
            throw cursor.error(cursor.blame(value), "expected a whole count such as 1000, 64k or 1.5M after " +
                quote(spelledWith(field, operator)) + ", got " + cursor.describeValue(value));
        }
        return new CountTerm(field.equals("bytes"), comparison(operator), count);
    }

    /** The port in value[from, to), -1 if not a number; a number above 65535 is a fault of its own. */
    private static int portNumber(final Token value, final int from, final int to)
    {
        final String text = value.text();
        if (!Counts.isDigits(text, from, to))
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

    private static Comparison comparison(final Token operator)
    {
        return operator == null ? Comparison.EQ : Comparison.of(operator.text());
    }

    private static String spelledWith(final String spelled, final Token operator)
    {
        return operator == null ? spelled : spelled + " " + operator.text();
    }
}
