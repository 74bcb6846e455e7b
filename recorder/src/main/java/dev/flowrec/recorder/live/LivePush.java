package dev.flowrec.recorder.live;

import dev.flowrec.query.filter.AmbiguousNameException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /api/live}: Server-Sent Events, one {@code data:} line a second holding the view's latest published
 * snapshot as {@code /traffic} shows it (same parameters) and the health line ({@code null} when healthy), so the
 * dashboard needs neither polling nor a WebSocket. Each stream is one request on its own virtual thread and holds one
 * of the bounded connections; a client that stops reading is cut by the idle timeout (its write fails). At most
 * {@link #MAX_STREAMS} at once (503 beyond), so that streams never take the connections /healthz and /metrics need.
 */
final class LivePush
{
    static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    private static final long PERIOD_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Streams at once: each holds one of the server's 64 connections for as long as its client reads, so that many
     * tabs must not leave /healthz and /metrics to the canned 503.
     */
    static final int MAX_STREAMS = 16;

    private final AtomicInteger streams = new AtomicInteger();

    private final LiveView view;
    private final Supplier<String> health;
    private volatile boolean closed;

    LivePush(final LiveView view, final Supplier<String> health)
    {
        this.view = view;
        this.health = health;
    }

    void close()
    {
        closed = true;
    }

    void serve(final Request request, final Response response, final Callback callback, final HttpCounters counters)
    {
        final TrafficQuery query;
        try
        {
            query = TrafficQuery.parse(request.getHttpURI().getQuery());
        }
        catch (final IllegalArgumentException ex)
        {
            refuse(response, callback, 400, ex.getMessage());
            return;
        }
        String event;
        try
        {
            event = event(query); // before the status: an ambiguous container prefix is the request's fault, a 400
        }
        catch (final AmbiguousNameException ex)
        {
            refuse(response, callback, 400, "where: " + ex.getMessage());
            return;
        }
        if (streams.incrementAndGet() > MAX_STREAMS)
        {
            streams.decrementAndGet();
            refuse(response, callback, 503, "busy: " + MAX_STREAMS + " live streams open; try again");
            return;
        }
        try
        {
            stream(response, callback, counters, query, event);
        }
        finally
        {
            streams.decrementAndGet();
        }
    }

    private void stream(final Response response, final Callback callback, final HttpCounters counters,
        final TrafficQuery query, final String first)
    {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        long nextNs = System.nanoTime();
        String event = first;
        while (!closed)
        {
            if (!Routes.writeBlocking(response, false, utf8(event), counters))
            {
                callback.failed(new IllegalStateException("live push: the client went away"));
                return;
            }
            nextNs += PERIOD_NS;
            for (long waitNs; !closed && (waitNs = nextNs - System.nanoTime()) > 0; )
            {
                LockSupport.parkNanos(Math.min(waitNs, PERIOD_NS / 4));
            }
            try
            {
                event = event(query);
            }
            catch (final RuntimeException ex)
            {
                callback.failed(ex); // a container that became ambiguous, or a rendering bug: end this stream only
                return;
            }
        }
        callback.succeeded();
    }

    private String event(final TrafficQuery query)
    {
        return "data: " + new Json().beginObject().key("traffic").raw(TrafficJson.render(view.snapshot(), query))
            .field("health", health.get()).endObject() + "\n\n";
    }

    private static void refuse(final Response response, final Callback callback, final int status, final String error)
    {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Routes.JSON);
        response.write(true, utf8(new Json().beginObject().field("error", error).endObject() + "\n"), callback);
    }

    private static ByteBuffer utf8(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
