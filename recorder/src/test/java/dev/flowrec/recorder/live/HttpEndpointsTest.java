package dev.flowrec.recorder.live;

import dev.flowrec.journal.schema.FlowDeltas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_IN;
import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_OUT;
import static dev.flowrec.recorder.live.Events.TCP;
import static dev.flowrec.recorder.live.Events.UDP;
import static dev.flowrec.recorder.live.Events.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoints over a real socket on 127.0.0.1, read with the JDK's client; JSON checked by a real parser. */
class HttpEndpointsTest
{
    /** A container whose name needs escaping in JSON and in Prometheus label values. */
    private static final String ODD = "we\"ird\\name\nwith \u00e9";
    private static final String ID = "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8";

    private long nowNs = at(100);
    private final LiveView view = new LiveView(1000, () -> nowNs);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private HttpEndpoints http;

    @BeforeEach
    void start()
    {
        new Events(view).started().loss(1, 2, 3, 4, 5, 6)
            .attached(2, "eth0", "")
            .attached(10, "veth-web", "web")
            .attached(11, "veth-odd", ODD)
            .attached(12, "veth-id", ID)
            .v4(2, DIRECTION_IN, TCP, 1, 40000, 2, 443, 99.5, 3, 300)
            .v4(2, DIRECTION_OUT, TCP, 2, 443, 1, 40000, 99.5, 4, 4000)
            .v4(10, DIRECTION_IN, UDP, 3, 5353, 4, 53, 99.5, 2, 200)
            .v6(10, DIRECTION_OUT, TCP, 0x10, 443, 0x20, 50000, 99.5, 5, 5000)
            .v4(11, DIRECTION_OUT, UDP, 5, 1, 6, 2, 99.5, 1, 10)
            .v4(12, DIRECTION_OUT, UDP, 7, 1, 8, 2, 99.5, 1, 20);
        view.journalBytes(() -> 65536);
        view.publish();
        http = HttpEndpoints.start(new InetSocketAddress("127.0.0.1", 0), view);
    }

    @AfterEach
    void stop()
    {
        http.close();
        http.close(); // idempotent
    }

    @Test
    void shouldNameTheAddressAndPortItBound()
    {
        final int port = http.address().getPort();
        assertTrue(port > 0, "the kernel's port for :0");
        assertEquals("http://127.0.0.1:" + port, http.url());
        try (HttpEndpoints v6 = HttpEndpoints.start(new InetSocketAddress("::1", 0), view))
        {
            assertEquals("http://[::1]:" + v6.address().getPort(), v6.url(), "IPv6 in brackets, as a URL has it");
        }
    }

