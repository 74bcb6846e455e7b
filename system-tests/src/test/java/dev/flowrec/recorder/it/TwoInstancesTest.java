package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.TcHooks;
import dev.flowrec.recorder.Instance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, item 5: two recorders on one host, each on its own veth with its own journal (so two instances). Killing
 * one with -9 and restarting it leaves the other's filters (same programs, same handles), pins (the same files) and
 * counts (exact against a capture of its interface) untouched; the restarted one adopts its own state, and both
 * journals equal their captures exactly. A third recorder given one's instance name refuses in one line.
 */
class TwoInstancesTest
{
    @RegisterExtension
    final TestRun run = new TestRun("it-two-instances");

    @Test
    void shouldNeverTouchAnotherInstancesFiltersPinsOrCounts() throws Exception
    {
        TestRun.assumeRootWith("needs root (netns, BPF, bpffs, tcpdump)",
            List.of("ip", "tc", "ethtool", "tcpdump", "tshark", "python3"));
        PinnedRecorder.setUp();
        final long pid = ProcessHandle.current().pid() % 10_000;
        final Side a = new Side("a", "pna" + pid, "10.231.72");
        final Side b = new Side("b", "pnb" + pid, "10.231.73");
        for (final Side s : List.of(a, b))
        {
            s.up();
        }
        final Proc.Background recorderB = b.start("recorder-b");
        Proc.Background recorderA = a.start("recorder-a");
        for (final Side s : List.of(a, b))
        {
            s.startTraffic(); // every packet from here on is a recorder's to count
        }
        Proc.sleepMs(1500);
        final String filtersB = b.filters();
        final TreeMap<String, Object> pinsB = pins(b.instance().pinDir());
        assertTrue(filtersB.contains("flowrec_ingress") && filtersB.contains("flowrec_egress"), filtersB);
        assertEquals(5, pinsB.keySet().stream().filter(k -> !k.startsWith("tcx-")).count(), "b's maps pinned: " + pinsB);
        assertEquals(TcHooks.kernelHasTcx() ? 2 : 0, pinsB.keySet().stream().filter(k -> k.startsWith("tcx-")).count(),
            "b's TCX links pinned: " + pinsB);
        assertNotEquals(a.instance().tcHandle(), b.instance().tcHandle());

        Proc.kill(ProcessHandle.of(recorderA.pid()).orElseThrow());
        ProcessHandle.of(recorderA.pid()).ifPresent(h -> h.onExit().join());
        Proc.sleepMs(300); // a's traffic goes on, into its dead run's filter
        recorderA = a.start("recorder-a2");
        assertTrue(recorderA.err().contains("adopted the pinned kernel state of instance " + a.instance().name()),
            recorderA.err());
        Proc.sleepMs(1000);

        // A third recorder given b's instance (its own journal, a's interface) refuses before touching b's state.
        final Proc.Result third = Proc.run(Duration.ofSeconds(60), PinnedRecorder.record("--iface", a.hostDev,
            "--journal", run.dir().resolve("journal-c").toString(), "--instance", b.instance().name(), "--duration", "5s"));
        assertEquals(1, third.exit(), third.err());
        assertEquals(List.of("flowrec record: instance " + b.instance().name() + " is being recorded by another recorder (pid " +
            recorderB.pid() + "): give this one its own --instance"), third.err().lines().toList());

        assertEquals(filtersB, b.filters(), "b's filters: the same programs, untouched");
        assertEquals(pinsB, pins(b.instance().pinDir()), "b's pins: the same files, untouched");
        assertTrue(recorderB.alive());

        for (final Side s : List.of(a, b))
        {
            s.stopTraffic();
        }
        Proc.sleepMs(500);
        PinnedRecorder.stop(recorderA);
        PinnedRecorder.stop(recorderB);
        for (final Side s : List.of(a, b))
        {
            s.assertExact();
        }
    }

    /** The files pinned in dir, by name, with their inode: the same maps, not new ones of the same name. */
    private static TreeMap<String, Object> pins(final Path dir) throws Exception
    {
        final TreeMap<String, Object> pins = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path f : files.toList())
            {
                pins.put(f.getFileName().toString(), Files.readAttributes(f, BasicFileAttributes.class).fileKey());
            }
        }
        return pins;
    }

    /** One recorder's world: a namespace sending through a veth whose host end it records, a capture, a journal. */
    private final class Side
    {
        private final String suffix;
        private final String hostDev;
        private final String subnet;
        private final Path journal;
        private final Path pcap;
        private final Path stop;
        private String netns;
        private Proc.Background capture;
        private Proc.Background traffic;

        Side(final String suffix, final String hostDev, final String subnet)
        {
            this.suffix = suffix;
            this.hostDev = hostDev;
            this.subnet = subnet;
            this.journal = run.dir().resolve("journal-" + suffix);
            this.pcap = run.dir().resolve("wire-" + suffix + ".pcap");
            this.stop = run.dir().resolve("stop-" + suffix);
        }

        void up() throws Exception
        {
            netns = run.fixture().netns(suffix);
            PinnedRecorder.veth(run, netns, "eth0", subnet + ".2/24", hostDev);
            Files.createDirectories(journal);
            PinnedRecorder.unpinOnClose(run, journal);
            capture = Capture.start(run, "tcpdump-" + suffix, List::of, hostDev, pcap);
        }

        void startTraffic()
        {
            traffic = PinnedRecorder.traffic(run, "traffic-" + suffix, netns, subnet + ".2", subnet + ".9", 3, stop);
        }

        Instance instance()
        {
            return Instance.ofJournal(journal);
        }

        Proc.Background start(final String name)
        {
            final Proc.Background p = run.start(name, PinnedRecorder.record("--iface", hostDev, "--journal",
                journal.toString(), "--flush-interval", "100ms"));
            PinnedRecorder.awaitRecording(p);
            return p;
        }

        String filters() throws Exception
        {
            return TcHooks.show(null, hostDev, "ingress") + TcHooks.show(null, hostDev, "egress");
        }

        void stopTraffic() throws Exception
        {
            PinnedRecorder.stopTraffic(traffic, stop);
        }

        void assertExact()
        {
            Capture.stop(capture);
            final OneWayFlows expected = Capture.oracle(run, pcap, "oracle-" + suffix + ".csv");
            assertEquals(3, expected.flows().size(), "the capture of " + hostDev + " holds its sender's flows");
            final Proc.Result q = Proc.run(Duration.ofSeconds(300), List.of(TestRun.ROOT.resolve("scripts/flowrec").toString(),
                "query", "--journal", journal.toString(), "--format", "csv")).ok();
            run.write("recorded-" + suffix + ".csv", q.out());
            assertEquals("", OneWayFlows.differences(expected, OneWayFlows.fromRecorderCsv(q.out()), hostDev, k -> "in"),
                "journal " + suffix + " differs from the capture of " + hostDev);
        }
    }
}
