package dev.flowrec.recorder.live;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.recorder.live.HttpCounters.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The recorder's HTTP endpoints: {@code GET /traffic}, {@code /metrics}, {@code /healthz} (see {@link Routes}),
 * on a small HTTP/1.1 server whose every resource is bounded ({@link HttpLimits}, recorder/HTTP.md): at most
 * {@code maxConnections} open connections, each served on its own virtual thread; one platform thread
 * accepts, and answers a connection over the bound with 503 and closes it at once; one platform thread, the
 * reaper, closes connections past their deadline, so a slow client holds nothing for long. Every refusal is
 * counted by reason and shown in {@code /metrics}. Handlers only read the view's latest snapshot; they never
 * touch the recorder thread's state.
 * <p>
 * Not the JDK's {@code com.sun.net.httpserver}: its connection bound and header-size bound close silently
 * (no count, no 431), and it reads request heads on its executor's threads, so slow clients starve them.
 */
public final class HttpEndpoints implements AutoCloseable
{
    private static final int BACKLOG = 1024;
    private static final long REAPER_TICK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final byte[] BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        "Content-Length: 27\r\nRetry-After: 1\r\nConnection: close\r\n\r\nbusy: too many connections\n")
        .getBytes(StandardCharsets.ISO_8859_1);

    private final ServerSocket server;
    private final HttpLimits limits;
    private final HttpCounters counters = new HttpCounters();
    private final Routes routes;
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Thread reaper;
    private volatile boolean closed;

    private HttpEndpoints(final ServerSocket server, final LiveView view, final HttpLimits limits)
    {
        this.server = server;
        this.limits = limits;
        this.routes = new Routes(view, counters);
        this.acceptor = Thread.ofPlatform().name("flowrec-http-accept").daemon().unstarted(this::acceptLoop);
        this.reaper = Thread.ofPlatform().name("flowrec-http-reaper").daemon().unstarted(this::reapLoop);
    }

    /**
     * Binds exactly {@code bind} (port 0: an ephemeral port, see {@link #address()}) and serves {@code view}.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static HttpEndpoints start(final InetSocketAddress bind, final LiveView view)
    {
        return start(bind, view, HttpLimits.DEFAULT);
    }

    static HttpEndpoints start(final InetSocketAddress bind, final LiveView view, final HttpLimits limits)
    {
        final ServerSocket server;
        try
        {
            server = new ServerSocket();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("http: cannot listen on " + text(bind) + ": " + ex.getMessage(), ex);
        }
        try
        {
            server.bind(bind, BACKLOG);
        }
        catch (final IOException ex)
        {
            closeQuietly(server);
            throw new UncheckedIOException("http: cannot listen on " + text(bind) + ": " + ex.getMessage(), ex);
        }
        final HttpEndpoints endpoints = new HttpEndpoints(server, view, limits);
        endpoints.acceptor.start();
        endpoints.reaper.start();
        return endpoints;
    }

    /**
     * Parses the value of {@code --http}: {@code ADDR:PORT} with a literal IPv4 address, {@code [ADDR]:PORT}
     * with a literal IPv6 one, or {@code off}. No name lookup: the bind address is what is written.
     *
     * @return the address, or empty for {@code off}
     * @throws IllegalArgumentException "--http: bad address 'x': expected ADDR:PORT or off"
     */
    public static Optional<InetSocketAddress> parseBind(final String value)
    {
        if ("off".equals(value))
        {
            return Optional.empty();
        }
        final IllegalArgumentException bad =
            new IllegalArgumentException("--http: bad address '" + value + "': expected ADDR:PORT or off");
        if (value == null)
        {
            throw bad;
        }
        final boolean bracketed = value.startsWith("[");
        final int colon = bracketed ? value.indexOf("]:") + 1 : value.lastIndexOf(':');
        if (colon <= 0)
        {
            throw bad;
        }
        final String host = bracketed ? value.substring(1, colon - 1) : value.substring(0, colon);
        final String port = value.substring(colon + 1);
        if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 0xFFFF ||
            bracketed != host.contains(":") || !bracketed && !host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"))
        {
            throw bad;
        }
        final InetAddress address;
        try
        {
            address = InetAddress.ofLiteral(host);
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad;
        }
        if (bracketed && !(address instanceof Inet6Address))
        {
            throw bad; // [::ffff:a.b.c.d] would silently become IPv4
        }
        return Optional.of(new InetSocketAddress(address, Integer.parseInt(port)));
    }

    /** @return the bound address, with the actual port when started on port 0. */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)server.getLocalSocketAddress();
    }

    /** @return requests and connections refused so far, all reasons together (by reason: {@code /metrics}). */
    public long rejected()
    {
        return counters.rejectedTotal();
    }

    HttpCounters counters()
    {
        return counters;
    }

    /** Stops accepting, closes every connection (abandoning exchanges in progress), stops the threads. Idempotent. */
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            closeQuietly(server);
            LockSupport.unpark(reaper);
            join(acceptor);
            join(reaper);
            connections.forEach(HttpConnection::close);
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = server.accept();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // e.g. out of fds: do not spin
                }
                continue;
            }
            if (counters.open().get() >= limits.maxConnections())
            {
                refuse(socket);
                continue;
            }
            counters.open().incrementAndGet();
            final HttpConnection[] self = new HttpConnection[1];
            self[0] = new HttpConnection(socket, routes, counters, limits, () ->
            {
                connections.remove(self[0]);
                counters.open().decrementAndGet();
            });
            connections.add(self[0]);
            try
            {
                Thread.ofVirtual().name("flowrec-http-conn").start(self[0]);
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                self[0].close();
            }
        }
    }

    /** 503 and close; the answer fits any fresh socket's send buffer, so the write does not block. */
    private void refuse(final Socket socket)
    {
        counters.reject(Reason.CONNECTIONS);
        try (socket)
        {
            socket.getOutputStream().write(BUSY);
        }
        catch (final IOException ignored)
        {
            // the client went first; it is still counted
        }
    }

    private void reapLoop()
    {
        while (!closed)
        {
            final long nowNs = System.nanoTime();
            for (final HttpConnection connection : connections)
            {
                connection.reapIfLate(nowNs);
            }
            LockSupport.parkNanos(REAPER_TICK_NS);
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(final ServerSocket server)
    {
        try
        {
            server.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
    }

    /** @return the URL this server answers on, as bound: {@code http://127.0.0.1:41523}, {@code http://[::1]:8080}. */
    public String url()
    {
        return "http://" + text(address());
    }

    private static String text(final InetSocketAddress address)
    {
        final InetAddress ip = address.getAddress();
        if (ip instanceof Inet6Address)
        {
            return "[" + Addresses.format(ip.getAddress(), 6) + "]:" + address.getPort(); // RFC 5952: [::1], not [0:0:...:1]
        }
        return (ip == null ? address.getHostString() : ip.getHostAddress()) + ":" + address.getPort();
    }
}
