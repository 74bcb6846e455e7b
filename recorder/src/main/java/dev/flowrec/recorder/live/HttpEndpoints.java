package dev.flowrec.recorder.live;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recorder's HTTP endpoints on the JDK's built-in server: {@code GET /traffic}, {@code /metrics},
 * {@code /healthz} (see {@link Routes}). Bounded: {@value #THREADS} handler threads and a queue of
 * {@value #QUEUE} connections; beyond that a connection is closed at once and counted in
 * {@link #rejected()}, so a flood of clients costs the recorder nothing but the dispatcher's accept.
 * Handlers only read the view's latest snapshot; they never touch the recorder thread's state.
 */
public final class HttpEndpoints implements AutoCloseable
{
    static final int THREADS = 2;
    static final int QUEUE = 32;
    private static final int BACKLOG = 16;

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final AtomicLong rejected;
    private boolean closed;

    private HttpEndpoints(final HttpServer server, final ThreadPoolExecutor executor, final AtomicLong rejected)
    {
        this.server = server;
        this.executor = executor;
        this.rejected = rejected;
    }

    /**
     * Binds exactly {@code bind} (port 0: an ephemeral port, see {@link #address()}) and serves {@code view}.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static HttpEndpoints start(final InetSocketAddress bind, final LiveView view)
    {
        final HttpServer server;
        try
        {
            server = HttpServer.create(bind, BACKLOG);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("http: cannot listen on " + text(bind) + ": " + ex.getMessage(), ex);
        }
        final AtomicLong rejected = new AtomicLong();
        final AtomicInteger threadNumber = new AtomicInteger();
        final ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            task ->
            {
                final Thread thread = new Thread(task, "flowrec-http-" + threadNumber.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            },
            (task, pool) ->
            {
                // the JDK server closes the connection when execute throws
                rejected.incrementAndGet();
                throw new RejectedExecutionException("http: busy");
            });
        server.setExecutor(executor);
        server.createContext("/", new Routes(view));
        server.start();
        return new HttpEndpoints(server, executor, rejected);
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
        return server.getAddress();
    }

    /** @return connections closed unserved because both threads and the queue were busy. */
    public long rejected()
    {
        return rejected.get();
    }

    /** Stops accepting, abandons exchanges in progress, stops the threads. Idempotent. */
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static String text(final InetSocketAddress address)
    {
        final InetAddress ip = address.getAddress();
        final String host = ip == null ? address.getHostString() : ip.getHostAddress();
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
