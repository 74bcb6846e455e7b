package dev.flowrec.query.shell;

import dev.flowrec.query.filter.FilterLexer;
import dev.flowrec.query.filter.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the parts of a shell line are: the command word, the command's arguments, and each clause with its value.
 * One splitting for the parser, completion and highlighting, so that they never disagree.
 * <p>
 * Words are separated by white space. After a command that asks (see {@link Verb#asks()}), a clause keyword
 * starts a new clause, except inside a {@code where} filter at a place where the filter expects a value: after a
 * field ({@code iface top}), after a comparison ({@code bytes > ...}) or after {@code mask}. So
 * {@code where port 80 since -1h} ends the filter before {@code since}; {@code where iface since} does not.
 */
record Layout(String line, Word verb, List<Word> arguments, List<Part> parts)
{
    /** A word of the line: [start, end) in it. */
    record Word(String text, int start, int end)
    {
        String lower()
        {
            return text.toLowerCase(Locale.ROOT);
        }
    }

    /** A clause: its keyword and the words of its value. */
    record Part(Clause clause, Word keyword, List<Word> words)
    {
        /** Where the value starts (just past the keyword and one space when it is empty). */
        int valueStart()
        {
            return words.isEmpty() ? keyword.end() + 1 : words.getFirst().start();
        }

        /** The value as typed, inner spacing kept: a filter, or a time with a space in it. */
        String value(final String line)
        {
            return words.isEmpty() ? "" : line.substring(words.getFirst().start(), words.getLast().end());
        }
    }

    static Layout of(final String line)
    {
        final List<Word> words = words(line);
        if (words.isEmpty())
        {
            return new Layout(line, null, List.of(), List.of());
        }
        final Word verbWord = words.getFirst();
        final Verb verb = Verb.of(verbWord.text());
        final List<Word> arguments = new ArrayList<>();
        final List<Part> parts = new ArrayList<>();
        Part current = null;
        for (int i = 1; i < words.size(); i++)
        {
            final Word word = words.get(i);
            final Clause clause = verb != null && verb.asks() ? Clause.of(word.text()) : null;
            if (clause != null && !(current != null && current.clause() == Clause.WHERE &&
                filterAwaitsValue(line, current.valueStart(), word.start())))
            {
                current = new Part(clause, word, new ArrayList<>());
                parts.add(current);
            }
            else if (current != null)
            {
                current.words().add(word);
            }
            else
            {
                arguments.add(word);
            }
        }
        return new Layout(line, verbWord, arguments, parts);
    }

    Verb command()
    {
        return verb == null ? null : Verb.of(verb.text());
    }

    /** The clause whose keyword or value holds {@code offset} (a cursor), or null when it is among the arguments. */
    Part partAt(final int offset)
    {
        Part at = null;
        for (final Part part : parts)
        {
            if (part.keyword().start() <= offset)
            {
                at = part;
            }
        }
        return at;
    }

    /** Whether a filter whose text runs [from, to) in the line ends where a value must follow. */
    static boolean filterAwaitsValue(final String line, final int from, final int to)
    {
        if (to <= from)
        {
            return false;
        }
        final List<Token> tokens = FilterLexer.tokens(line.substring(from, to));
        if (tokens.isEmpty())
        {
            return false;
        }
        final Token last = tokens.getLast();
        return switch (last.kind())
        {
            case FIELD -> true;
            case OPERATOR -> !last.text().equals("!") && !last.text().equals("&&") && !last.text().equals("||");
            case KEYWORD -> last.text().equalsIgnoreCase("mask");
            default -> false;
        };
    }

    static List<Word> words(final String line)
    {
        final List<Word> words = new ArrayList<>();
        int i = 0;
        final int n = line.length();
        while (i < n)
        {
            while (i < n && Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            final int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            if (i > start)
            {
                words.add(new Word(line.substring(start, i), start, i));
            }
        }
        return words;
    }
}
