package dev.flowrec.recorder.live;

import dev.flowrec.query.filter.AmbiguousNameException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * Answers every request that Jetty parsed: dispatches on the exact path (so that {@code /trafficX} is not
 * {@code /traffic}): an unknown path is 404, a known one with a method other than GET or HEAD 405 with
 * {@code Allow}; a GET or HEAD with a body is 413 (the body drained up to {@value #DRAIN_BYTES} bytes, so the answer
 * is not lost to a reset, then the connection closed). Runs on a virtual thread per request; reads only the view's
 * latest snapshot, the HTTP counters and (for {@code /api/series}, {@code /api/top}) the journal on disk.
 */
final class Routes extends Handler.Abstract
{
    static final long HEALTHY_AGE_NS = TimeUnit.SECONDS.toNanos(5);
    static final int DRAIN_BYTES = 64 * 1024;
    /** How long a refused body is drained at most (HTTP.md: "for at most 1 s"). */
    static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(1);
    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    private static final String KNOWN = "try /, /traffic, /metrics, /healthz, /api/series, /api/top, /api/live";

    /** A whole answer; {@code allow} adds {@code Allow: GET, HEAD}. */
    record Response(int status, String contentType, byte[] body, boolean allow)
    {
        static Response of(final int status, final String contentType, final String body)
        {
            return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), false);
        }
    }

    private final LiveView view;
    private final HttpCounters counters;
    private final JournalApi journal;
    private final StaticAssets assets = StaticAssets.load();
    private final LivePush push;

    Routes(final LiveView view, final HttpCounters counters)
    {
        this(view, counters, null);
    }

    Routes(final LiveView view, final HttpCounters counters, final Path journal)
    {
        super(InvocationType.BLOCKING);
        this.view = view;
        this.counters = counters;
        this.journal = new JournalApi(journal);
        this.push = new LivePush(view, this::health);
    }

    /** Ends every live push at its next tick. */
    void close()
    {
        push.close();
    }

    public boolean handle(final Request request, final org.eclipse.jetty.server.Response response,
        final Callback callback) throws IOException
    {
        final String method = request.getMethod();
        final boolean get = method.equals("GET") || method.equals("HEAD");
        final boolean hasBody = request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        final String path = request.getHttpURI().getPath() == null ? "" : request.getHttpURI().getPath();
        if (hasBody)
        {
            drain(request);
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        if (get && hasBody)
        {
            counters.reject(HttpCounters.Reason.BODY);
            return send(response, callback, Response.of(413, TEXT, "GET and HEAD take no body\n"));
        }
        if (get && path.equals("/api/live") && method.equals("GET"))
        {
            counters.answered();
            push.serve(request, response, callback, counters);
            return true;
        }
        return send(response, callback, answer(method, path, request.getHttpURI().getQuery()));
    }

    /** @param target the request target as sent, {@code /path?query} (tests ask without a socket) */
    Response answer(final String method, final String target)
    {
        final int q = target.indexOf('?');
        return answer(method, q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1));
    }

    private Response answer(final String method, final String path, final String rawQuery)
    {
        if (!known(path))
        {
            return Response.of(404, TEXT, "not found: " + path + " (" + KNOWN + ")\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD"))
        {
            counters.reject(HttpCounters.Reason.METHOD);
            final Response r = Response.of(405, TEXT, "method not allowed: " + method + "\n");
            return new Response(r.status(), r.contentType(), r.body(), true);
        }
        return route(path, rawQuery);
    }

    private boolean known(final String path)
    {
        return switch (path)
        {
            case "/traffic", "/metrics", "/healthz", "/api/series", "/api/top", "/api/live" -> true;
            default -> assets.has(path);
        };
    }

    private Response route(final String path, final String rawQuery)
    {
        try
        {
            return switch (path)
            {
                case "/traffic" -> traffic(rawQuery);
                case "/metrics" -> Response.of(200, PrometheusText.CONTENT_TYPE,
                    PrometheusText.render(view.snapshot(), counters, view.errorsTotal(), view.ownerCounts(),
                        view.dnsCounts(), view.dnsUnsolicited()) + view.metricsAppendix());
                case "/healthz" -> healthz();
                case "/api/series", "/api/top", "/api/live" -> api(path, rawQuery);
                default -> assets.get(path);
            };
        }
        catch (final RuntimeException ex)
        {
            // a rendering bug must not cost the connection
            return Response.of(500, TEXT, "internal error: " + ex + "\n");
        }
    }

    private Response api(final String path, final String rawQuery)
    {
        if (path.equals("/api/live"))
        {
            return Response.of(200, LivePush.CONTENT_TYPE, ""); // HEAD: the headers of the stream
        }
        try
        {
            return Response.of(200, JSON, journal.answer(path.equals("/api/series"), rawQuery, view.nowNs()) + "\n");
        }
        catch (final JournalApi.Refused ex)
        {
            return Response.of(ex.status, JSON, new Json().beginObject().field("error", ex.getMessage()).endObject() + "\n");
        }
    }

    private boolean send(final org.eclipse.jetty.server.Response response, final Callback callback, final Response r)
    {
        response.setStatus(r.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (r.allow())
        {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        }
        counters.answered();
        response.write(true, ByteBuffer.wrap(r.body()), Callback.from(callback::succeeded, failure ->
        {
            countTimeout(failure, counters);
            callback.failed(failure);
        }));
        return true;
    }

    /** A write that failed because the idle timeout ended it (a client that does not read) is counted {@code timeout}. */
    static void countTimeout(final Throwable failure, final HttpCounters counters)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof java.util.concurrent.TimeoutException)
            {
                counters.reject(HttpCounters.Reason.TIMEOUT);
                return;
            }
        }
    }

    /**
     * Reads at most {@link #DRAIN_BYTES} of a body that will not be used, for at most {@link #DRAIN_NS}, so that closing
     * does not reset the answer. Both bounds: a body sent a byte at a time would keep the idle timeout from ever firing
     * and the reaper only times heads, so the read itself gets a short idle timeout and the loop a deadline.
     */
    private static void drain(final Request request)
    {
        request.getConnectionMetaData().getConnection().getEndPoint()
            .setIdleTimeout(TimeUnit.NANOSECONDS.toMillis(DRAIN_NS));
        final long deadlineNs = System.nanoTime() + DRAIN_NS;
        try (InputStream in = Content.Source.asInputStream(request))
        {
            final byte[] sink = new byte[4096];
            int drained = 0;
            while (drained < DRAIN_BYTES && System.nanoTime() - deadlineNs < 0)
            {
                final int n = in.read(sink);
                if (n < 0)
                {
                    break;
                }
                drained += n;
            }
        }
        catch (final IOException ignored)
        {
            // the client went away or the idle timeout ended it: the answer goes out or not, the same
        }
    }

    private Response traffic(final String rawQuery)
    {
        final TrafficQuery query;
        try
        {
            query = TrafficQuery.parse(rawQuery);
        }
        catch (final TrafficQuery.BadFilter ex)
        {
            return Response.of(400, JSON, new Json().beginObject().field("error", ex.getMessage())
                .field("pointer", ex.pointer()).endObject() + "\n");
        }
        catch (final IllegalArgumentException ex)
        {
            return badRequest(ex);
        }
        try
        {
            return Response.of(200, JSON, TrafficJson.render(view.snapshot(), query) + "\n");
        }
        catch (final AmbiguousNameException ex)
        {
            return badRequest(ex);
        }
    }

    private static Response badRequest(final IllegalArgumentException ex)
    {
        return Response.of(400, JSON, new Json().beginObject().field("error", ex.getMessage()).endObject() + "\n");
    }

    private Response healthz()
    {
        final String problem = health();
        return problem == null ? Response.of(200, TEXT, "ok\n") : Response.of(503, TEXT, problem + "\n");
    }

    /** @return null when healthy, else why not, in one line */
    String health()
    {
        final long publishedNs = view.snapshot().timeNs();
        if (publishedNs == 0)
        {
            return "no snapshot published yet";
        }
        final String journalProblem = view.journalProblem();
        if (journalProblem != null)
        {
            return "journal not written: " + journalProblem;
        }
        final long ageNs = view.nowNs() - publishedNs;
        if (ageNs < HEALTHY_AGE_NS)
        {
            return null;
        }
        return String.format(Locale.ROOT, "stale: last snapshot %.1f s ago", ageNs / 1e9);
    }

    /** A blocking write on this virtual thread; a write stalled past the idle timeout fails, counted {@code timeout}. */
    static boolean writeBlocking(final org.eclipse.jetty.server.Response response, final boolean last,
        final ByteBuffer bytes, final HttpCounters counters)
    {
        try (Blocker.Callback blocker = Blocker.callback())
        {
            response.write(last, bytes, blocker);
            blocker.block();
            return true;
        }
        catch (final IOException ex)
        {
            countTimeout(ex, counters);
            return false;
        }
    }
}
