package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tcpdump on one interface as the oracle of a recording: started before the recorder, stopped after it, complete
 * (nothing dropped) or the test fails, and counted flow by flow by scripts/it/pcap-flows.
 */
final class Capture
{
    private static final Path PCAP_FLOWS = TestRun.ROOT.resolve("scripts/it/pcap-flows");

    private Capture()
    {
    }

    /** Starts tcpdump on {@code iface}, run by {@code inNamespace}, writing {@code pcap}; returns once it listens. */
    static Proc.Background start(final TestRun run, final String name, final Function<String[], List<String>> inNamespace,
        final String iface, final Path pcap)
    {
        return start(run, name, inNamespace, iface, pcap, 262144);
    }

    /**
     * As {@link #start(TestRun, String, Function, String, Path)}, keeping at most {@code snaplen} bytes of each frame.
     * The oracle reads lengths from the IP and TCP headers, never from the captured bytes, so headers are enough; a
     * short snaplen keeps 64 KB TSO super-packets from filling tcpdump's buffer (it dropped 45 of 771 under CI load).
     */
    static Proc.Background start(final TestRun run, final String name, final Function<String[], List<String>> inNamespace,
        final String iface, final Path pcap, final int snaplen)
    {
        // -Z root: tcpdump would otherwise drop to its own user and fail to create the file under target/.
        final Proc.Background p = run.start(name, inNamespace.apply(new String[] {"tcpdump", "-i", iface, "-B", "32768",
            "-s", Integer.toString(snaplen), "--immediate-mode", "-Z", "root", "-w", pcap.toString()}));
        Proc.await(Duration.ofSeconds(20), "tcpdump to listen on " + iface, () -> p.err().contains("listening on") || !p.alive(), p::err);
        assertTrue(p.alive(), "tcpdump exited: " + p.err());
        return p;
    }

    /** tcpdump stops on SIGTERM too, and then prints its counts: nothing may have been dropped. */
    static void stop(final Proc.Background p)
    {
        final int exit = p.stop(Duration.ofSeconds(30));
        final String err = p.err();
        assertEquals(0, exit, "tcpdump exit status\n" + err);
        final long captured = count(err, "packets captured");
        final long received = count(err, "packets received by filter");
        final long dropped = count(err, "packets dropped by kernel");
        assertTrue(dropped == 0 && captured == received, "the capture is incomplete, not an oracle:\n" + err);
    }

    /** The flows of a capture (or any pcap) as scripts/it/pcap-flows counts them; its CSV kept as artifact {@code name}. */
    static OneWayFlows oracle(final TestRun run, final Path pcap, final String name)
    {
        final Proc.Result r = Proc.run(Duration.ofSeconds(60), List.of(PCAP_FLOWS.toString(), pcap.toString())).ok();
        run.write(name, r.out());
        return OneWayFlows.fromOracleCsv(r.out());
    }

    private static long count(final String tcpdumpErr, final String what)
    {
        final Matcher m = Pattern.compile("(\\d+) " + Pattern.quote(what)).matcher(tcpdumpErr);
        assertTrue(m.find(), "tcpdump did not report '" + what + "':\n" + tcpdumpErr);
        return Long.parseLong(m.group(1));
    }
}
