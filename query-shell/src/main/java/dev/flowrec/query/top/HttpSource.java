package dev.flowrec.query.top;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowrec.journal.text.Protocols;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A running recorder's live view: {@code GET /traffic?top=N&where=...}, read once per refresh. */
final class HttpSource implements TopSource
{
    private static final int TOP = 1000;
    private static final int SPAN_S = 10; // the live view's top flows carry their last 10 s
    private final String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** @param address http://HOST:PORT, or HOST:PORT */
    HttpSource(final String address)
    {
        final String withScheme = address.contains("://") ? address : "http://" + address;
        this.base = withScheme.endsWith("/") ? withScheme.substring(0, withScheme.length() - 1) : withScheme;
    }

    public String describe()
    {
        return base;
    }

    public TopView fetch(final String where)
    {
        final String uri = base + "/traffic?top=" + TOP +
            (where.isBlank() ? "" : "&where=" + URLEncoder.encode(where, StandardCharsets.UTF_8).replace("+", "%20"));
        final HttpResponse<String> response;
        try
        {
            response = client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("GET " + base + "/traffic: " + (ex.getMessage() != null ? ex.getMessage() :
                ex.getClass().getSimpleName()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("GET " + base + "/traffic: interrupted");
        }
        try
        {
            final JsonNode root = json.readTree(response.body());
            if (response.statusCode() != 200)
            {
                throw new IllegalArgumentException(root.path("error").asText("HTTP " + response.statusCode()));
            }
            return view(root);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("GET " + base + "/traffic: HTTP " + response.statusCode() + ", not JSON");
        }
    }

    private static TopView view(final JsonNode root)
    {
        final List<TopView.Link> interfaces = new ArrayList<>();
        for (final JsonNode i : root.path("interfaces"))
        {
            final String container = i.path("container").asText("");
            interfaces.add(link(i, i.path("name").asText() + (container.isEmpty() ? "" : "@" + container)));
        }
        final List<TopView.Link> containers = new ArrayList<>();
        for (final JsonNode c : root.path("containers"))
        {
            containers.add(link(c, c.path("container").asText()));
        }
        final List<TopView.Flow> flows = new ArrayList<>();
        for (final JsonNode f : root.path("top_flows"))
        {
            final String proto = f.path("proto").asText();
            flows.add(new TopView.Flow(f.path("iface").asText(), f.path("container").asText(""),
                f.path("direction").asText(), proto.chars().allMatch(Character::isDigit) && !proto.isEmpty() ?
                Protocols.keyword(Integer.parseInt(proto)) : proto,
                f.path("src_addr").asText(), f.path("src_port").asInt(), f.path("dst_addr").asText(),
                f.path("dst_port").asInt(), f.path("bytes_10s").asLong(), f.path("packets_10s").asLong(),
                f.path("pid").asInt(0), f.path("comm").asText("")));
        }
        final JsonNode loss = root.path("loss");
        final long lost = loss.path("ring_lost_events").asLong() + loss.path("journal_lost_events").asLong();
        final List<String> notes = new ArrayList<>();
        if (lost > 0)
        {
            notes.add("loss: " + lost + " events");
        }
        for (final JsonNode w : root.path("warnings"))
        {
            notes.add(w.asText());
        }
        return new TopView(System.currentTimeMillis() * 1_000_000L, SPAN_S, interfaces, containers, flows,
            String.join("; ", notes));
    }

    private static TopView.Link link(final JsonNode n, final String name)
    {
        return new TopView.Link(name, n.path("rx_bps_10s").asDouble() / 8, n.path("tx_bps_10s").asDouble() / 8,
            n.path("rx_pps_10s").asDouble(), n.path("tx_pps_10s").asDouble());
    }
}