    @Test
    void shouldServeTrafficAsJson() throws Exception
    {
        final HttpResponse<String> response = get("/traffic");
        assertEquals(200, response.statusCode());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        final JsonNode json = mapper.readTree(response.body());

        assertEquals(Set.of("time", "interfaces", "containers", "top_flows", "active_flows", "loss", "events_total",
            "events_per_second", "journal_bytes", "live_flows_evicted"), names(json));
        assertEquals("2026-01-01T00:01:40Z", json.get("time").asText());
        assertEquals(4, json.get("interfaces").size());
        final JsonNode eth0 = json.get("interfaces").get(0);
        final Set<String> counters = Set.of("rx_bytes", "tx_bytes", "rx_packets", "tx_packets",
            "rx_bps_1s", "tx_bps_1s", "rx_bps_10s", "tx_bps_10s", "rx_bps_60s", "tx_bps_60s",
            "rx_pps_1s", "tx_pps_1s", "rx_pps_10s", "tx_pps_10s", "rx_pps_60s", "tx_pps_60s");
        final Set<String> ifaceFields = new TreeSet<>(counters);
        ifaceFields.addAll(List.of("ifindex", "name", "container"));
        assertEquals(ifaceFields, names(eth0));
        assertEquals(2, eth0.get("ifindex").asInt());
        assertEquals("eth0", eth0.get("name").asText());
        assertEquals(300, eth0.get("rx_bytes").asLong());
        assertEquals(4000, eth0.get("tx_bytes").asLong());
        assertEquals(2400, eth0.get("rx_bps_1s").asLong());
        assertEquals(0.4, eth0.get("tx_pps_10s").asDouble());
        assertEquals(ODD, json.get("interfaces").get(2).get("container").asText(), "escaped and read back");

        final JsonNode web = containerNamed(json, "web");
        final Set<String> containerFields = new TreeSet<>(counters);
        containerFields.addAll(List.of("container", "interfaces"));
        assertEquals(containerFields, names(web));
        assertEquals("veth-web", web.get("interfaces").get(0).asText());
        assertEquals(5000, web.get("tx_bytes").asLong());

        final JsonNode top = json.get("top_flows").get(0);
        assertEquals(Set.of("iface", "container", "direction", "proto", "src_addr", "src_port", "dst_addr", "dst_port",
            "bytes_10s", "bps_10s", "packets_10s", "pid", "comm", "src_name", "dst_name"), names(top));
        assertTrue(top.get("pid").isNull(), "no SocketOwner for it: no pid");
        assertEquals("", top.get("comm").asText());
        assertEquals("veth-web", top.get("iface").asText());
        assertEquals("web", top.get("container").asText());
        assertEquals("out", top.get("direction").asText());
        assertEquals("tcp", top.get("proto").asText());
        assertEquals("2001:db8::10", top.get("src_addr").asText());
        assertEquals(443, top.get("src_port").asInt());
        assertEquals("2001:db8::20", top.get("dst_addr").asText());
        assertEquals(50000, top.get("dst_port").asInt());
        assertEquals(5000, top.get("bytes_10s").asLong());
        assertEquals(4000, top.get("bps_10s").asLong());
        assertEquals(5, top.get("packets_10s").asLong());
        assertEquals(6, json.get("active_flows").asLong());
        assertEquals(2, json.get("loss").get("ring_lost_packets").asLong());
        assertEquals(65536, json.get("journal_bytes").asLong());
    }

    @Test
    void shouldFilterTrafficByContainerInterfaceAndTop() throws Exception
    {
        JsonNode json = mapper.readTree(get("/traffic?container=web").body());
        assertEquals(List.of("veth-web"), texts(json.get("interfaces"), "name"));
        assertEquals(List.of("web"), texts(json.get("containers"), "container"));
        assertEquals(List.of("veth-web", "veth-web"), texts(json.get("top_flows"), "iface"));

        json = mapper.readTree(get("/traffic?iface=eth0&top=1").body());
        assertEquals(List.of("eth0"), texts(json.get("interfaces"), "name"));
        assertEquals(List.of(), texts(json.get("containers"), "container"));
        assertEquals(List.of("eth0"), texts(json.get("top_flows"), "iface"));
        assertEquals(4000, json.get("top_flows").get(0).get("bytes_10s").asLong());

        json = mapper.readTree(get("/traffic?container=" + ID.substring(0, 12)).body());
        assertEquals(List.of("veth-id"), texts(json.get("interfaces"), "name"), "a short container id selects it");

        json = mapper.readTree(get("/traffic?container=we%22ird%5Cname%0Awith%20%C3%A9").body());
        assertEquals(List.of("veth-odd"), texts(json.get("interfaces"), "name"));

        json = mapper.readTree(get("/traffic?top=0").body());
        assertEquals(0, json.get("top_flows").size());
        assertEquals(6, mapper.readTree(get("/traffic?top=1000").body()).get("top_flows").size());
    }

