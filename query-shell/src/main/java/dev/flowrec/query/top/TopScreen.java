package dev.flowrec.query.top;

import dev.flowrec.journal.text.OneLine;
import dev.flowrec.journal.text.Sizes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Draws a view as lines of text for a screen of a given size: a header (source, time, sort, group, filter, paused),
 * the busiest interfaces and containers with their rates, the flows table filling what is left, and the keys.
 * The same lines, without the keys, are what a pipe gets.
 */
final class TopScreen
{
    static final String KEYS = "b bytes  p packets  g group  / filter  space pause  q quit";
    private static final int LINKS_SHOWN = 5;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private TopScreen()
    {
    }

    /**
     * @param height  lines available; 0 for no limit (a pipe)
     * @param error   what went wrong with the last fetch (a bad filter, a recorder gone), or null
     */
    static List<String> lines(final String source, final TopView view, final TopModel model, final int width,
        final int height, final String error)
    {
        final List<String> lines = new ArrayList<>();
        lines.add(fit("flowrec top  " + source + "  " + (view == null ? "" : TIME.format(Instant.ofEpochSecond(0,
            view.timeNs())) + " UTC") + "  sort " + model.sort + ", group " + model.group
            + (model.where.isBlank() ? "" : ", filter: " + model.where) + (model.paused ? "  [paused]" : ""), width));
        if (error != null)
        {
            lines.add(fit("! " + error, width));
        }
        if (view == null)
        {
            return lines;
        }
        if (!view.note().isEmpty())
        {
            lines.add(fit("! " + view.note(), width));
        }
        links(lines, "interfaces", view.interfaces(), width);
        links(lines, "containers", view.containers(), width);
        final List<TopModel.Row> rows = model.rows(view);
        final int longest = rows.stream().mapToInt(r -> OneLine.of(r.label()).length()).max().orElse(0);
        final int labelWidth = Math.max(20, width <= 0 ? longest : Math.min(longest, width - 48));
        lines.add(fit(String.format(Locale.ROOT, "%-" + labelWidth + "s %11s %9s %10s %8s %5s", model.group == TopModel.Group.flow ?
            "flows (last " + view.spanS() + " s)" : "by " + model.group + " (last " + view.spanS() + " s)",
            "rate", "pkt/s", "bytes", "packets", "flows"), width));
        final int room = height == 0 ? rows.size() : Math.max(0, height - lines.size() - 1);
        for (final TopModel.Row r : rows.subList(0, Math.min(room, rows.size())))
        {
            lines.add(fit(String.format(Locale.ROOT, "%-" + labelWidth + "s %11s %9.1f %10s %8d %5d",
                cut(r.label(), labelWidth), Sizes.human(r.bytes() / view.spanS()) + "/s", (double)r.packets() / view.spanS(),
                Sizes.human(r.bytes()), r.packets(), r.flows()), width));
        }
        if (rows.isEmpty())
        {
            lines.add("  (no flows" + (model.where.isBlank() ? "" : " that pass the filter") + ")");
        }
        return lines;
    }

    private static void links(final List<String> lines, final String title, final List<TopView.Link> links,
        final int width)
    {
        if (links.isEmpty())
        {
            return;
        }
        lines.add(fit(String.format(Locale.ROOT, "%-30s %11s %11s %9s %9s", title, "rx/s", "tx/s", "rx pkt/s",
            "tx pkt/s"), width));
        links.stream().sorted(Comparator.comparingDouble((TopView.Link l) -> l.rxBytesPerS() + l.txBytesPerS()).reversed()
            .thenComparing(TopView.Link::name)).limit(LINKS_SHOWN).forEach(l -> lines.add(fit(String.format(Locale.ROOT,
            "  %-28s %11s %11s %9.1f %9.1f", cut(l.name(), 28), Sizes.human((long)l.rxBytesPerS()) + "/s",
            Sizes.human((long)l.txBytesPerS()) + "/s", l.rxPacketsPerS(), l.txPacketsPerS()), width)));
    }

    private static String cut(final String text, final int width)
    {
        final String one = OneLine.of(text);
        return one.length() <= width ? one : one.substring(0, Math.max(0, width - 1)) + "…";
    }

    private static String fit(final String line, final int width)
    {
        return width <= 0 || line.length() <= width ? line : line.substring(0, width);
    }
}
