package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.TcHooks;
import dev.flowrec.recorder.Instance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, items 1 and 2: kill -9 at 50 random instants under steady traffic, restarting on the same journal each
 * time, with traffic going on while no recorder runs; then a clean stop. The journal's per-5-tuple packets and bytes
 * equal a tcpdump capture of the same interface counted by tshark, exactly: nothing lost (the dead run's filters
 * count into pinned maps the next run adopts, and the open batch's records are read again from the ring), nothing
 * counted twice (the ring's consumer position moves only after a commit, and a restart skips what the journal
 * holds). The loss reports, summed over the runs, say as many packets and bytes seen: not twice either.
 * <p>
 * A quarter of the kills come at a random instant after the launch, whatever the recorder is doing (loading,
 * adopting, attaching); the others a random time, log-uniform from 5 ms to 2 s, after it says it records.
 */
class ExactlyOnceAcrossKillsTest
{
    private static final int KILLS = 50;
    private static final int PAIRS = 6;

    @RegisterExtension
    final TestRun run = new TestRun("it-exactly-once");

    @Test
    void shouldJournalEveryPacketExactlyOnceAcrossFiftyKill9s() throws Exception
    {
        TestRun.assumeRootWith("needs root (netns, BPF, bpffs, tcpdump)",
            List.of("ip", "tc", "ethtool", "tcpdump", "tshark", "python3"));
        PinnedRecorder.setUp();
        final String netns = run.fixture().netns("a");
        final String hostDev = "pnk" + ProcessHandle.current().pid() % 100_000;
        PinnedRecorder.veth(run, netns, "eth0", "10.231.71.2/24", hostDev);
        final Path journal = run.dir().resolve("journal");
        PinnedRecorder.unpinOnClose(run, journal);
        final Path pcap = run.dir().resolve("wire.pcap");
        final Path stop = run.dir().resolve("stop-traffic");
        final Proc.Background capture = Capture.start(run, "tcpdump", List::of, hostDev, pcap);
        Proc.Background traffic = null;

        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final StringBuilder kills = new StringBuilder("seed " + seed + "\n");
        final List<String> record = List.of("--iface", hostDev, "--journal", journal.toString(), "--flush-interval", "100ms");
        for (int i = 0; i < KILLS; i++)
        {
            final Proc.Background recorder = run.start("recorder-" + i, PinnedRecorder.record(record.toArray(String[]::new)));
            final long delayMs;
            if (traffic == null)
            {
                PinnedRecorder.awaitRecording(recorder); // from here on every packet is the recorder's to count
                traffic = PinnedRecorder.traffic(run, "traffic", netns, "10.231.71.2", "10.231.71.9", PAIRS, stop);
            }
            if (i % 4 == 3)
            {
                delayMs = random.nextLong(50, 1500);
                kills.append(i).append(": ").append(delayMs).append(" ms after launch\n");
            }
            else
            {
                PinnedRecorder.awaitRecording(recorder);
                delayMs = Math.round(Math.exp(random.nextDouble(Math.log(5), Math.log(2000))));
                kills.append(i).append(": ").append(delayMs).append(" ms after 'recording'\n");
            }
            Proc.sleepMs(delayMs);
            final ProcessHandle handle = ProcessHandle.of(recorder.pid()).orElseThrow();
            Proc.kill(handle); // SIGKILL: no orderly stop, the filters stay behind
            handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            Proc.sleepMs(random.nextLong(0, 300)); // traffic goes on, counted by the dead run's filter
        }
        run.write("kills.txt", kills.toString());

        final Proc.Background last = run.start("recorder-last", PinnedRecorder.record(record.toArray(String[]::new)));
        PinnedRecorder.awaitRecording(last);
        Proc.sleepMs(1000);
        PinnedRecorder.stopTraffic(traffic, stop);
        Proc.sleepMs(500);
        PinnedRecorder.stop(last);
        Capture.stop(capture);

        assertFalse(TcHooks.show(null, hostDev, "ingress").contains("flowrec"), "a clean stop detaches");
        assertFalse(Files.exists(Instance.ofJournal(journal).pinDir()), "a clean stop unpins");

        final OneWayFlows expected = Capture.oracle(run, pcap, "oracle.csv");
        assertEquals(PAIRS, expected.flows().size(), "the capture holds the sender's flows and nothing else");
        final Proc.Result q = Proc.run(Duration.ofSeconds(300), List.of(TestRun.ROOT.resolve("scripts/flowrec").toString(),
            "query", "--journal", journal.toString(), "--format", "csv")).ok();
        run.write("recorded.csv", q.out());
        final OneWayFlows recorded = OneWayFlows.fromRecorderCsv(q.out());
        assertEquals("", OneWayFlows.differences(expected, recorded, hostDev, k -> "in"),
            "recorded flows differ from the capture (artifacts in " + run.dir() + ")");

        final PinnedRecorder.Runs runs = PinnedRecorder.Runs.read(journal);
        run.write("figures.txt", runs + "\n");
        System.out.println("exactly once across " + KILLS + " kill -9s: " + runs);
        long packets = 0;
        long bytes = 0;
        for (final OneWayFlows.Flow f : expected.flows().values())
        {
            packets += f.packets;
            bytes += f.bytes;
        }
        assertEquals(packets, runs.packetsSeen, "packets seen, summed over the runs' loss reports: " + runs);
        assertEquals(bytes, runs.bytesSeen, "bytes seen, summed over the runs' loss reports: " + runs);
        assertEquals(0, runs.lost, "nothing lost: " + runs);
        // A kill before the run journaled its start leaves no run in the journal; every run but the first adopted.
        assertEquals(runs.runs - 1, runs.adopted, "every restart after a kill adopts the pinned state: " + runs);
        assertTrue(runs.runs > KILLS / 2, "most kills came after the start was journaled: " + runs);
    }
}
