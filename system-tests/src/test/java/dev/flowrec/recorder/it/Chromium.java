package dev.flowrec.recorder.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven over the DevTools protocol: one page, its console errors and uncaught exceptions
 * collected from the first load, JavaScript evaluated in it, the viewport set, screenshots taken. Flags as the
 * machine's notes say (no sandbox as root, no background networking on a closed network), a fresh profile each time.
 */
final class Chromium implements Browser
{
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Duration CALL = RemoteProtocol.CALL;
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Proc.Background process;
    private final Path profile;
    private final RemoteProtocol devTools;
    private int width = 1280;
    private int height = 800;
    private boolean mobile;

    private Chromium(final Proc.Background process, final Path profile, final URI page) throws Exception
    {
        this.process = process;
        this.profile = profile;
        this.devTools = new RemoteProtocol("DevTools", page, this::onEvent);
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
        final String list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + ws.getAuthority() + "/json/list"))
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
        final Chromium chromium = new Chromium(p, profile, URI.create(page));
        chromium.call("Runtime.enable", Map.of());
        chromium.call("Log.enable", Map.of());
        chromium.call("Page.enable", Map.of());
        return chromium;
    }

    @Override
    public void open(final String url) throws Exception
    {
        call("Page.navigate", Map.of("url", url));
        Proc.await(CALL, "the page to load " + url, () -> "complete".equals(evaluate("document.readyState").asText()),
            () -> "");
    }

    @Override
    public void viewport(final int width, final int height, final boolean mobile) throws Exception
    {
        this.width = width;
        this.height = height;
        this.mobile = mobile;
        call("Emulation.setDeviceMetricsOverride",
            Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    @Override
    public JsonNode evaluate(final String expression)
    {
        final JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails"))
        {
            throw new AssertionError("evaluate " + expression + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** A PNG of the whole page at the viewport's width: the viewport made as tall as the page for it, then put back. */
    @Override
    public void screenshot(final Path png) throws Exception
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

    @Override
    public List<String> errors()
    {
        return new ArrayList<>(errors);
    }

    JsonNode call(final String method, final Map<String, Object> params)
    {
        return devTools.call(method, params);
    }

    private void onEvent(final JsonNode m)
    {
        final JsonNode p = m.path("params");
        switch (m.path("method").asText())
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
            case "unreadable" -> errors.add("unreadable DevTools message: " + m.path("text").asText());
            default ->
            {
                // other events are not asked about
            }
        }
    }

    @Override
    public void close()
    {
        devTools.close();
        process.close();
        deleteSingletonDirectory();
    }

    /**
     * Chromium keeps its singleton socket in a directory of /tmp (org.chromium.Chromium.XXXXXX: a socket's path must
     * be short, so not in the run's directory), named by the profile's SingletonSocket link, and leaves it when it is
     * stopped: deleted here.
     */
    private void deleteSingletonDirectory()
    {
        try
        {
            final Path socket = profile.resolve("SingletonSocket");
            if (!Files.isSymbolicLink(socket))
            {
                return;
            }
            final Path dir = Files.readSymbolicLink(socket).getParent();
            if (dir == null || !dir.getFileName().toString().startsWith("org.chromium.Chromium."))
            {
                return;
            }
            try (Stream<Path> entries = Files.list(dir))
            {
                for (final Path entry : entries.toList())
                {
                    Files.deleteIfExists(entry);
                }
            }
            Files.deleteIfExists(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete Chromium's singleton directory of " + profile, ex);
        }
    }
}
