package dev.flowrec.recorder.live;

import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_IN;
import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_OUT;
import static dev.flowrec.recorder.live.Events.TCP;
import static dev.flowrec.recorder.live.Events.UDP;
import static dev.flowrec.recorder.live.Events.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live view's top flows name the process owning each flow's local socket, and {@code ?where=} tests it. */
class LiveViewOwnerTest
{
    private final LiveView view = new LiveView(1000, () -> at(100));
    private final Events events = new Events(view);
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void shouldNameTheOwnersOfTopFlows() throws Exception
    {
        events.started().attached(2, "eth0", "")
            .owner(2, DIRECTION_OUT, TCP, 1, 40000, 2, 443, 4242, "curl")      // before the entry's first delta
            .v4(2, DIRECTION_OUT, TCP, 1, 40000, 2, 443, 99.5, 3, 3000)
            .v4(2, DIRECTION_IN, UDP, 7, 5000, 8, 53, 99.5, 2, 2000)             // forwarded: no owner
            .v4(2, DIRECTION_IN, TCP, 2, 443, 1, 40001, 99.5, 1, 1000)
            .owner(2, DIRECTION_IN, TCP, 2, 443, 1, 40001, 77, "nginx");         // a flow already tracked
        view.publish();

        final JsonNode all = traffic("");
        assertEquals(List.of("4242 curl", "null ", "77 nginx"), owners(all));
        assertEquals(List.of("4242 curl"), owners(traffic("?where=pid%204242")));
        assertEquals(List.of("77 nginx"), owners(traffic("?where=comm%20nginx")));
        assertEquals(List.of("null "), owners(traffic("?where=pid%200")));
        final JsonNode unknown = traffic("?where=comm%20crul");
        assertEquals(0, unknown.get("top_flows").size());
        assertEquals("no command 'crul' in this recorder run (closest: 'curl', 'nginx')",
            unknown.get("warnings").get(0).asText());
        final Routes.Response bad = new Routes(view, new HttpCounters()).answer("GET", "/traffic?where=pid%20x");
        assertEquals(400, bad.status());
        assertEquals("where: bad filter at column 5: expected a process id after 'pid', got 'x'",
            mapper.readTree(bad.body()).get("error").asText());

        events.started().v4(2, DIRECTION_OUT, TCP, 1, 40000, 2, 443, 99.8, 1, 100);
        view.publish();
        assertEquals(List.of("null ", "null ", "null "), owners(traffic("")), "a new run names its owners afresh");
    }

    private JsonNode traffic(final String query) throws Exception
    {
        final Routes.Response r = new Routes(view, new HttpCounters()).answer("GET", "/traffic" + query);
        assertEquals(200, r.status(), () -> new String(r.body(), StandardCharsets.UTF_8));
        return mapper.readTree(r.body());
    }

    /** "pid comm" per top flow, largest first. */
    private static List<String> owners(final JsonNode json)
    {
        final List<String> out = new ArrayList<>();
        json.get("top_flows").forEach(f -> out.add(f.get("pid").asText() + " " + f.get("comm").asText()));
        return out;
    }
}
