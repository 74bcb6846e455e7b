package dev.flowrec.recorder.live;

import dev.flowrec.query.filter.FilterBinding;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FilterSyntaxException;
import dev.flowrec.query.filter.FlowFilter;
import dev.flowrec.query.filter.KnownNames;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The parameters of {@code GET /traffic}: {@code container=ID_OR_NAME}, {@code iface=NAME},
 * {@code top=N} (default {@value #DEFAULT_TOP}, at most {@link LiveView#MAX_TOP_FLOWS}) and {@code where=FILTER} (the
 * readers' filter language, compiled by the query module's parser). Strict: an unknown, repeated or empty parameter
 * is an error, so that a typo is not silently an unfiltered answer.
 *
 * @param container null for any; else a container's full id, short id or name, or an unambiguous prefix of at least
 *                  4 hex digits of its id, resolved against the containers of the recorder's run ({@link #bind})
 * @param iface     null for any; else an interface name
 * @param where     the filter on top flows; {@link FilterParser#ALL} when not given
 */
record TrafficQuery(String container, String iface, int top, FlowFilter where)
{
    static final int DEFAULT_TOP = 10;
    static final TrafficQuery ALL = new TrafficQuery(null, null, DEFAULT_TOP, FilterParser.ALL);
    private static final String SCOPE = "this recorder run";

    /** A filter of {@code where=} that does not parse: the parser's message, and the filter with a caret under the fault. */
    static final class BadFilter extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;
        private final String pointer;

        BadFilter(final FilterSyntaxException cause, final String text)
        {
            super("where: " + cause.getMessage(), cause);
            this.pointer = cause.pointer(text);
        }

        String pointer()
        {
            return pointer;
        }
    }

    /**
     * The query with its names resolved against the run's ({@code containers} null for any container).
     *
     * @param warnings one per name the run never saw
     */
    record Bound(TrafficQuery query, Set<String> containers, FlowFilter where, List<String> warnings)
    {
        boolean matchesContainer(final String label)
        {
            return containers == null || containers.contains(label);
        }

        boolean matchesIface(final String name)
        {
            return query.iface() == null || query.iface().equals(name);
        }
    }

    /** @throws IllegalArgumentException with a sentence for the client, on any bad parameter */
    static TrafficQuery parse(final String rawQuery)
    {
        if (rawQuery == null || rawQuery.isEmpty())
        {
            return ALL;
        }
        String container = null;
        String iface = null;
        Integer top = null;
        FlowFilter where = null;
        for (final String pair : rawQuery.split("&", -1))
        {
            final int eq = pair.indexOf('=');
            final String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            final String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (value.isEmpty())
            {
                throw new IllegalArgumentException("query parameter '" + name + "' needs a value");
            }
            switch (name)
            {
                case "container" -> container = once(name, container, value);
                case "iface" -> iface = once(name, iface, value);
                case "top" -> top = once(name, top, top(value));
                case "where" -> where = once(name, where, filter(value));
                default -> throw new IllegalArgumentException(
                    "unknown query parameter '" + name + "': expected container, iface, top or where");
            }
        }
        return new TrafficQuery(container, iface, top == null ? DEFAULT_TOP : top, where == null ? FilterParser.ALL : where);
    }

    /**
     * Resolves {@code container} and the filter's names against those the run journaled.
     *
     * @throws dev.flowrec.query.filter.AmbiguousNameException for a container prefix of several containers' ids
     */
    Bound bind(final KnownNames names)
    {
        final List<String> warnings = new ArrayList<>();
        final Set<String> containers = container == null ? null :
            FilterBinding.containerLabels(container, names, SCOPE, warnings);
        if (iface != null)
        {
            warnings.addAll(FilterBinding.interfaceWarnings(iface, names, SCOPE));
        }
        final FilterBinding.Bound bound = FilterBinding.bind(where, names, SCOPE);
        warnings.addAll(bound.warnings());
        return new Bound(this, containers, bound.filter(), List.copyOf(warnings));
    }

    private static FlowFilter filter(final String text)
    {
        try
        {
            return FilterParser.parse(text);
        }
        catch (final FilterSyntaxException ex)
        {
            throw new BadFilter(ex, text);
        }
    }

    private static int top(final String value)
    {
        try
        {
            final int top = Integer.parseInt(value);
            if (top >= 0 && top <= LiveView.MAX_TOP_FLOWS)
            {
                return top;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // same answer as out of range
        }
        throw new IllegalArgumentException(
            "top: expected an integer from 0 to " + LiveView.MAX_TOP_FLOWS + ", got '" + value + "'");
    }

    private static <T> T once(final String name, final T previous, final T value)
    {
        if (previous != null)
        {
            throw new IllegalArgumentException("query parameter '" + name + "' given twice");
        }
        return value;
    }

    private static String decode(final String s)
    {
        try
        {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("bad percent-encoding in query: '" + s + "'");
        }
    }
}
