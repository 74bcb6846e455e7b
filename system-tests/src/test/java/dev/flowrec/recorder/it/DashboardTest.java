package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard in a real browser against a recorder with traffic: {@code scripts/flowrec record} on one end of a
 * veth (the other in namespace wb…), iperf3 and ping across it; Debian's headless Chromium (over the DevTools
 * protocol) and then Firefox ESR (over WebDriver BiDi), one after the other against the same recorder, load
 * {@code /}, and the test reads the DOM twice (interfaces, top flows, a chart with data points, numbers that
 * change), at 1280×800 and at a phone's width, with no console error or exception, and saves a screenshot of each
 * under target/. Then the journal APIs against {@code flowrec query}: the same question, the
 * same rows; bad parameters 400 with one line; huge requests refused.
 */
class DashboardTest
{
    private static final Duration SHORT = Duration.ofSeconds(30);
    private static final Pattern LIVE_VIEW = Pattern.compile("live view on (http://\\S+)");
    private static final String SUBNET = "10.231.19.";

    @RegisterExtension
    final TestRun run = new TestRun("dashboard");

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldShowLiveTrafficAndHistoryInChromiumAndFirefoxAndAnswerAsFlowrecQueryDoes() throws Exception
    {
        TestRun.assumeRootWith("records on a veth and runs a browser", List.of("ip", "iperf3", "ping"));
        assumeTrue(Files.isExecutable(Chromium.BINARY), "Debian's chromium is not installed (scripts/setup installs it)");
        assumeTrue(Files.isExecutable(Firefox.BINARY), "Debian's firefox-esr is not installed (scripts/setup installs it)");
        final String id = Long.toString(ProcessHandle.current().pid(), 36);
        final String netns = "wb" + id;
        final String hostDev = "wbh" + id;
        Proc.ok(SHORT, "ip", "netns", "add", netns);
        try
        {
            Proc.ok(SHORT, "ip", "link", "add", hostDev, "type", "veth", "peer", "name", "wbp", "netns", netns);
            Proc.ok(SHORT, "ip", "addr", "add", SUBNET + "1/24", "dev", hostDev);
            Proc.ok(SHORT, "ip", "link", "set", hostDev, "up");
            Proc.ok(SHORT, "ip", "-n", netns, "addr", "add", SUBNET + "2/24", "dev", "wbp");
            Proc.ok(SHORT, "ip", "-n", netns, "link", "set", "wbp", "up");
            Proc.ok(SHORT, "ip", "-n", netns, "link", "set", "lo", "up");
            dashboardAndApis(netns, hostDev);
        }
        finally
        {
            Proc.run(SHORT, List.of("ip", "netns", "del", netns)); // the veth goes with it
        }
    }

