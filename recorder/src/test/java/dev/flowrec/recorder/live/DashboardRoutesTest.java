package dev.flowrec.recorder.live;

import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_IN;
import static dev.flowrec.recorder.live.Events.TCP;
import static dev.flowrec.recorder.live.Events.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's routes without a browser: the page and every file it names served from the jar with its type, the
 * live push's events, and the journal APIs' refusals (one line each) when there is no journal or a bad parameter.
 */
class DashboardRoutesTest
{
    private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"(/static/[^\"]+)\"");

    private final LiveView view = new LiveView(1000, () -> at(100)); // the events' clock: their flows are in the top
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private HttpEndpoints http;

    @BeforeEach
    void start()
    {
        new Events(view).started().attached(2, "eth0", "").v4(2, DIRECTION_IN, TCP, 1, 40000, 2, 443, 99.5, 3, 300);
        view.publish();
        http = HttpEndpoints.start(new InetSocketAddress("127.0.0.1", 0), view);
    }

    @AfterEach
    void stop()
    {
        http.close();
    }

    @Test
    void shouldServeThePageAndEveryFileItNamesFromTheJar() throws Exception
    {
        final HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        final Matcher m = ASSET.matcher(page.body());
        final List<String> assets = new ArrayList<>();
        while (m.find())
        {
            assets.add(m.group(1));
        }
        assertEquals(List.of("/static/uPlot.min.css", "/static/app.css", "/static/uPlot.iife.min.js", "/static/app.js"), assets);
        for (final String asset : assets)
        {
            final HttpResponse<String> r = get(asset);
            assertEquals(200, r.statusCode(), asset);
            assertTrue(r.body().length() > 1000, asset);
            assertEquals(asset.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
                r.headers().firstValue("Content-Type").orElseThrow(), asset);
        }
        assertFalse(page.body().contains("http://") || page.body().contains("https://"), "nothing from elsewhere");
    }

    @Test
    void shouldPushTheLatestSnapshotAsServerSentEvents() throws Exception
    {
        final HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(uri("/api/live?top=5"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(LivePush.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)))
        {
            for (int i = 0; i < 2; i++)
            {
                final String line = events.readLine();
                assertTrue(line.startsWith("data: "), line);
                final JsonNode event = mapper.readTree(line.substring(6));
                assertEquals("eth0", event.get("traffic").get("interfaces").get(0).get("name").asText());
                assertEquals(1, event.get("traffic").get("top_flows").size());
                assertTrue(event.get("health").isNull(), line);
                assertEquals("", events.readLine(), "an event ends with a blank line");
                view.publish();
            }
            http.close(); // ends the stream: the client sees its end, not a hang
            assertEquals(null, endOrReset(events));
        }
    }

    /** Streams hold connections: past {@link LivePush#MAX_STREAMS} a stream is refused, and /healthz still answers. */
    @Test
    void shouldRefuseAStreamPastTheBoundAndKeepAnsweringHealth() throws Exception
    {
        final HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        final List<java.io.InputStream> open = new ArrayList<>();
        try
        {
            for (int i = 0; i < LivePush.MAX_STREAMS; i++)
            {
                final HttpResponse<java.io.InputStream> r = http11.send(HttpRequest.newBuilder(uri("/api/live"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
                open.add(r.body());
                assertEquals(200, r.statusCode(), "stream " + i);
                assertTrue(r.body().read() >= 0, "stream " + i + " has its first event");
            }
            final HttpResponse<String> refused = http11.send(HttpRequest.newBuilder(uri("/api/live"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().startsWith("{\"error\":\"busy: " + LivePush.MAX_STREAMS + " live streams"),
                refused.body());
            assertEquals(1, refused.body().strip().lines().count(), "one line");
            assertEquals(200, http11.send(HttpRequest.newBuilder(uri("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        finally
        {
            for (final java.io.InputStream in : open)
            {
                in.close();
            }
            http11.close();
        }
    }

    /** The next line, or null at the stream's end or a reset (both end it). */
    private static String endOrReset(final BufferedReader events)
    {
        try
        {
            return events.readLine();
        }
        catch (final java.io.IOException ex)
        {
            return null;
        }
    }

    @Test
    void shouldRefuseJournalQueriesWithOneLineEach() throws Exception
    {
        final HttpResponse<String> noJournal = get("/api/top?since=-5m");
        assertEquals(503, noJournal.statusCode(), noJournal.body());
        assertEquals("{\"error\":\"no journal behind this server\"}\n", noJournal.body());
        for (final String bad : List.of("/api/top?since=-25h", "/api/top?until=-2h&since=-1h", "/api/series?interval=1s&since=-1h",
            "/api/series?interval=0s", "/api/top?top=1001", "/api/top?by=size", "/api/top?where=port%20%3E", "/api/top?top=1&top=2",
            "/api/top?interval=1m", "/api/top?group="))
        {
            final HttpResponse<String> r = get(bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertEquals(1, r.body().lines().count(), bad + ": " + r.body());
            assertTrue(mapper.readTree(r.body()).get("error").asText().length() > 10, bad + ": " + r.body());
        }
        assertEquals("{\"error\":\"query parameter 'top' given twice\"}\n", get("/api/top?top=1&top=2").body());
    }

    @Test
    void shouldCloseAndCountAClientThatDoesNotReadItsAnswers() throws Exception
    {
        final HttpLimits quick = new HttpLimits(64, 8 * 1024, TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(5));
        try (HttpEndpoints server = HttpEndpoints.start(new InetSocketAddress("127.0.0.1", 0), view, null, quick);
            Socket socket = new Socket())
        {
            socket.setReceiveBufferSize(4096);
            socket.connect(server.address());
            final byte[] ask = "GET /static/uPlot.iife.min.js HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            final OutputStream out = socket.getOutputStream();
            for (int i = 0; i < 200; i++) // 200 answers of 50 KB: more than any socket buffers hold; none is read
            {
                out.write(ask);
            }
            out.flush();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a hang guard only
            while (server.counters().rejected(HttpCounters.Reason.TIMEOUT) == 0 && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(50);
            }
            assertEquals(1, server.counters().rejected(HttpCounters.Reason.TIMEOUT), "the stalled write, counted");
            while (server.counters().open().get() != 0 && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(50);
            }
            assertEquals(0, server.counters().open().get(), "and its connection closed");
        }
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String pathAndQuery)
    {
        return URI.create("http://127.0.0.1:" + http.address().getPort() + pathAndQuery);
    }
}
