package dev.flowrec.recorder.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Dispatches on the exact path (one context, so that {@code /trafficX} is not {@code /traffic}): an unknown
 * path is 404, a known one with a method other than GET or HEAD is 405 with {@code Allow}. Request bodies
 * are never read; the JDK server drains a little of one and closes the connection on more.
 */
final class Routes implements HttpHandler
{
    static final long HEALTHY_AGE_NS = TimeUnit.SECONDS.toNanos(5);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final LiveView view;

    Routes(final LiveView view)
    {
        this.view = view;
    }

    public void handle(final HttpExchange exchange) throws IOException
    {
        try
        {
            route(exchange);
        }
        catch (final RuntimeException ex)
        {
            // a rendering bug must not cost the thread; the client sees 500 unless headers are already out
            if (exchange.getResponseCode() == -1)
            {
                send(exchange, 500, TEXT, "internal error: " + ex + "\n");
            }
        }
        finally
        {
            exchange.close();
        }
    }

    private void route(final HttpExchange exchange) throws IOException
    {
        final String path = exchange.getRequestURI().getPath();
        if (!path.equals("/traffic") && !path.equals("/metrics") && !path.equals("/healthz"))
        {
            send(exchange, 404, TEXT, "not found: " + path + " (try /traffic, /metrics, /healthz)\n");
            return;
        }
        final String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD"))
        {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            send(exchange, 405, TEXT, "method not allowed: " + method + "\n");
            return;
        }
        switch (path)
        {
            case "/traffic" -> traffic(exchange);
            case "/metrics" -> send(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(view.snapshot()));
            default -> healthz(exchange);
        }
    }

    private void traffic(final HttpExchange exchange) throws IOException
    {
        final TrafficQuery query;
        try
        {
            query = TrafficQuery.parse(exchange.getRequestURI().getRawQuery());
        }
        catch (final IllegalArgumentException ex)
        {
            send(exchange, 400, JSON, new Json().beginObject().field("error", ex.getMessage()).endObject() + "\n");
            return;
        }
        send(exchange, 200, JSON, TrafficJson.render(view.snapshot(), query) + "\n");
    }

    private void healthz(final HttpExchange exchange) throws IOException
    {
        final long publishedNs = view.snapshot().timeNs();
        if (publishedNs == 0)
        {
            send(exchange, 503, TEXT, "no snapshot published yet\n");
            return;
        }
        final long ageNs = view.nowNs() - publishedNs;
        if (ageNs < HEALTHY_AGE_NS)
        {
            send(exchange, 200, TEXT, "ok\n");
        }
        else
        {
            send(exchange, 503, TEXT, String.format(Locale.ROOT, "stale: last snapshot %.1f s ago%n", ageNs / 1e9));
        }
    }

    private static void send(final HttpExchange exchange, final int status, final String contentType, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD"))
        {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
