package dev.flowrec.recorder.live;

import dev.flowrec.recorder.live.HttpCounters.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answers to requests that never reach {@link Routes} (a head over the size bound, a request that is not
 * HTTP) and to handler failures: one line of text, counted by reason ({@code header_size}, {@code malformed}; a
 * handler's failure is not a refusal), the connection closed after a refusal.
 */
final class ErrorAnswers implements Request.Handler
{
    private final HttpCounters counters;

    ErrorAnswers(final HttpCounters counters)
    {
        this.counters = counters;
    }

    public boolean handle(final Request request, final Response response, final Callback callback)
    {
        final int jettyStatus = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        // a request that is not HTTP/1.x is 400 whatever Jetty found first (505 for "NOT HTTP"), as before
        final int status = jettyStatus == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 || jettyStatus == HttpStatus.URI_TOO_LONG_414 ||
            jettyStatus == HttpStatus.INTERNAL_SERVER_ERROR_500 ? jettyStatus : HttpStatus.BAD_REQUEST_400;
        final String line = switch (status)
        {
            case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431, HttpStatus.URI_TOO_LONG_414 ->
            {
                counters.reject(Reason.HEADER_SIZE);
                yield "request line and headers over the size bound\n";
            }
            case HttpStatus.INTERNAL_SERVER_ERROR_500 -> "internal error\n";
            default ->
            {
                counters.reject(Reason.MALFORMED);
                yield "bad request\n";
            }
        };
        counters.answered();
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Routes.TEXT);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (status != HttpStatus.INTERNAL_SERVER_ERROR_500)
        {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
