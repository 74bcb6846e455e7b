package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No silent loss: a ring buffer far too small for a ping flood overflows, and what the journal holds plus
 * what the kernel counted as lost equals what ping sent and received, packet for packet and byte for byte.
 * In flow mode the same overflow loses nothing: deltas wait in the kernel map for a later flush.
 */
class LossAccountingTest
{
    private static final int PINGS = 20_000;
    private static final int ICMP_IP_BYTES = 84; // 20 IP + 8 ICMP + 56 payload
    private static final Pattern LOST = Pattern.compile("lost (\\d+) deltas \\((\\d+) packets, (\\d+) bytes\\)");
    /** The recorder's last line: what it recorded and lost, as the journal answers. */
    private static final Pattern SUMMARY = Pattern.compile("flowrec record: stopped after [0-9.]+ s: (\\d+) (flows|packet events), "
        + "(\\d+) packets, (\\d+) bytes \\([0-9.]+ [KMG]?i?B\\) recorded; loss: (none|lost (\\d+) deltas \\((\\d+) packets, (\\d+) bytes\\) "
        + "in the full ring buffer)");

    @RegisterExtension
    final TestNetns a = TestNetns.ipv4Pair("fl0", "10.213.77.1/24", "fl1", "10.213.77.2/24");

    @TempDir
    Path tmp;

    @Test
    void shouldAccountForEveryPacketWhenTheRingOverflowsInPacketMode() throws Exception
    {
        final Totals t = floodAndQuery("packet");
        assertTrue(t.lostPackets > 0, "a 4 KiB ring (46 records) overflows under a 20000-ping flood");
        assertEquals(2L * PINGS, t.journaledPackets + t.lostPackets, "journaled + lost = sent");
        assertEquals(2L * PINGS * ICMP_IP_BYTES, t.journaledBytes + t.lostBytes, "bytes too");
    }

    @Test
    void shouldLoseNothingWhenTheRingOverflowsInFlowMode() throws Exception
    {
        final Totals t = floodAndQuery("flow");
        assertEquals(0, t.lostPackets, "deltas that find the ring full wait in the map");
        assertEquals(2L * PINGS, t.journaledPackets);
        assertEquals(2L * PINGS * ICMP_IP_BYTES, t.journaledBytes);
    }

    private record Totals(long journaledPackets, long journaledBytes, long lostPackets, long lostBytes)
    {
    }

    private Totals floodAndQuery(final String mode) throws Exception
    {
        final Path journal = tmp.resolve(mode);
        final Process recorder = new ProcessBuilder(Sh.flowrecIn(a.name(), "record", "--iface", "fl0", "--journal",
            journal.toString(), "--mode", mode, "--ring-size", "4096", "--flush-interval", "100ms"))
            .redirectErrorStream(true).redirectOutput(tmp.resolve(mode + ".log").toFile()).start();
        try
        {
            awaitRecording(tmp.resolve(mode + ".log"));
            final Sh ping = Sh.ok("ip", "netns", "exec", a.name(), "ping", "-f", "-q", "-c", Integer.toString(PINGS), "10.213.77.2");
            assertTrue(ping.out().contains(PINGS + " packets transmitted, " + PINGS + " received"), ping.out());
            Thread.sleep(300);
        }
        finally
        {
            recorder.destroy();
            assertTrue(recorder.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals(0, recorder.exitValue(), () -> Logs.read(tmp.resolve(mode + ".log")));

        final Sh q = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv");
        long packets = 0;
        long bytes = 0;
        for (final String line : q.out().lines().skip(1).toList())
        {
            final String[] f = line.split(",", -1);
            assertEquals("icmp", f[5], line);
            packets += Long.parseLong(f[10]);
            bytes += Long.parseLong(f[11]);
        }
        final Matcher lost = LOST.matcher(q.err());
        final Totals totals = lost.find() ?
            new Totals(packets, bytes, Long.parseLong(lost.group(2)), Long.parseLong(lost.group(3))) :
            new Totals(packets, bytes, 0, 0);
        final String log = Logs.read(tmp.resolve(mode + ".log"));
        final Matcher summary = SUMMARY.matcher(log);
        assertTrue(summary.find(), "a summary line when stopped:\n" + log);
        assertEquals(mode.equals("packet") ? "packet events" : "flows", summary.group(2));
        assertEquals(mode.equals("packet") ? packets : 2, Long.parseLong(summary.group(1)), "one flow each way, or an event a packet");
        assertEquals(packets, Long.parseLong(summary.group(3)), "the summary's packets are the journal's");
        assertEquals(bytes, Long.parseLong(summary.group(4)), "the summary's bytes are the journal's");
        assertEquals(totals.lostPackets, summary.group(7) == null ? 0 : Long.parseLong(summary.group(7)), "its loss too");
        assertEquals(totals.lostBytes, summary.group(8) == null ? 0 : Long.parseLong(summary.group(8)));
        return totals;
    }

    private static void awaitRecording(final Path log) throws Exception
    {
        for (int i = 0; i < 600; i++)
        {
            if (Logs.read(log).contains("flowrec record: recording"))
            {
                return;
            }
            if (Logs.read(log).contains("flowrec record: "))
            {
                throw new AssertionError(Logs.read(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("recorder did not start: " + Logs.read(log));
    }
}
