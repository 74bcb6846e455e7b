package dev.flowrec.recorder.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi, the remote protocol built into Firefox (no geckodriver):
 * one tab, its console errors, JavaScript exceptions and failed loads collected from the first load, JavaScript
 * evaluated in it, the viewport set, screenshots taken. A fresh profile each time whose user.js (firefox-user.js beside
 * this class) keeps Firefox off the network (updates, telemetry, studies, captive-portal checks, safe browsing, remote
 * settings): on a closed machine those would only wait for timeouts and fill stderr.
 */
final class Firefox implements Browser
{
    static final Path BINARY = Path.of("/usr/bin/firefox-esr");
    private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Proc.Background process;
    private final RemoteProtocol bidi;
    private String context;

    private Firefox(final Proc.Background process, final URI session) throws Exception
    {
        this.process = process;
        this.bidi = new RemoteProtocol("WebDriver BiDi", session, this::onEvent);
    }

    /** Starts Firefox on about:blank, opens a BiDi session on its tab and subscribes to what the errors are read from. */
    static Firefox start(final TestRun run) throws Exception
    {
        final Path profile = Files.createDirectories(run.dir().resolve("firefox-profile"));
        try (InputStream prefs = Firefox.class.getResourceAsStream("firefox-user.js"))
        {
            Files.copy(prefs, profile.resolve("user.js"));
        }
        // the environment lets user.js's remote-settings server count in a release build (see firefox-user.js)
        final Proc.Background p = run.start("firefox", List.of("env", "MOZ_REMOTE_SETTINGS_DEVTOOLS=1", BINARY.toString(),
            "--headless", "--no-remote", "--profile", profile.toString(), "--remote-debugging-port", "0", "about:blank"));
        final String[] endpoint = new String[1];
        Proc.await(Duration.ofSeconds(60), "Firefox's WebDriver BiDi address", () ->
        {
            final Matcher m = LISTENING.matcher(p.err());
            return !p.alive() || (m.find() && (endpoint[0] = m.group(1)) != null);
        }, p::err);
        if (endpoint[0] == null)
        {
            throw new AssertionError("firefox-esr exited at start:\n" + p.err());
        }
        final Firefox firefox = new Firefox(p, URI.create(endpoint[0] + "/session"));
        firefox.call("session.new", Map.of("capabilities", Map.of()));
        firefox.call("session.subscribe", Map.of("events", List.of("log.entryAdded", "network.responseCompleted", "network.fetchError")));
        firefox.context = firefox.call("browsingContext.getTree", Map.of("maxDepth", 0)).path("contexts").path(0).path("context").asText();
        return firefox;
    }

    @Override
    public void open(final String url)
    {
        call("browsingContext.navigate", Map.of("context", context, "url", url, "wait", "complete"));
    }

    /** BiDi sets the size only: no touch, no meta viewport; the page lays out at the phone's width all the same. */
    @Override
    public void viewport(final int width, final int height, final boolean mobile)
    {
        call("browsingContext.setViewport", Map.of("context", context, "viewport", Map.of("width", width, "height", height),
            "devicePixelRatio", 1));
    }

    @Override
    public JsonNode evaluate(final String expression)
    {
        final JsonNode r = call("script.evaluate", Map.of("expression", expression, "target", Map.of("context", context),
            "awaitPromise", true, "resultOwnership", "none"));
        if (r.path("type").asText().equals("exception"))
        {
            throw new AssertionError("evaluate " + expression + ": " + r.path("exceptionDetails"));
        }
        final JsonNode value = r.path("result");
        return switch (value.path("type").asText())
        {
            case "string", "number", "boolean" -> value.get("value");
            case "null", "undefined" -> NullNode.getInstance();
            default -> throw new AssertionError("evaluate " + expression + ": a " + value.path("type").asText() +
                ", not a string, number or boolean (JSON.stringify it)");
        };
    }

    /** The whole document, not only what the viewport shows (BiDi's origin "document"). */
    @Override
    public void screenshot(final Path png) throws Exception
    {
        final JsonNode r = call("browsingContext.captureScreenshot", Map.of("context", context, "origin", "document"));
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    @Override
    public List<String> errors()
    {
        return new ArrayList<>(errors);
    }

    private JsonNode call(final String method, final Map<String, Object> params)
    {
        return bidi.call(method, params);
    }

    private void onEvent(final JsonNode m)
    {
        final JsonNode p = m.path("params");
        switch (m.path("method").asText())
        {
            case "log.entryAdded" ->
            {
                if (p.path("level").asText().equals("error"))
                {
                    final JsonNode frame = p.path("stackTrace").path("callFrames").path(0);
                    errors.add(p.path("type").asText() + (p.has("method") ? "." + p.get("method").asText() : "") + ": " +
                        p.path("text").asText() + (frame.isMissingNode() ? "" : " at " + frame.path("url").asText() + ":" +
                        frame.path("lineNumber").asText()));
                }
            }
            case "network.responseCompleted" ->
            {
                if (p.path("response").path("status").asInt() >= 400)
                {
                    errors.add("load: " + p.path("request").path("url").asText() + " answered " + p.path("response").path("status").asInt());
                }
            }
            case "network.fetchError" -> errors.add("load: " + p.path("request").path("url").asText() + " failed: " +
                p.path("errorText").asText());
            case "unreadable" -> errors.add("unreadable BiDi message: " + m.path("text").asText());
            default ->
            {
                // other events are not asked about
            }
        }
    }

    @Override
    public void close()
    {
        bidi.close();
        process.close();
    }
}
