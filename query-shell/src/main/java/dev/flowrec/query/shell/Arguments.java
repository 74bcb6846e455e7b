package dev.flowrec.query.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the command line's form of a query into arguments as a POSIX shell would: white space separates,
 * 'single quotes' keep everything, "double quotes" keep everything but \" and \\, a backslash outside quotes
 * escapes the next character.
 */
final class Arguments
{
    private Arguments()
    {
    }

    static List<String> split(final String text)
    {
        final List<String> args = new ArrayList<>();
        final StringBuilder arg = new StringBuilder();
        boolean inArg = false;
        char quote = 0;
        int quoteAt = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = 0;
                }
                else
                {
                    arg.append(c);
                }
            }
            else if (quote == '"')
            {
                if (c == '"')
                {
                    quote = 0;
                }
                else if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == '"' || text.charAt(i + 1) == '\\'))
                {
                    arg.append(text.charAt(++i));
                }
                else
                {
                    arg.append(c);
                }
            }
            else if (Character.isWhitespace(c))
            {
                if (inArg)
                {
                    args.add(arg.toString());
                    arg.setLength(0);
                    inArg = false;
                }
            }
            else
            {
                inArg = true;
                if (c == '\'' || c == '"')
                {
                    quote = c;
                    quoteAt = i;
                }
                else if (c == '\\' && i + 1 < text.length())
                {
                    arg.append(text.charAt(++i));
                }
                else
                {
                    arg.append(c);
                }
            }
        }
        if (quote != 0)
        {
            throw new ShellSyntaxException(0, "query: unclosed " + quote + " (opened at character " + (quoteAt + 1) + " of the options)");
        }
        if (inArg)
        {
            args.add(arg.toString());
        }
        return args;
    }
}
