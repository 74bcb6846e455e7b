package dev.flowrec.recorder.live;

import dev.flowrec.recorder.live.HttpCounters.Reason;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP/1.1 connection, served on its own (virtual) thread: reads a request head of at most
 * {@link HttpLimits#maxHeadBytes()} into a fixed buffer, answers through {@link Routes}, keeps the connection
 * for the next request unless either side asked to close. Request bodies are never read: a GET with one is
 * 413, any other method 405, and either closes the connection after draining at most {@link #DRAIN_BYTES}.
 * <p>
 * Deadlines, enforced from outside by {@link HttpEndpoints}' reaper, which closes the socket (and so ends
 * any blocked read or write): idle (waiting for a request's first byte), request (from its first byte to
 * its last header), response, linger (the drain before closing).
 */
final class HttpConnection implements Runnable
{
    static final int DRAIN_BYTES = 64 * 1024;
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(1);

    private enum State
    {
        IDLE, REQUEST, RESPONSE, LINGER
    }

    private final Socket socket;
    private final Routes routes;
    private final HttpCounters counters;
    private final HttpLimits limits;
    private final Runnable onClosed;
    private final byte[] head;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int filled;
    private volatile State state = State.IDLE;
    private volatile long deadlineNs;

    HttpConnection(final Socket socket, final Routes routes, final HttpCounters counters, final HttpLimits limits,
        final Runnable onClosed)
    {
        this.socket = socket;
        this.routes = routes;
        this.counters = counters;
        this.limits = limits;
        this.onClosed = onClosed;
        this.head = new byte[limits.maxHeadBytes()];
        enter(State.IDLE, limits.idleTimeoutNs());
    }

    public void run()
    {
        try
        {
            socket.setTcpNoDelay(true);
            final InputStream in = socket.getInputStream();
            final OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            while (serve(in, out))
            {
                enter(State.IDLE, limits.idleTimeoutNs());
            }
        }
        catch (final IOException ex)
        {
            // the peer went away, or the reaper closed the socket at a deadline
        }
        finally
        {
            close();
        }
    }

    /** Closes the socket when its deadline has passed; a late request or response is counted. Reaper thread. */
    void reapIfLate(final long nowNs)
    {
        if (nowNs - deadlineNs > 0 && !closed.get())
        {
            final State late = state;
            if (late == State.REQUEST || late == State.RESPONSE)
            {
                counters.reject(Reason.TIMEOUT);
            }
            close();
        }
    }

    /** Idempotent; any thread. */
    void close()
    {
        if (closed.compareAndSet(false, true))
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // nothing left to do with it
            }
            onClosed.run();
        }
    }

    /** @return true to read another request on this connection */
    private boolean serve(final InputStream in, final OutputStream out) throws IOException
    {
        final int end = readHead(in);
        if (end == 0)
        {
            return false; // closed by the peer, between requests or within a head
        }
        if (end < 0)
        {
            counters.reject(Reason.HEADER_SIZE);
            respond(out, "GET", Routes.Response.of(431, Routes.TEXT,
                "request line and headers over " + limits.maxHeadBytes() + " bytes\n"), false);
            lingerAndClose(in);
            return false;
        }
        final RequestHead request = RequestHead.parse(new String(head, 0, end, StandardCharsets.ISO_8859_1));
        System.arraycopy(head, end, head, 0, filled - end); // a pipelined next request stays
        filled -= end;
        if (request == null)
        {
            counters.reject(Reason.MALFORMED);
            respond(out, "GET", Routes.Response.of(400, Routes.TEXT, "bad request\n"), false);
            lingerAndClose(in);
            return false;
        }
        final boolean get = request.method().equals("GET") || request.method().equals("HEAD");
        if (get && request.hasBody())
        {
            counters.reject(Reason.BODY);
            respond(out, request.method(), Routes.Response.of(413, Routes.TEXT, "GET and HEAD take no body\n"), false);
            lingerAndClose(in);
            return false;
        }
        final boolean keepAlive = request.keepAlive() && !request.hasBody();
        respond(out, request.method(), routes.answer(request.method(), request.target()), keepAlive);
        if (!keepAlive)
        {
            lingerAndClose(in);
        }
        return keepAlive;
    }

    /**
     * @return the length of the head including its blank line; 0 on end of stream; -1 when the buffer
     *     filled up first
     */
    private int readHead(final InputStream in) throws IOException
    {
        int scanned = 0;
        while (true)
        {
            final int end = endOfHead(scanned);
            if (end > 0)
            {
                return end;
            }
            scanned = Math.max(0, filled - 3);
            if (filled == head.length)
            {
                return -1;
            }
            final int n = in.read(head, filled, head.length - filled);
            if (n < 0)
            {
                return 0;
            }
            if (state == State.IDLE)
            {
                enter(State.REQUEST, limits.requestTimeoutNs()); // a slow client gets this long for the whole head
            }
            filled += n;
        }
    }

    private int endOfHead(final int from)
    {
        for (int i = from; i < filled; i++)
        {
            if (head[i] == '\n')
            {
                if (i + 1 < filled && head[i + 1] == '\n')
                {
                    return i + 2;
                }
                if (i + 2 < filled && head[i + 1] == '\r' && head[i + 2] == '\n')
                {
                    return i + 3;
                }
            }
        }
        return 0;
    }

    private void respond(final OutputStream out, final String method, final Routes.Response response,
        final boolean keepAlive) throws IOException
    {
        enter(State.RESPONSE, limits.responseTimeoutNs());
        final StringBuilder h = new StringBuilder(256)
            .append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status())).append("\r\n")
            .append("Content-Type: ").append(response.contentType()).append("\r\n")
            .append("Content-Length: ").append(response.body().length).append("\r\n")
            .append("Cache-Control: no-store\r\n");
        if (response.allow())
        {
            h.append("Allow: GET, HEAD\r\n");
        }
        if (!keepAlive)
        {
            h.append("Connection: close\r\n");
        }
        out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD"))
        {
            out.write(response.body());
        }
        out.flush();
        counters.answered();
    }

    /** Half-closes, then drains what the client still sends (a body), boundedly, so the answer is not lost to a reset. */
    private void lingerAndClose(final InputStream in) throws IOException
    {
        enter(State.LINGER, LINGER_NS);
        socket.shutdownOutput();
        final byte[] sink = new byte[4096];
        int drained = 0;
        while (drained < DRAIN_BYTES)
        {
            final int n = in.read(sink);
            if (n < 0)
            {
                break;
            }
            drained += n;
        }
        close();
    }

    private void enter(final State next, final long timeoutNs)
    {
        deadlineNs = System.nanoTime() + timeoutNs;
        state = next;
    }

    static String reason(final int status)
    {
        return switch (status)
        {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status " + status;
        };
    }

    /** The parts of a request head the endpoints use. */
    record RequestHead(String method, String target, boolean keepAlive, boolean hasBody)
    {
        /** @return null when it is not an HTTP/1.x request head */
        static RequestHead parse(final String text)
        {
            final String[] lines = text.split("\r?\n");
            final String[] requestLine = lines[0].split(" ", -1);
            if (requestLine.length != 3 || !requestLine[0].matches("[A-Z]{1,16}") ||
                !requestLine[1].startsWith("/") || !requestLine[2].matches("HTTP/1\\.[01]"))
            {
                return null;
            }
            boolean keepAlive = requestLine[2].equals("HTTP/1.1");
            boolean hasBody = false;
            for (int i = 1; i < lines.length; i++)
            {
                final String line = lines[i];
                final int colon = line.indexOf(':');
                if (colon <= 0 || !line.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))
                {
                    return null;
                }
                final String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
                final String value = line.substring(colon + 1).strip();
                switch (name)
                {
                    case "content-length" ->
                    {
                        if (!value.matches("[0-9]{1,18}"))
                        {
                            return null;
                        }
                        hasBody |= Long.parseLong(value) > 0;
                    }
                    case "transfer-encoding" -> hasBody = true;
                    case "connection" -> keepAlive &= !value.toLowerCase(Locale.ROOT).contains("close");
                    default ->
                    {
                        // not needed to answer
                    }
                }
            }
            return new RequestHead(requestLine[0], requestLine[1], keepAlive, hasBody);
        }
    }
}
