package dev.flowrec.ipfix;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * An IPFIX collector's address as the command line gives it: {@code udp://HOST:PORT}, HOST a name, an IPv4 address or
 * an IPv6 address in brackets ({@code udp://[::1]:4739}). Resolved once, when parsed: a name that does not resolve is
 * refused before the recorder or the export starts, not found out later.
 *
 * @param text    as given
 * @param address resolved
 */
public record Collector(String text, InetSocketAddress address)
{
    /** IANA's port for IPFIX (RFC 7011 section 10.3.4): what {@code udp://HOST} without a port means. */
    public static final int IPFIX_PORT = 4739;

    /** @throws IllegalArgumentException with one line saying what is wrong with {@code text} */
    public static Collector parse(final String text)
    {
        final int colon = text.indexOf("://");
        if (colon < 0)
        {
            throw new IllegalArgumentException(text + ": not a collector URL: use udp://HOST:PORT");
        }
        final String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("udp"))
        {
            throw new IllegalArgumentException(text + ": unknown scheme '" + text.substring(0, colon) +
                "': only udp:// (IPFIX over UDP, RFC 7011 section 10)");
        }
        final String authority = text.substring(colon + 3);
        if (authority.contains("/") || authority.contains("?") || authority.contains("#") || authority.contains("@"))
        {
            throw new IllegalArgumentException(text + ": a collector URL is udp://HOST:PORT, with no user, path or query");
        }
        final String host;
        final String port;
        if (authority.startsWith("["))
        {
            final int close = authority.indexOf(']');
            if (close < 0)
            {
                throw new IllegalArgumentException(text + ": an IPv6 address in brackets lacks its ']'");
            }
            host = authority.substring(1, close);
            final String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":"))
            {
                throw new IllegalArgumentException(text + ": expected ':PORT' after ']'");
            }
            port = rest.isEmpty() ? "" : rest.substring(1);
        }
        else
        {
            final int last = authority.lastIndexOf(':');
            if (last >= 0 && authority.indexOf(':') != last)
            {
                throw new IllegalArgumentException(text + ": an IPv6 address goes in brackets: udp://[ADDRESS]:PORT");
            }
            host = last < 0 ? authority : authority.substring(0, last);
            port = last < 0 ? "" : authority.substring(last + 1);
        }
        if (host.isEmpty())
        {
            throw new IllegalArgumentException(text + ": no host");
        }
        return new Collector(text, new InetSocketAddress(resolve(text, host), port(text, port)));
    }

    private static int port(final String text, final String port)
    {
        if (port.isEmpty())
        {
            return IPFIX_PORT;
        }
        final int value;
        try
        {
            value = Integer.parseInt(port);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(text + ": port '" + port + "' is not a number");
        }
        if (value < 1 || value > 65535)
        {
            throw new IllegalArgumentException(text + ": port " + value + " out of range 1-65535");
        }
        return value;
    }

    private static InetAddress resolve(final String text, final String host)
    {
        try
        {
            return InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(text + ": cannot resolve host '" + host + "'");
        }
        catch (final SecurityException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(text + ": bad host '" + host + "': " + ex.getMessage());
        }
    }
}
