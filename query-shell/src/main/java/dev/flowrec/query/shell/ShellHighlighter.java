package dev.flowrec.query.shell;

import dev.flowrec.query.filter.FilterLexer;
import dev.flowrec.query.filter.Token;
import dev.flowrec.query.shell.Layout.Part;
import java.util.Arrays;
import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Colours a line as it is typed, split as the parser splits it ({@link Layout}): command and clause words bold,
 * an unknown command red; in a {@code where} filter, the {@link FilterLexer}'s tokens: keywords magenta, field
 * names cyan, numbers yellow, addresses green, characters that can never be in a filter red and underlined.
 */
final class ShellHighlighter implements Highlighter
{
    static final AttributedStyle COMMAND = AttributedStyle.BOLD;
    static final AttributedStyle UNKNOWN = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
    static final AttributedStyle KEYWORD = AttributedStyle.DEFAULT.foreground(AttributedStyle.MAGENTA);
    static final AttributedStyle FIELD = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
    static final AttributedStyle NUMBER = AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
    static final AttributedStyle ADDRESS = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
    static final AttributedStyle ERROR = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED).underline();

    public AttributedString highlight(final LineReader reader, final String buffer)
    {
        return highlight(buffer);
    }

    static AttributedString highlight(final String buffer)
    {
        final AttributedStyle[] styles = new AttributedStyle[buffer.length()];
        Arrays.fill(styles, AttributedStyle.DEFAULT);
        final Layout layout = Layout.of(buffer);
        if (layout.verb() != null && !layout.verb().text().startsWith("#"))
        {
            final Verb verb = layout.command();
            paint(styles, layout.verb().start(), layout.verb().end(), verb == null ? UNKNOWN : COMMAND);
            for (final Part part : layout.parts())
            {
                paint(styles, part.keyword().start(), part.keyword().end(),
                    verb.clauses.contains(part.clause()) ? COMMAND : UNKNOWN);
                if (part.clause() == Clause.WHERE && !part.words().isEmpty())
                {
                    filter(styles, part.words().getFirst().start(), part.value(buffer));
                }
            }
        }
        final AttributedStringBuilder sb = new AttributedStringBuilder(buffer.length());
        for (int i = 0; i < buffer.length(); i++)
        {
            sb.style(styles[i]).append(buffer.charAt(i));
        }
        return sb.toAttributedString();
    }

    private static void filter(final AttributedStyle[] styles, final int offset, final String text)
    {
        for (final Token token : FilterLexer.tokens(text))
        {
            final AttributedStyle style = switch (token.kind())
            {
                case KEYWORD -> KEYWORD;
                case FIELD -> FIELD;
                case NUMBER -> NUMBER;
                case ADDRESS -> ADDRESS;
                case ERROR -> ERROR;
                case OPERATOR, PAREN, WORD -> AttributedStyle.DEFAULT;
            };
            paint(styles, offset + token.start(), offset + token.end(), style);
        }
    }

    private static void paint(final AttributedStyle[] styles, final int from, final int to, final AttributedStyle style)
    {
        Arrays.fill(styles, from, Math.min(to, styles.length), style);
    }
}
