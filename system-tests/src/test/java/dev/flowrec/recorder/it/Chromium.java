package dev.flowrec.recorder.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium driven over the DevTools protocol (java.net.http's WebSocket, no client library): one
 * page, its console errors and uncaught exceptions collected from the first load, JavaScript evaluated in it,
 * the viewport set, screenshots taken. Flags as the machine's notes say (no sandbox as root, no background
 * networking on a closed network), a fresh profile each time.
 */
final class Chromium implements AutoCloseable
{
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Duration CALL = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final ObjectMapper mapper = new ObjectMapper();
    private final Proc.Background process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private int width = 1280;
    private int height = 800;
    private boolean mobile;

    private Chromium(final Proc.Background process, final WebSocket socket)
    {
        this.process = process;
        this.socket = socket;
    }

    /** Starts Chromium on about:blank, attaches to its page and enables what the errors are read from. */
    static Chromium start(final TestRun run) throws Exception
    {
        final Path profile = Files.createDirectories(run.dir().resolve("chromium-profile"));
        final Proc.Background p = run.start("chromium", List.of(BINARY.toString(), "--headless", "--no-sandbox",
            "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--window-size=1280,800", "about:blank"));
        final String[] browser = new String[1];
        Proc.await(Duration.ofSeconds(60), "Chromium's DevTools address", () ->
        {
            final Matcher m = LISTENING.matcher(p.err());
            return !p.alive() || (m.find() && (browser[0] = m.group(1)) != null);
        }, p::err);
        if (browser[0] == null)
        {
            throw new AssertionError("chromium exited at start:\n" + p.err());
        }
        final URI ws = URI.create(browser[0]);
        final HttpClient http = HttpClient.newHttpClient();
        final String list = http.send(HttpRequest.newBuilder(URI.create("http://" + ws.getAuthority() + "/json/list"))
            .timeout(CALL).build(), HttpResponse.BodyHandlers.ofString()).body();
        String page = null;
        for (final JsonNode target : new ObjectMapper().readTree(list))
        {
            if (target.path("type").asText().equals("page"))
            {
                page = target.path("webSocketDebuggerUrl").asText();
            }
        }
        if (page == null)
        {
            throw new AssertionError("no page target in " + list);
        }
        final Chromium[] self = new Chromium[1];
        final WebSocket socket = http.newWebSocketBuilder().connectTimeout(CALL)
            .buildAsync(URI.create(page), new WebSocket.Listener()
            {
                private final StringBuilder text = new StringBuilder();

                public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
                {
                    text.append(data);
                    if (last)
                    {
                        self[0].onMessage(text.toString());
                        text.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(CALL.toSeconds(), TimeUnit.SECONDS);
        self[0] = new Chromium(p, socket);
        self[0].call("Runtime.enable", Map.of());
        self[0].call("Log.enable", Map.of());
        self[0].call("Page.enable", Map.of());
        return self[0];
    }

    /** Loads url and waits for its load event (scripts run). */
    void open(final String url) throws Exception
    {
        call("Page.navigate", Map.of("url", url));
        Proc.await(CALL, "the page to load " + url, () -> "complete".equals(evaluate("document.readyState").asText()),
            () -> "");
    }

    /** The viewport of a desktop (mobile=false) or a phone (mobile=true, touch, its own scale). */
    void viewport(final int width, final int height, final boolean mobile) throws Exception
    {
        this.width = width;
        this.height = height;
        this.mobile = mobile;
        call("Emulation.setDeviceMetricsOverride",
            Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** Evaluates an expression in the page; its value as JSON (returnByValue). */
    JsonNode evaluate(final String expression)
    {
        final JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails"))
        {
            throw new AssertionError("evaluate " + expression + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** A PNG of the whole page at the viewport's width: the viewport made as tall as the page for it, then put back. */
    void screenshot(final Path png) throws Exception
    {
        final int pageHeight = evaluate("document.documentElement.scrollHeight").asInt();
        call("Emulation.setDeviceMetricsOverride",
            Map.of("width", width, "height", Math.max(height, pageHeight), "deviceScaleFactor", 1, "mobile", mobile));
        Proc.sleepMs(300); // a frame at the new size
        final JsonNode r = call("Page.captureScreenshot", Map.of("format", "png"));
        viewport(width, height, mobile);
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    /** Console errors, uncaught exceptions and error log entries since the start, one line each. */
    List<String> errors()
    {
        return new ArrayList<>(errors);
    }

    JsonNode call(final String method, final Map<String, Object> params)
    {
        final int id = ids.incrementAndGet();
        final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        calls.put(id, answer);
        final ObjectNode message = mapper.createObjectNode().put("id", id).put("method", method);
        message.set("params", mapper.valueToTree(params));
        try
        {
            socket.sendText(mapper.writeValueAsString(message), true).get(CALL.toSeconds(), TimeUnit.SECONDS);
            final JsonNode reply = answer.get(CALL.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error"))
            {
                throw new AssertionError(method + ": " + reply.get("error"));
            }
            return reply.path("result");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("DevTools " + method + ": " + ex, ex);
        }
        finally
        {
            calls.remove(id);
        }
    }

    private void onMessage(final String text)
    {
        try
        {
            final JsonNode m = mapper.readTree(text);
            if (m.has("id"))
            {
                final CompletableFuture<JsonNode> call = calls.get(m.get("id").asInt());
                if (call != null)
                {
                    call.complete(m);
                }
                return;
            }
            final String method = m.path("method").asText();
            final JsonNode p = m.path("params");
            switch (method)
            {
                case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails"));
                case "Runtime.consoleAPICalled" ->
                {
                    if (p.path("type").asText().equals("error") || p.path("type").asText().equals("assert"))
                    {
                        errors.add("console." + p.path("type").asText() + ": " + p.path("args"));
                    }
                }
                case "Log.entryAdded" ->
                {
                    if (p.path("entry").path("level").asText().equals("error"))
                    {
                        errors.add("log: " + p.path("entry").path("text").asText() + " " + p.path("entry").path("url").asText());
                    }
                }
                default ->
                {
                    // other events are not asked about
                }
            }
        }
        catch (final IOException ex)
        {
            errors.add("unreadable DevTools message: " + text);
        }
    }

    @Override
    public void close()
    {
        socket.abort();
        process.close();
    }
}
