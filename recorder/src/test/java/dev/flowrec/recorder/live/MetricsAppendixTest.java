package dev.flowrec.recorder.live;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every part that adds to /metrics (the IPFIX export, the rollup writing) is appended, in the order added. */
class MetricsAppendixTest
{
    @Test
    void shouldAppendEveryAppendixInTheOrderAdded()
    {
        final LiveView view = new LiveView();
        final long[] rollups = {0};
        view.metricsAppendix(() -> "flowrec_ipfix_records_queued_total 7\n");
        view.metricsAppendix(() -> "flowrec_rollups_written_total " + rollups[0] + "\n");
        rollups[0] = 2;
        final String body = new String(new Routes(view, new HttpCounters()).answer("GET", "/metrics").body(),
            StandardCharsets.UTF_8);
        assertTrue(body.endsWith("\nflowrec_errors_total 0\nflowrec_ipfix_records_queued_total 7\n" +
            "flowrec_rollups_written_total 2\n"), body);
    }
}
