package dev.flowrec.recorder.live;

import dev.flowrec.journal.text.Addresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The recorder's HTTP side: the dashboard at {@code /}, its static assets, {@code /traffic}, {@code /metrics},
 * {@code /healthz}, the live push {@code /api/live} and the journal's {@code /api/series} and {@code /api/top}
 * (see {@link Routes}), served by Jetty 12 (core handlers, no servlet container) with every bound of
 * recorder/HTTP.md: at most {@code maxConnections} open connections, the next answered 503 and closed at once
 * ({@link BoundedConnections}); heads over 8 KiB 431; heads trickled in for longer than their deadline closed
 * by a reaper; bodies refused. Handlers run on virtual threads; Jetty's own selector and acceptor are a fixed
 * handful of platform threads made at start. Every refusal is counted by reason and shown in {@code /metrics}.
 * Handlers only read the view's latest snapshot, or the journal from disk; never the recorder thread's state.
 */
public final class HttpEndpoints implements AutoCloseable
{
    private static final int BACKLOG = 1024;
    /** Acceptor, selector and a spare: all made at start (min = max), so load never adds platform threads. */
    private static final int PLATFORM_THREADS = 4;

    private final Server server;
    private final ServerConnector connector;
    private final HttpCounters counters;
    private final BoundedConnections connections;
    private final Routes routes;
    private volatile boolean closed;

    private HttpEndpoints(final Server server, final ServerConnector connector, final HttpCounters counters,
        final BoundedConnections connections, final Routes routes)
    {
        this.server = server;
        this.connector = connector;
        this.counters = counters;
        this.connections = connections;
        this.routes = routes;
    }

    /**
     * Binds exactly {@code bind} (port 0: an ephemeral port, see {@link #address()}) and serves {@code view}; the
     * journal's APIs answer 503 (no journal).
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public static HttpEndpoints start(final InetSocketAddress bind, final LiveView view)
    {
        return start(bind, view, null, HttpLimits.DEFAULT);
    }

    /** As {@link #start(InetSocketAddress, LiveView)}, with {@code /api/series} and {@code /api/top} over {@code journal}. */
    public static HttpEndpoints start(final InetSocketAddress bind, final LiveView view, final Path journal)
    {
        return start(bind, view, journal, HttpLimits.DEFAULT);
    }

    static HttpEndpoints start(final InetSocketAddress bind, final LiveView view, final Path journal,
        final HttpLimits limits)
    {
        final QueuedThreadPool threads = new QueuedThreadPool(PLATFORM_THREADS, PLATFORM_THREADS);
        threads.setName("flowrec-http");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        threads.setVirtualThreadsExecutor(
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("flowrec-http-conn").factory()));
        final Server server = new Server(threads, new ScheduledExecutorScheduler("flowrec-http-timer", true), null);
        server.setStopTimeout(0);
        final HttpCounters counters = new HttpCounters();
        final HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(limits.maxHeadBytes());
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        config.setRelativeRedirectAllowed(true);
        final BoundedConnections connections = new BoundedConnections(config, counters, limits);
        final ServerConnector connector = new ServerConnector(server, 1, 1, connections);
        connector.setHost(bind.getAddress().getHostAddress());
        connector.setPort(bind.getPort());
        connector.setAcceptQueueSize(BACKLOG);
        connector.setIdleTimeout(TimeUnit.NANOSECONDS.toMillis(limits.idleTimeoutNs()));
        server.addConnector(connector);
        final Routes routes = new Routes(view, counters, journal);
        server.setHandler(routes);
        server.setErrorHandler(new ErrorAnswers(counters));
        try
        {
            server.start();
        }
        catch (final Exception ex)
        {
            stopQuietly(server);
            throw new UncheckedIOException("http: cannot listen on " + text(bind) + ": " + ex.getMessage(),
                ex instanceof IOException io ? io : new IOException(ex));
        }
        connections.startReaper();
        return new HttpEndpoints(server, connector, counters, connections, routes);
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
        return new InetSocketAddress(InetAddress.ofLiteral(connector.getHost()), connector.getLocalPort());
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

    /** Stops accepting, ends live pushes, closes every connection (abandoning exchanges in progress). Idempotent. */
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            routes.close();
            connections.stopReaper();
            stopQuietly(server);
        }
    }

    private static void stopQuietly(final Server server)
    {
        try
        {
            server.stop();
        }
        catch (final Exception ignored)
        {
            // closing: the connections and threads are gone or going
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
