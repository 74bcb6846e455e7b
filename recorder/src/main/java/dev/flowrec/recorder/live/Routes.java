package dev.flowrec.recorder.live;

import dev.flowrec.query.filter.AmbiguousNameException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Answers one request: dispatches on the exact path (so that {@code /trafficX} is not {@code /traffic}): an
 * unknown path is 404, a known one with a method other than GET or HEAD is 405 with {@code Allow}. Reads
 * only the view's latest snapshot and the HTTP counters; knows nothing of sockets (see {@link HttpConnection}).
 */
final class Routes
{
    static final long HEALTHY_AGE_NS = TimeUnit.SECONDS.toNanos(5);
    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";

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

    Routes(final LiveView view, final HttpCounters counters)
    {
        this.view = view;
        this.counters = counters;
    }

    /** @param target the request target as sent, {@code /path?query} */
    Response answer(final String method, final String target)
    {
        try
        {
            return route(method, target);
        }
        catch (final RuntimeException ex)
        {
            // a rendering bug must not cost the connection's thread
            return Response.of(500, TEXT, "internal error: " + ex + "\n");
        }
    }

    private Response route(final String method, final String target)
    {
        final URI uri;
        try
        {
            uri = new URI(target);
        }
        catch (final URISyntaxException ex)
        {
            counters.reject(HttpCounters.Reason.MALFORMED);
            return Response.of(400, TEXT, "bad request target\n");
        }
        final String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.equals("/traffic") && !path.equals("/metrics") && !path.equals("/healthz"))
        {
            return Response.of(404, TEXT, "not found: " + path + " (try /traffic, /metrics, /healthz)\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD"))
        {
            counters.reject(HttpCounters.Reason.METHOD);
            final Response r = Response.of(405, TEXT, "method not allowed: " + method + "\n");
            return new Response(r.status(), r.contentType(), r.body(), true);
        }
        return switch (path)
        {
            case "/traffic" -> traffic(uri.getRawQuery());
            case "/metrics" -> Response.of(200, PrometheusText.CONTENT_TYPE,
                PrometheusText.render(view.snapshot(), counters, view.errorsTotal(), view.ownerCounts(),
                    view.dnsCounts()));
            default -> healthz();
        };
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
        final long publishedNs = view.snapshot().timeNs();
        if (publishedNs == 0)
        {
            return Response.of(503, TEXT, "no snapshot published yet\n");
        }
        final String journalProblem = view.journalProblem();
        if (journalProblem != null)
        {
            return Response.of(503, TEXT, "journal not written: " + journalProblem + "\n");
        }
        final long ageNs = view.nowNs() - publishedNs;
        if (ageNs < HEALTHY_AGE_NS)
        {
            return Response.of(200, TEXT, "ok\n");
        }
        return Response.of(503, TEXT, String.format(Locale.ROOT, "stale: last snapshot %.1f s ago%n", ageNs / 1e9));
    }
}
