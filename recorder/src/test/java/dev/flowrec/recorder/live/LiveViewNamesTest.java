package dev.flowrec.recorder.live;

import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_IN;
import static dev.flowrec.journal.schema.FlowDeltas.DIRECTION_OUT;
import static dev.flowrec.recorder.live.Events.TCP;
import static dev.flowrec.recorder.live.Events.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live view's top flows carry the names the host's resolver was given for their addresses, and ?where= tests them. */
class LiveViewNamesTest
{
    private final LiveView view = new LiveView(1000, () -> at(100));
    private final Events events = new Events(view);
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void shouldNameTheAddressesOfTopFlows() throws Exception
    {
        events.started().attached(2, "eth0", "")
            .answer(2, "www.example.org", 2, 90)
            .v4(2, DIRECTION_OUT, TCP, 1, 40000, 2, 443, 99.5, 3, 3000)
            .v4(2, DIRECTION_IN, TCP, 2, 443, 1, 40000, 99.5, 2, 2000)
            .v4(2, DIRECTION_OUT, TCP, 1, 40001, 3, 443, 99.5, 1, 1000);   // never answered
        view.publish();
        assertEquals(List.of(" > www.example.org", "www.example.org > ", " > "), names(traffic("")));
        assertEquals(List.of(" > www.example.org"), names(traffic("?where=dst%20name%20*.example.org")));
    }

    private JsonNode traffic(final String query) throws Exception
    {
        final Routes.Response r = new Routes(view, new HttpCounters()).answer("GET", "/traffic" + query);
        assertEquals(200, r.status());
        return mapper.readTree(r.body());
    }

    private static List<String> names(final JsonNode json)
    {
        final List<String> out = new ArrayList<>();
        json.get("top_flows").forEach(f -> out.add(f.get("src_name").asText() + " > " + f.get("dst_name").asText()));
        return out;
    }
}
