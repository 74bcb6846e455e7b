package dev.flowrec.recorder.live;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorsMetricTest
{
    @Test
    void shouldAppendTheRecordersErrorsAfterEveryOtherFamily()
    {
        final String body = PrometheusText.render(Snapshot.EMPTY, new HttpCounters(), 3);
        assertTrue(body.endsWith("# HELP flowrec_errors_total Errors the recorder met and lived on " +
            "(each message also said once on stderr).\n# TYPE flowrec_errors_total counter\nflowrec_errors_total 3\n"), body);
    }

    @Test
    void shouldReadTheErrorCountTheViewIsGiven()
    {
        final LiveView view = new LiveView();
        final long[] errors = {0};
        view.errorsTotal(() -> errors[0]);
        errors[0] = 42;
        final String body = new String(new Routes(view, new HttpCounters()).answer("GET", "/metrics").body(),
            StandardCharsets.UTF_8);
        assertTrue(body.contains("\nflowrec_errors_total 42\n"), body);
    }
}
