package dev.flowrec.recorder.live;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The parameters of {@code GET /traffic}: {@code container=ID_OR_NAME}, {@code iface=NAME},
 * {@code top=N} (default {@value #DEFAULT_TOP}, at most {@link LiveView#MAX_TOP_FLOWS}). Strict: an
 * unknown, repeated or empty parameter is an error, so that a typo is not silently an unfiltered answer.
 *
 * @param container null for any; else a container's exact id or name, or a prefix of at least
 *                  {@value #MIN_ID_PREFIX} characters of its id (as {@code docker ps} shortens them)
 * @param iface     null for any; else an interface name
 */
record TrafficQuery(String container, String iface, int top)
{
    static final int DEFAULT_TOP = 10;
    static final int MIN_ID_PREFIX = 12;
    static final TrafficQuery ALL = new TrafficQuery(null, null, DEFAULT_TOP);

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
                default -> throw new IllegalArgumentException(
                    "unknown query parameter '" + name + "': expected container, iface or top");
            }
        }
        return new TrafficQuery(container, iface, top == null ? DEFAULT_TOP : top);
    }

    boolean matchesContainer(final String value)
    {
        return container == null || container.equals(value) ||
            container.length() >= MIN_ID_PREFIX && value.startsWith(container);
    }

    boolean matchesIface(final String name)
    {
        return iface == null || iface.equals(name);
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