    @Test
    void shouldRefuseBadTrafficQueriesWithAJsonError() throws Exception
    {
        for (final String query : List.of("top=abc", "top=1001", "top=-1", "top=", "colour=red", "iface=a&iface=b",
            "container=web&top=1&x=2"))
        {
            final HttpResponse<String> response = get("/traffic?" + query);
            assertEquals(400, response.statusCode(), query);
            final JsonNode error = mapper.readTree(response.body());
            assertEquals(Set.of("error"), names(error), query);
        }
        assertEquals("bad percent-encoding in query: '%zz'", // no client sends it; the server still says why
            assertThrows(IllegalArgumentException.class, () -> TrafficQuery.parse("container=%zz")).getMessage());
        assertEquals("top: expected an integer from 0 to 1000, got 'abc'",
            mapper.readTree(get("/traffic?top=abc").body()).get("error").asText());
    }

    @Test
    void shouldAllowOnlyGetAndHead() throws Exception
    {
        for (final String method : List.of("POST", "PUT", "DELETE", "PATCH"))
        {
            final HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/traffic"))
                .method(method, HttpRequest.BodyPublishers.ofString("x".repeat(10_000))));
            assertEquals(405, response.statusCode(), method);
            assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElseThrow(), method);
        }
        final HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/metrics"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(PrometheusText.CONTENT_TYPE, head.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void shouldAnswerUnknownPathsWith404() throws Exception
    {
        for (final String path : List.of("/index.html", "/nope", "/traffic/", "/trafficx", "/metrics/x", "/static/",
            "/static/nope.js", "/api/", "/api/seriesx"))
        {
            assertEquals(404, get(path).statusCode(), path);
        }
        assertEquals(404, send(HttpRequest.newBuilder(uri("/nope")).POST(HttpRequest.BodyPublishers.noBody()))
            .statusCode());
    }

    @Test
    void shouldExposeMetricsThatPromtoolAccepts() throws Exception
    {
        final HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
            response.headers().firstValue("Content-Type").orElseThrow());
        final String body = response.body();
        assertTrue(body.contains("flowrec_bytes_total{iface=\"eth0\",container=\"\",direction=\"in\"} 300\n"), body);
        assertTrue(body.contains("flowrec_packets_total{iface=\"eth0\",container=\"\",direction=\"out\"} 4\n"), body);
        assertTrue(body.contains("flowrec_bytes_total{iface=\"veth-odd\",container=\"we\\\"ird\\\\name\\nwith \u00e9\"," +
            "direction=\"out\"} 10\n"), body);
        for (final String line : List.of("flowrec_active_flows 6", "flowrec_ring_lost_events_total 1",
            "flowrec_ring_lost_packets_total 2", "flowrec_ring_lost_bytes_total 3", "flowrec_map_full_total 4",
            "flowrec_non_ip_packets_total 5", "flowrec_malformed_packets_total 6", "flowrec_too_deep_packets_total 7", "flowrec_journal_bytes 65536",
            "flowrec_events_total 12", "flowrec_events_per_second 0.0", "flowrec_live_flows_evicted_total 0"))
        {
            assertTrue(body.contains("\n" + line + "\n"), line);
        }
        for (final String name : List.of("flowrec_bytes_total", "flowrec_packets_total", "flowrec_active_flows",
            "flowrec_ring_lost_events_total", "flowrec_ring_lost_packets_total", "flowrec_ring_lost_bytes_total",
            "flowrec_map_full_total", "flowrec_malformed_packets_total", "flowrec_too_deep_packets_total", "flowrec_non_ip_packets_total",
            "flowrec_journal_bytes", "flowrec_events_total", "flowrec_events_per_second",
            "flowrec_live_flows_evicted_total", "flowrec_http_rejected_total", "flowrec_http_requests_total",
            "flowrec_http_connections"))
        {
            assertTrue(body.contains("# HELP " + name + " "), name);
            assertTrue(body.contains("# TYPE " + name + " "), name);
        }
        promtoolCheckMetrics(body);
    }

    @Test
    void shouldBeHealthyOnlyWhileSnapshotsAreRecent() throws Exception
    {
        HttpResponse<String> response = get("/healthz");
        assertEquals(200, response.statusCode());
        assertEquals("ok\n", response.body());

        nowNs = at(106);
        response = get("/healthz");
        assertEquals(503, response.statusCode());
        assertEquals("stale: last snapshot 6.0 s ago\n", response.body());

        view.publish();
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void shouldBeUnhealthyBeforeTheFirstSnapshot() throws Exception
    {
        try (HttpEndpoints fresh = HttpEndpoints.start(new InetSocketAddress("127.0.0.1", 0), new LiveView()))
        {
            final HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fresh.address().getPort() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(503, response.statusCode());
            assertEquals("no snapshot published yet\n", response.body());
        }
    }

    @Test
    void shouldServeConcurrentClientsWithoutRefusingAny() throws Exception
    {
        final List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            responses.add(client.sendAsync(HttpRequest.newBuilder(uri("/traffic")).build(),
                HttpResponse.BodyHandlers.ofString()));
        }
        for (final var response : responses)
        {
            assertEquals(200, response.get(10, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(0, http.rejected());
    }

    @Test
    void shouldBindExactlyTheGivenAddressAndSayWhyNot() throws Exception
    {
        assertEquals("127.0.0.1", http.address().getAddress().getHostAddress());
        assertTrue(http.address().getPort() > 0);
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1")))
        {
            final UncheckedIOException ex = assertThrows(UncheckedIOException.class,
                () -> HttpEndpoints.start(new InetSocketAddress("127.0.0.1", taken.getLocalPort()), view));
            assertTrue(ex.getMessage().startsWith("http: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "),
                ex.getMessage());
        }
    }

    @Test
    void shouldParseTheHttpOption()
    {
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), HttpEndpoints.parseBind("127.0.0.1:8080").orElseThrow());
        assertEquals(new InetSocketAddress("0.0.0.0", 0), HttpEndpoints.parseBind("0.0.0.0:0").orElseThrow());
        assertEquals(new InetSocketAddress("::1", 8080), HttpEndpoints.parseBind("[::1]:8080").orElseThrow());
        assertEquals(new InetSocketAddress("2001:db8::1", 9100),
            HttpEndpoints.parseBind("[2001:db8::1]:9100").orElseThrow());
        assertTrue(HttpEndpoints.parseBind("off").isEmpty());
        for (final String bad : List.of("x", "", "127.0.0.1", ":8080", "127.0.0.1:", "127.0.0.1:99999",
            "127.0.0.1:-1", "127.0.0.1:80x", "::1:8080", "[::1]8080", "[::1]", "localhost:8080", "[127.0.0.1]:80",
            "127.1:80", "300.0.0.1:80", "[::ffff:127.0.0.1]:80", "OFF", " 127.0.0.1:80"))
        {
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> HttpEndpoints.parseBind(bad), bad);
            assertEquals("--http: bad address '" + bad + "': expected ADDR:PORT or off", ex.getMessage());
        }
    }

    /** The real Prometheus parser and linter: exit 0 and nothing printed. */
    private static void promtoolCheckMetrics(final String metrics) throws IOException, InterruptedException
    {
        final Process promtool;
        try
        {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("promtool not found: apt-get install -y prometheus", ex);
        }
        try (var stdin = promtool.getOutputStream())
        {
            stdin.write(metrics.getBytes(StandardCharsets.UTF_8));
        }
        final String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, promtool.exitValue(), output);
        assertEquals("", output.strip(), "promtool lint problems");
    }

    private HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    private HttpResponse<String> send(final HttpRequest.Builder request) throws IOException, InterruptedException
    {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String pathAndQuery)
    {
        return URI.create("http://127.0.0.1:" + http.address().getPort() + pathAndQuery);
    }

    private static Set<String> names(final JsonNode node)
    {
        final Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(final JsonNode array, final String field)
    {
        final List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.get(field).asText()));
        return texts;
    }

    private static JsonNode containerNamed(final JsonNode json, final String name)
    {
        for (final JsonNode c : json.get("containers"))
        {
            if (c.get("container").asText().equals(name))
            {
                return c;
            }
        }
        throw new AssertionError("no container " + name);
    }
}
