package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowrec.query.filter.KnownNames;
import dev.flowrec.recorder.live.Snapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusLineTest
{
    @Test
    void shouldSayFlowsRatesJournalAndLossInOneLine()
    {
        final Snapshot.Traffic rx = new Snapshot.Traffic(0, 0, 8 * 1024 * 1024, 0, 0, 840, 0, 0);
        final Snapshot.Traffic tx = new Snapshot.Traffic(0, 0, 8 * 3 * 1024, 0, 0, 40, 0, 0);
        final Snapshot s = new Snapshot(1, List.of(new Snapshot.InterfaceTraffic(2, "eth0", "", rx, tx)), List.of(),
            List.of(), 12, new Snapshot.Loss(0, 0, 3, 0, 0, 0, 0, 0, 0, 1, 0), 0, 0, 3L << 20, 0, 0, KnownNames.NONE);
        assertEquals("flowrec record: 12 flows, rx 1.0 MiB/s 840 pkt/s, tx 3.0 KiB/s 40 pkt/s, journal 3.0 MiB, loss 4 events",
            StatusLine.line(s));
    }

    @Test
    void shouldPrintPlainLinesWhenOff()
    {
        final StringWriter text = new StringWriter();
        try (StatusLine status = new StatusLine(new PrintWriter(text), false))
        {
            status.start(() -> { throw new AssertionError("an off status line never reads the live view"); });
            status.say("flowrec record: recording eth0");
        }
        assertEquals("flowrec record: recording eth0" + System.lineSeparator(), text.toString(), "no \\r, no escape");
    }
}
