package dev.flowrec.query.shell;

import static dev.flowrec.query.shell.ShellParser.quote;

import dev.flowrec.journal.text.Durations;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.Times;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FilterSyntaxException;
import dev.flowrec.query.filter.FlowFilter;
import dev.flowrec.query.shell.Layout.Part;
import dev.flowrec.query.shell.Layout.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of a shell line's arguments and clauses ({@code top N}, {@code by bytes}, {@code since -1h},
 * {@code where ...}, grouping keys, a series interval), each read from its words into what {@link Query} holds;
 * a bad value is a {@link ShellSyntaxException} at the column of the word.
 */
final class ClauseValues
{
    private ClauseValues()
    {
    }

    /** KEYS as typed: comma-separated, spaces after the commas allowed. */
    static List<GroupKey> keys(final List<Word> words)
    {
        final List<GroupKey> keys = new ArrayList<>();
        for (final Word word : words)
        {
            int from = 0;
            final String text = word.text();
            while (from <= text.length())
            {
                int comma = text.indexOf(',', from);
                comma = comma < 0 ? text.length() : comma;
                if (comma > from)
                {
                    try
                    {
                        keys.add(GroupKey.parse(text.substring(from, comma)));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new ShellSyntaxException(word.start() + from + 1, ex.getMessage());
                    }
                }
                from = comma + 1;
            }
        }
        return keys;
    }

    /** The one word of a clause that takes one. */
    static Word single(final Part part)
    {
        if (part.words().size() > 1)
        {
            final Word extra = part.words().get(1);
            throw new ShellSyntaxException(extra.start() + 1, "unexpected " + quote(extra.text()) + " after '"
                + part.keyword().text() + " " + part.words().getFirst().text() + "'");
        }
        return part.words().getFirst();
    }

    static int positive(final Word word, final String what)
    {
        try
        {
            final int n = Integer.parseInt(word.text());
            if (n > 0)
            {
                return n;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // said below
        }
        throw new ShellSyntaxException(word.start() + 1, what + ": expected a positive whole number, got " + quote(word.text()));
    }

    static Query.By by(final Word word)
    {
        try
        {
            return Query.By.valueOf(word.lower());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ShellSyntaxException(word.start() + 1, "by: expected bytes, packets or flows, got " + quote(word.text()));
        }
    }

    static long interval(final Word word)
    {
        final long ns;
        try
        {
            ns = Durations.parseNs(word.text());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ShellSyntaxException(word.start() + 1, "series D: " + ex.getMessage());
        }
        if (ns <= 0)
        {
            throw new ShellSyntaxException(word.start() + 1, "series D: the interval must be positive");
        }
        return ns;
    }

    static long time(final Part part, final String line, final long nowNs)
    {
        return time(part.words().getFirst(), part.value(line), part.clause().keyword, nowNs);
    }

    static long time(final Word first, final String text, final String what, final long nowNs)
    {
        try
        {
            return Times.parseNs(text, nowNs);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ShellSyntaxException(first.start() + 1, what + ": " + ex.getMessage());
        }
    }

    static FlowFilter filter(final Part part, final String line)
    {
        final String text = part.value(line);
        try
        {
            return FilterParser.parse(text);
        }
        catch (final FilterSyntaxException ex)
        {
            // The message counts columns in the filter, as the command line's --where does; the caret goes under the line.
            throw new ShellSyntaxException(part.valueStart() + ex.column(), ex.getMessage());
        }
    }
}
