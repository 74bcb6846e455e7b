package dev.flowrec.export;

import dev.flowrec.journal.text.JsonText;
import dev.flowrec.query.Coverage;
import dev.flowrec.query.CoverageJson;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key-value metadata of every file an export writes (Arrow schema custom metadata and file footer;
 * Parquet key-value metadata). Values are JSON except {@code flowrec.version} and {@code flowrec.hosts}.
 */
final class ExportMetadata
{
    static final String VERSION = "0.1.0";

    private ExportMetadata()
    {
    }

    static Map<String, String> of(final ExportRequest request, final List<String> hosts, final List<Coverage> coverage,
        final String rows)
    {
        final Map<String, String> m = new LinkedHashMap<>();
        m.put("flowrec.version", VERSION);
        m.put("flowrec.hosts", String.join(",", hosts));
        m.put("flowrec.rows", rows);
        m.put("flowrec.query", query(request));
        m.put("flowrec.coverage", coverage(hosts, coverage));
        return m;
    }

    static String query(final ExportRequest request)
    {
        final Query q = request.query();
        final StringBuilder sb = new StringBuilder("{");
        field(sb, "command", request.commandLine());
        field(sb, "since", q.window().hasStart() ? iso(q.window().sinceNs()) : null);
        field(sb, "until", q.window().hasEnd() ? iso(q.window().untilNs()) : null);
        field(sb, "where", q.where().toString());
        field(sb, "group_by", q.groupBy().isEmpty() ? null : String.join(",", q.groupBy().stream().map(GroupKey::name).toList()));
        sb.append("\"top\":").append(q.top()).append(',');
        field(sb, "by", q.by().name());
        sb.append("\"interval_ns\":").append(q.intervalNs()).append(',');
        field(sb, "at", q.atNs() == Query.NO_INSTANT ? null : iso(q.atNs()));
        field(sb, "partition_by", String.join(",", request.partitionBy().stream().map(Enum::name).toList()));
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    static String coverage(final List<String> hosts, final List<Coverage> coverage)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < coverage.size(); i++)
        {
            final Coverage c = coverage.get(i);
            sb.append(i == 0 ? "{" : ",{");
            field(sb, "host", hosts.get(i));
            CoverageJson.appendFields(sb, c).append('}');
        }
        return sb.append(']').toString();
    }

    static String iso(final long epochNs)
    {
        return Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L)).toString();
    }

    private static void field(final StringBuilder sb, final String name, final String value)
    {
        sb.append('"').append(name).append("\":");
        if (value == null)
        {
            sb.append("null");
        }
        else
        {
            JsonText.quote(sb, value);
        }
        sb.append(',');
    }
}