    private void dashboardAndApis(final String netns, final String hostDev) throws Exception
    {
        final Path journal = run.dir().resolve("journal");
        final Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        final Proc.Background recorder = run.start("recorder", List.of(TestRun.ROOT.resolve("scripts/flowrec").toString(),
            "record", "--iface", hostDev, "--journal", journal.toString(), "--http", "127.0.0.1:0", "--flush-interval", "1s"));
        Proc.await(HostRecorder.START, "the recorder's live view address", () -> !recorder.alive() ||
            LIVE_VIEW.matcher(recorder.err()).find(), recorder::err);
        final Matcher m = LIVE_VIEW.matcher(recorder.err());
        assertTrue(m.find(), "recorder stderr:\n" + recorder.err());
        final String base = m.group(1);

        final Proc.Background server = run.start("iperf3-server", List.of("ip", "netns", "exec", netns, "iperf3", "-s", "-p", "5201", "--forceflush"));
        Proc.await(SHORT, "iperf3 to listen", () -> server.out().contains("listening") || !server.alive(), server::err);
        final Proc.Background client = run.start("iperf3", List.of("iperf3", "-c", SUBNET + "2", "-p", "5201", "-t", "120", "-b", "4M"));
        final Proc.Background ping = run.start("ping", List.of("ping", "-i", "0.5", SUBNET + "2"));

        try (Browser chromium = Chromium.start(run))
        {
            liveDashboard(chromium, "chromium", base, hostDev);
        }
        try (Browser firefox = Firefox.start(run))
        {
            liveDashboard(firefox, "firefox", base, hostDev);
        }

        client.close();
        ping.close();
        Proc.sleepMs(3000); // the last deltas of the window are journaled (flush interval 1 s)
        final Instant until = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        sameAsQuery(base, journal, "/api/top", start, until, "group=iface,proto&top=5", "--group-by", "iface,proto", "--top", "5");
        sameAsQuery(base, journal, "/api/top", start, until, "top=3&by=packets", "--top", "3", "--by", "packets");
        sameAsQuery(base, journal, "/api/series", start, until, "interval=5s&group=proto", "--interval", "5s", "--group-by", "proto");

        for (final String bad : List.of("/api/top?where=proto%20bogus", "/api/top?since=-48h", "/api/series?interval=1s&since=-2h",
            "/api/top?top=0", "/api/series?nope=1", "/api/top?group=nope", "/api/top?since=yesterday"))
        {
            final HttpResponse<String> r = get(base + bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertEquals(1, r.body().lines().count(), bad + ": one line: " + r.body());
            assertTrue(mapper.readTree(r.body()).get("error").asText().length() > 10, bad + ": says why: " + r.body());
        }
        final URI uri = URI.create(base);
        assertEquals(431, rawStatus(uri, "GET /api/top HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(16 * 1024) + "\r\n\r\n"));
        final int hugeTarget = rawStatus(uri, "GET /api/top?where=" + "(".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(hugeTarget == 414 || hugeTarget == 431, "a 20 KB request line is refused: " + hugeTarget);
        final String metrics = get(base + "/metrics").body();
        assertTrue(metrics.contains("flowrec_http_rejected_total{reason=\"header_size\"} 2\n"), metrics);
        assertEquals(0, recorder.stop(Duration.ofSeconds(60)), recorder.err());
    }

    /**
     * The page at 1280×800 and at a phone's width in one browser: interfaces, top flows, a chart that grows, a time that
     * moves on, the history panel, no sideways scrolling, the banner; screenshots NAME-WxH.png; no console error.
     */
    private void liveDashboard(final Browser browser, final String name, final String base, final String hostDev) throws Exception
    {
        browser.viewport(1280, 800, false);
        browser.open(base + "/");
        final JsonNode first = awaitDashboard(browser, hostDev, 3);
        Proc.sleepMs(2500);
        final JsonNode second = awaitDashboard(browser, hostDev, first.get("points").asInt() + 2);
        assertTrue(!first.get("time").equals(second.get("time")), name + ": the time shown moves on: " + first + " " + second);
        assertTrue(second.get("points").asInt() > first.get("points").asInt(), name + ": the chart grows: " + first + " " + second);
        assertTrue(second.get("flows").toString().contains(SUBNET + "2:5201"), name + ": iperf3's flow among the top: " + second);
        Proc.await(SHORT, name + ": the history panel (journal through /api/series and /api/top)",
            () -> browser.evaluate("document.querySelectorAll('#history-top tbody tr').length").asInt() > 0 &&
                browser.evaluate("document.getElementById('chart-history').dataset.series || '0'").asInt() > 0,
            () -> browser.evaluate("document.getElementById('history-error').textContent").asText());
        assertTrue(browser.evaluate("document.getElementById('history-top').textContent").asText().contains(hostDev));
        browser.screenshot(run.dir().resolve(name + "-1280x800.png"));
        assertTrue(browser.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth").asBoolean(),
            name + ": no sideways scrolling at 1280x800");

        browser.viewport(390, 844, true);
        Proc.sleepMs(1500);
        awaitDashboard(browser, hostDev, 3);
        assertTrue(browser.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth").asBoolean(),
            name + ": a phone's width: nothing wider than the screen (tables scroll inside their panel)");
        assertTrue(browser.evaluate("document.querySelector('#chart-ifaces canvas').getBoundingClientRect().right").asDouble() <= 390,
            name + ": the chart fits the phone's width");
        browser.screenshot(run.dir().resolve(name + "-390x844.png"));
        // the banner, given what a loss and a full disk look like in /api/live's events (none happen here)
        final JsonNode banner = readTree(browser.evaluate("fetch('/traffic').then(r => r.json()).then(t => {" +
            "const quiet = (show({traffic: t, health: null}), document.getElementById('banner').hidden);" +
            "t.loss.ring_lost_events = 7; t.loss.ring_lost_packets = 9; t.loss.journal_lost_events = 3;" +
            "show({traffic: t, health: 'journal not written: no space left on device'});" +
            "const b = document.getElementById('banner'); return JSON.stringify({quiet: quiet, hidden: b.hidden, text: b.textContent}); })")
            .asText());
        assertTrue(banner.get("quiet").asBoolean(), name + ": no banner without loss: " + banner);
        assertTrue(!banner.get("hidden").asBoolean() && banner.get("text").asText().contains("lost 7 flow events") &&
            banner.get("text").asText().contains("journal lost 3 events") &&
            banner.get("text").asText().contains("no space left on device"), name + ": " + banner);
        assertEquals(List.of(), browser.errors(), name + ": no console error or uncaught exception");
    }

    /** Interfaces, top flows and the interface chart's points, once the page shows hostDev with at least minPoints. */
    private JsonNode awaitDashboard(final Browser browser, final String hostDev, final int minPoints) throws Exception
    {
        final String read = "JSON.stringify({" +
            "time: document.getElementById('time').textContent," +
            "ifaces: [...document.querySelectorAll('#ifaces tbody tr')].map(r => r.cells[0].textContent)," +
            "flows: [...document.querySelectorAll('#flows tbody tr')].map(r => [...r.cells].map(c => c.textContent))," +
            "points: parseInt(document.getElementById('chart-ifaces').dataset.points || '0')," +
            "rx: document.getElementById('total-rx').textContent, status: document.getElementById('status').textContent})";
        final JsonNode[] state = new JsonNode[1];
        Proc.await(SHORT, "the dashboard to show " + hostDev + " with " + minPoints + " chart points", () ->
        {
            state[0] = readTree(browser.evaluate(read).asText());
            return state[0].get("ifaces").toString().contains(hostDev) && state[0].get("flows").size() > 0 &&
                state[0].get("points").asInt() >= minPoints;
        }, () -> String.valueOf(state[0]) + "\nerrors: " + browser.errors());
        return state[0];
    }

    /** The API's rows equal those of {@code flowrec query --format json} for the same question, value for value. */
    private void sameAsQuery(final String base, final Path journal, final String path, final Instant since, final Instant until,
        final String parameters, final String... options) throws Exception
    {
        final String window = "since=" + enc(since.toString()) + "&until=" + enc(until.toString()) + "&";
        final HttpResponse<String> r = get(base + path + "?" + window + parameters);
        assertEquals(200, r.statusCode(), r.body());
        final JsonNode api = mapper.readTree(r.body());
        final List<String> command = new ArrayList<>(List.of(TestRun.ROOT.resolve("scripts/flowrec").toString(), "query",
            "--journal", journal.toString(), "--since", since.toString(), "--until", until.toString(), "--format", "json"));
        command.addAll(List.of(options));
        final List<String> lines = Proc.run(HostRecorder.START, command).ok().out().lines().toList();
        final List<JsonNode> cli = new ArrayList<>();
        for (final String line : lines.subList(0, lines.size() - 1)) // the last line is the coverage
        {
            cli.add(mapper.readTree(line));
        }
        run.write(path.substring(5) + "-" + parameters.replaceAll("[^a-z0-9]+", "_") + ".json", r.body() + String.join("\n", lines));
        assertTrue(cli.size() > 0, "the question has an answer: " + lines);
        assertEquals(cli.size(), api.get("rows").size(), path + "?" + parameters + ": as many rows as flowrec query");
        for (int i = 0; i < cli.size(); i++)
        {
            for (int c = 0; c < api.get("columns").size(); c++)
            {
                final String name = api.get("columns").get(c).get("name").asText();
                assertEquals(cli.get(i).get(name), api.get("rows").get(i).get(c), path + " row " + i + " " + name);
            }
        }
    }

    private HttpResponse<String> get(final String url) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(SHORT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request as bytes on a socket (what HttpClient will not send); the status of the answer. */
    private static int rawStatus(final URI base, final String request) throws Exception
    {
        try (Socket socket = new Socket(base.getHost(), base.getPort()))
        {
            socket.setSoTimeout((int)SHORT.toMillis());
            final OutputStream out = socket.getOutputStream();
            try
            {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            }
            catch (final java.net.SocketException ex)
            {
                // answered and closed before taking it all
            }
            final InputStream in = socket.getInputStream();
            final String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    private JsonNode readTree(final String json)
    {
        try
        {
            return mapper.readTree(json);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(json, ex);
        }
    }

    private static String enc(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
