package dev.flowrec.recorder.live;

import dev.flowrec.recorder.live.HttpCounters.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's HTTP/1.1 connections, at most {@link HttpLimits#maxConnections()} open at once: the next accepted socket
 * gets a canned 503 ({@code Retry-After: 1}) and is closed, counted {@code connections}. (Jetty's own
 * {@code ConnectionLimit} stops accepting instead, which leaves clients waiting in the backlog, uncounted.)
 * <p>
 * A reaper thread closes any connection whose request head has been arriving for longer than
 * {@link HttpLimits#requestTimeoutNs()} (slowloris), counted {@code timeout}: Jetty's idle timeout is reset by
 * every byte, so a client trickling one byte a second would hold its connection for ever.
 */
final class BoundedConnections extends HttpConnectionFactory
{
    private static final long REAPER_TICK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final byte[] BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
        "Content-Length: 27\r\nRetry-After: 1\r\nConnection: close\r\n\r\nbusy: too many connections\n")
        .getBytes(StandardCharsets.ISO_8859_1);

    private final HttpCounters counters;
    private final HttpLimits limits;
    /** Open connections and when their current head began (0: none in progress). */
    private final Map<HttpConnection, long[]> open = new ConcurrentHashMap<>();
    private final Thread reaper;
    private volatile boolean stopped;

    BoundedConnections(final HttpConfiguration config, final HttpCounters counters, final HttpLimits limits)
    {
        super(config);
        this.counters = counters;
        this.limits = limits;
        this.reaper = Thread.ofPlatform().name("flowrec-http-reaper").daemon().unstarted(this::reapLoop);
    }

    /** Selector thread: a bounded HTTP connection, or the 503 once the bound is reached. */
    public Connection newConnection(final Connector connector, final EndPoint endPoint)
    {
        if (!takeOne())
        {
            counters.reject(Reason.CONNECTIONS);
            return new Busy(endPoint, connector);
        }
        final Connection connection = super.newConnection(connector, endPoint);
        connection.addEventListener(new Connection.Listener()
        {
            public void onClosed(final Connection closed)
            {
                if (open.remove(closed) != null)
                {
                    counters.open().decrementAndGet();
                }
            }
        });
        open.put((HttpConnection)connection, new long[1]);
        return connection;
    }

    /** Counts one more open connection if the bound allows: the gauge never shows more than the bound, even briefly. */
    private boolean takeOne()
    {
        int n;
        do
        {
            n = counters.open().get();
            if (n >= limits.maxConnections())
            {
                return false;
            }
        }
        while (!counters.open().compareAndSet(n, n + 1));
        return true;
    }

    void startReaper()
    {
        reaper.start();
    }

    void stopReaper()
    {
        stopped = true;
        LockSupport.unpark(reaper);
        try
        {
            reaper.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void reapLoop()
    {
        while (!stopped)
        {
            final long nowNs = System.nanoTime();
            open.forEach((connection, headStartNs) -> reapIfLate(connection, headStartNs, nowNs));
            LockSupport.parkNanos(REAPER_TICK_NS);
        }
    }

    /**
     * A head is in progress from its first byte (the parser left START, or counted bytes in it: blank lines before a
     * request line, which the parser skips in START) until it is whole (content or later).
     */
    private void reapIfLate(final HttpConnection connection, final long[] headStartNs, final long nowNs)
    {
        final HttpParser parser = connection.getParser();
        final boolean inHead = parser.inHeaderState() && (!parser.isStart() || parser.getHeaderLength() > 0);
        if (!inHead)
        {
            headStartNs[0] = 0;
        }
        else if (headStartNs[0] == 0)
        {
            headStartNs[0] = nowNs;
        }
        else if (nowNs - headStartNs[0] > limits.requestTimeoutNs() && open.containsKey(connection))
        {
            headStartNs[0] = 0;
            counters.reject(Reason.TIMEOUT);
            connection.getEndPoint().close();
        }
    }

    /** Writes the canned 503 and closes; the answer fits any fresh socket's send buffer. */
    private static final class Busy extends AbstractConnection
    {
        Busy(final EndPoint endPoint, final Connector connector)
        {
            super(endPoint, connector.getExecutor());
        }

        public void onOpen()
        {
            super.onOpen();
            final EndPoint endPoint = getEndPoint();
            endPoint.write(Callback.from(endPoint::close, failure -> endPoint.close()), ByteBuffer.wrap(BUSY));
        }

        public void onFillable()
        {
            // never asked to fill
        }
    }
}
