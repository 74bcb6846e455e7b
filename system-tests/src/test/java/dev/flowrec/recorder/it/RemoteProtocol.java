package dev.flowrec.recorder.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Commands and their answers as JSON over a WebSocket, the shape Chromium's DevTools protocol and WebDriver BiDi
 * share: a command is {@code {"id","method","params"}}, its answer the message with the same id ({@code "result"}, or
 * {@code "error"} when it failed), and any other message an event for the browser's own class to read.
 * java.net.http's WebSocket, no client library.
 */
final class RemoteProtocol implements AutoCloseable
{
    static final Duration CALL = Duration.ofSeconds(30);

    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final String name;
    private final Consumer<JsonNode> events;
    private final WebSocket socket;

    /** Connects to uri; name says which protocol in errors; events gets every message that is not an answer. */
    RemoteProtocol(final String name, final URI uri, final Consumer<JsonNode> events) throws Exception
    {
        this.name = name;
        this.events = events;
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(CALL)
            .buildAsync(uri, new WebSocket.Listener()
            {
                private final StringBuilder text = new StringBuilder();

                public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
                {
                    text.append(data);
                    if (last)
                    {
                        onMessage(text.toString());
                        text.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(CALL.toSeconds(), TimeUnit.SECONDS);
    }

    ObjectMapper mapper()
    {
        return mapper;
    }

    /** Sends a command and waits for its answer; its {@code result}, or an AssertionError saying what failed. */
    JsonNode call(final String method, final Map<String, Object> params)
    {
        final int id = ids.incrementAndGet();
        final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        calls.put(id, answer);
        final ObjectNode message = mapper.createObjectNode().put("id", id).put("method", method);
        message.set("params", mapper.valueToTree(params));
        final JsonNode reply;
        try
        {
            socket.sendText(mapper.writeValueAsString(message), true).get(CALL.toSeconds(), TimeUnit.SECONDS);
            reply = answer.get(CALL.toSeconds(), TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(name + " " + method + ": " + ex, ex);
        }
        finally
        {
            calls.remove(id);
        }
        if (reply.has("error"))
        {
            // DevTools: {"code","message"}; BiDi: an error code, and the message beside it
            throw new AssertionError(name + " " + method + ": " + reply.get("error") + " " + reply.path("message").asText(""));
        }
        return reply.path("result");
    }

    private void onMessage(final String text)
    {
        final JsonNode m;
        try
        {
            m = mapper.readTree(text);
        }
        catch (final IOException ex)
        {
            events.accept(mapper.createObjectNode().put("method", "unreadable").put("text", text));
            return;
        }
        final CompletableFuture<JsonNode> call = m.path("id").canConvertToInt() ? calls.get(m.get("id").asInt()) : null;
        if (call != null)
        {
            call.complete(m);
        }
        else if (!m.has("id") || m.get("id").isNull())
        {
            events.accept(m);
        }
    }

    @Override
    public void close()
    {
        socket.abort();
    }
}
