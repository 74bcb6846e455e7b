package dev.flowrec.recorder.live;

import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_IN;
import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_OUT;
import static dev.flowrec.recorder.live.Events.TCP;
import static dev.flowrec.recorder.live.Events.UDP;
import static dev.flowrec.recorder.live.Events.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /traffic}'s container ids (full, prefix, name) and its {@code where} filter, answered by {@link Routes}. */
class TrafficFilterTest
{
    private static final String WEB_ID = "4f1c2b3a5d6e" + "7".repeat(52);
    private static final String DB_ID = "4f1c9999aaaa" + "8".repeat(52);

    private final LiveView view = new LiveView(1000, () -> at(100));
    private final ObjectMapper mapper = new ObjectMapper();
    private Routes routes;

    @BeforeEach
    void fold()
    {
        new Events(view).started()
            .attached(2, "eth0", "")
            .seen(10, WEB_ID, WEB_ID.substring(0, 12), "web").attached(10, "veth10", WEB_ID.substring(0, 12))
            .seen(11, DB_ID, DB_ID.substring(0, 12), "db").attached(11, "veth11", DB_ID.substring(0, 12))
            .v4(2, DIRECTION_IN, TCP, 1, 40000, 2, 443, 99.5, 3, 300)
            .v4(10, DIRECTION_IN, UDP, 3, 5353, 4, 53, 99.5, 2, 200)
            .v4(10, DIRECTION_OUT, TCP, 4, 80, 3, 41000, 99.5, 5, 5000)
            .v4(11, DIRECTION_OUT, TCP, 5, 5432, 6, 42000, 99.5, 1, 100);
        view.publish();
        routes = new Routes(view, new HttpCounters());
    }

    @Test
    void shouldSelectAContainerByItsFullIdAnyUnambiguousPrefixOrItsName() throws Exception
    {
        for (final String name : List.of(WEB_ID, WEB_ID.substring(0, 12), "4f1c2b", WEB_ID.substring(0, 20), "web"))
        {
            final JsonNode json = ok("/traffic?container=" + name);
            assertEquals(List.of("veth10"), texts(json.get("interfaces"), "name"), name);
            assertEquals(List.of(WEB_ID.substring(0, 12)), texts(json.get("containers"), "container"), name);
            assertEquals(List.of("veth10", "veth10"), texts(json.get("top_flows"), "iface"), name);
            assertFalse(json.has("warnings"), name);
        }
    }

    @Test
    void shouldRefuseAnAmbiguousPrefixNamingTheCandidates() throws Exception
    {
        final Routes.Response r = routes.answer("GET", "/traffic?container=4f1c");
        assertEquals(400, r.status());
        final String error = mapper.readTree(r.body()).get("error").asText();
        assertTrue(error.contains("'4f1c2b3a5d6e' ('web')") && error.contains("'4f1c9999aaaa' ('db')"), error);
    }

    @Test
    void shouldFilterTopFlowsWithTheQueryLanguage() throws Exception
    {
        JsonNode json = ok("/traffic?where=" + "tcp%20and%20container%20web");
        assertEquals(List.of("4"), texts(json.get("top_flows"), "src_addr").stream().map(a -> a.substring(7)).toList());
        json = ok("/traffic?where=" + "bytes%20%3C%20250%20or%20port%20443");
        assertEquals(List.of("10.0.0.1", "10.0.0.3", "10.0.0.5"), sorted(texts(json.get("top_flows"), "src_addr")),
            "bytes of the last 10 s");
        assertEquals(3, json.get("interfaces").size(), "interfaces are not filtered by flows");
    }

    @Test
    void shouldRefuseABadFilterWithItsPointer() throws Exception
    {
        final Routes.Response r = routes.answer("GET", "/traffic?where=proto%20tcp%20and%20port%20http");
        assertEquals(400, r.status());
        final JsonNode json = mapper.readTree(r.body());
        assertEquals("where: bad filter at column 20: expected a port number after 'port', got 'http'",
            json.get("error").asText());
        assertEquals("proto tcp and port http\n                   ^", json.get("pointer").asText());
    }

    @Test
    void shouldWarnOfNamesTheRunNeverSaw() throws Exception
    {
        final JsonNode json = ok("/traffic?where=container%20wbe");
        assertEquals(0, json.get("top_flows").size());
        assertEquals("no container 'wbe' in this recorder run (closest: 'web', 'db', '4f1c2b3a5d6e')",
            json.get("warnings").get(0).asText());
    }

    private JsonNode ok(final String target) throws Exception
    {
        final Routes.Response r = routes.answer("GET", target);
        assertEquals(200, r.status(), () -> new String(r.body(), StandardCharsets.UTF_8));
        return mapper.readTree(r.body());
    }

    private static List<String> texts(final JsonNode array, final String field)
    {
        final List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    private static List<String> sorted(final List<String> list)
    {
        final List<String> copy = new ArrayList<>(list);
        copy.sort(null);
        return copy;
    }
}
