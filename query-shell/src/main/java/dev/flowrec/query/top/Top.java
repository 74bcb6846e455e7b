package dev.flowrec.query.top;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * {@code flowrec top}: a full-screen view refreshed every interval on a terminal (keys sort, group, filter, pause and
 * quit), or the same view printed plainly every interval to a pipe.
 */
public final class Top
{
    private static final int ESC = 27;
    private static final int CTRL_C = 3;

    private final TopSource source;
    private final TopModel model;
    private final long intervalNs;
    private TopView view;
    private String error;
    /** A filter that was refused: shown until the next key, though later fetches with the old filter succeed. */
    private String refused;

    private Top(final TopSource source, final TopModel model, final long intervalNs)
    {
        this.source = source;
        this.model = model;
        this.intervalNs = intervalNs;
    }

    /** A recorder's live view at {@code address} (HOST:PORT or a URL). */
    public static TopSource http(final String address)
    {
        return new HttpSource(address);
    }

    /** A journal, followed live. */
    public static TopSource journal(final Path journal, final LongSupplier clockNs)
    {
        return new JournalSource(journal, clockNs);
    }

    /** The group names the keys cycle through, for --group-by's check. */
    public static List<String> groups()
    {
        return java.util.Arrays.stream(TopModel.Group.values()).map(Enum::name).toList();
    }

    /**
     * Prints the view every interval, {@code count} times (0: until killed or the reader goes).
     *
     * @return 0, or 1 when the last fetch failed (a recorder that went away)
     */
    public static int plain(final TopSource source, final String sort, final String group, final String where,
        final long intervalNs, final long count, final PrintWriter out, final PrintWriter err) throws InterruptedException
    {
        final Top top = new Top(source, new TopModel(TopModel.Sort.valueOf(sort), TopModel.Group.valueOf(group), where),
            intervalNs);
        int status = 0;
        for (long i = 0; count == 0 || i < count; i++)
        {
            if (i > 0)
            {
                TimeUnit.NANOSECONDS.sleep(intervalNs);
            }
            top.fetch();
            if (top.error != null)
            {
                err.println("flowrec top: " + top.error);
                err.flush();
                status = 1;
                continue;
            }
            status = 0;
            TopScreen.lines(source.describe(), top.view, top.model, 0, 0, null).forEach(out::println);
            out.println();
            out.flush();
            if (out.checkError())
            {
                return 0; // the reader has gone (top | head)
            }
        }
        return status;
    }

    /** The full-screen view until q, Ctrl-C or the end of input. */
    public static void interactive(final TopSource source, final String sort, final String group, final String where,
        final long intervalNs) throws IOException
    {
        new Top(source, new TopModel(TopModel.Sort.valueOf(sort), TopModel.Group.valueOf(group), where), intervalNs).run();
    }

    private void fetch()
    {
        try
        {
            view = source.fetch(model.where);
            error = null;
        }
        catch (final IllegalArgumentException ex)
        {
            error = ex.getMessage();
        }
    }

    private void run() throws IOException
    {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build())
        {
            final boolean[] quit = {false};
            terminal.handle(Terminal.Signal.INT, s -> quit[0] = true);
            final Attributes saved = terminal.enterRawMode();
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.cursor_invisible);
            terminal.flush();
            try
            {
                loop(terminal, quit);
            }
            finally
            {
                terminal.puts(Capability.cursor_visible);
                terminal.puts(Capability.exit_ca_mode);
                terminal.flush();
                terminal.setAttributes(saved);
            }
        }
    }

    private void loop(final Terminal terminal, final boolean[] quit) throws IOException
    {
        final Display display = new Display(terminal, true);
        final NonBlockingReader reader = terminal.reader();
        StringBuilder editing = null;
        long nextFetchNs = 0;
        while (!quit[0])
        {
            final long nowNs = System.nanoTime();
            if (!model.paused && nowNs - nextFetchNs >= 0)
            {
                fetch();
                nextFetchNs = nowNs + intervalNs;
            }
            draw(terminal, display, editing);
            final long waitMs = model.paused ? 500 : Math.max(10, TimeUnit.NANOSECONDS.toMillis(nextFetchNs - System.nanoTime()));
            final int c = reader.read(waitMs);
            if (c == NonBlockingReader.READ_EXPIRED)
            {
                continue;
            }
            if (c < 0 || c == CTRL_C)
            {
                return;
            }
            refused = null;
            if (editing != null)
            {
                if (c == '\r' || c == '\n')
                {
                    final String previous = model.where;
                    model.where = editing.toString().strip();
                    fetch();
                    if (error != null)
                    {
                        refused = error;
                        model.where = previous; // a filter that does not parse (or fails) leaves the view as it was
                    }
                    nextFetchNs = System.nanoTime() + intervalNs;
                    editing = null;
                }
                else if (c == ESC)
                {
                    editing = null;
                }
                else if (c == 127 || c == 8)
                {
                    editing.setLength(Math.max(0, editing.length() - 1));
                }
                else if (c >= ' ')
                {
                    editing.append((char)c);
                }
                continue;
            }
            switch (c)
            {
                case 'q', 'Q' -> quit[0] = true;
                case 'b' -> model.sort = TopModel.Sort.bytes;
                case 'p' -> model.sort = TopModel.Sort.packets;
                case 'g' -> model.group = model.group.next();
                case ' ' -> model.paused = !model.paused;
                case '/' -> editing = new StringBuilder(model.where);
                default ->
                {
                }
            }
        }
    }

    private void draw(final Terminal terminal, final Display display, final StringBuilder editing)
    {
        final Size size = terminal.getSize();
        final int rows = Math.max(3, size.getRows());
        final int columns = Math.max(20, size.getColumns());
        display.resize(rows, columns);
        final List<String> text = TopScreen.lines(source.describe(), view, model, columns, rows - 1,
            refused != null ? refused : error);
        final List<AttributedString> lines = new ArrayList<>(rows);
        for (int i = 0; i < Math.min(text.size(), rows - 1); i++)
        {
            lines.add(i == 0 ? new AttributedString(text.get(i), AttributedStyle.INVERSE) : new AttributedString(text.get(i)));
        }
        while (lines.size() < rows - 1)
        {
            lines.add(AttributedString.EMPTY);
        }
        final String bottom = editing != null ? "filter: " + editing + "_   (Enter applies, Esc cancels)" : TopScreen.KEYS;
        lines.add(new AttributedString(bottom.length() > columns ? bottom.substring(0, columns) : bottom,
            AttributedStyle.BOLD));
        display.update(lines, -1);
        terminal.flush();
    }
}
