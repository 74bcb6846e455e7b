package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, item 2's other cases: a recorder started with another --max-flows than the run that died finds pinned
 * state of another layout, says so in one line, journals what that state counted (its ring's records and its flow
 * map's flows: MISMATCH_READ) and starts fresh, so that the journal still equals the capture exactly; then
 * {@code --fresh} drops pinned state on purpose (DROPPED), in one line, counting what it held as lost; and a run that
 * adopts the maps of that run after its crash counts that loss once, not minus once.
 */
class PinnedStateMismatchTest
{
    @RegisterExtension
    final TestRun run = new TestRun("it-pinned-mismatch");

    @Test
    void shouldReadForeignStateThenDropItWhenAskedFresh() throws Exception
    {
        TestRun.assumeRootWith("needs root (netns, BPF, bpffs, tcpdump)",
            List.of("ip", "tc", "ethtool", "tcpdump", "tshark", "python3"));
        PinnedRecorder.setUp();
        final String netns = run.fixture().netns("a");
        final String hostDev = "pnm" + ProcessHandle.current().pid() % 100_000;
        PinnedRecorder.veth(run, netns, "eth0", "10.231.74.2/24", hostDev);
        final Path journal = run.dir().resolve("journal");
        PinnedRecorder.unpinOnClose(run, journal);
        final Path pcap = run.dir().resolve("wire.pcap");
        final Path stop = run.dir().resolve("stop-traffic");
        final Proc.Background capture = Capture.start(run, "tcpdump", List::of, hostDev, pcap);
        final Proc.Background first = start("recorder-1024", journal, hostDev, "--max-flows", "1024");
        final Proc.Background traffic = PinnedRecorder.traffic(run, "traffic", netns, "10.231.74.2", "10.231.74.9", 4, stop);
        Proc.sleepMs(1200);
        kill(first);
        Proc.sleepMs(500); // counted by the dead run's filter into its maps
        final Proc.Background second = start("recorder-2048", journal, hostDev, "--max-flows", "2048");
        final List<String> said = second.err().lines().filter(l -> l.contains("not adoptable")).toList();
        assertEquals(1, said.size(), second.err());
        assertTrue(said.getFirst().contains("--max-flows 1024") && said.getFirst().contains("starting fresh"), said.getFirst());
        Proc.sleepMs(1000);
        PinnedRecorder.stopTraffic(traffic, stop);
        Proc.sleepMs(1000); // every delta journaled (flush interval 100 ms)
        kill(second);
        Capture.stop(capture);

        final OneWayFlows expected = Capture.oracle(run, pcap, "oracle.csv");
        assertEquals(4, expected.flows().size());
        assertEquals("", OneWayFlows.differences(expected, query(journal), hostDev, k -> "in"),
            "the foreign state's flows and ring records are journaled, exactly (artifacts in " + run.dir() + ")");

        // Counted by the dead run's filter, then dropped on purpose.
        run.fixture().exec(netns, "python3", "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('10.231.74.2', 40099)); " +
            "[s.sendto(b'y' * 10, ('10.231.74.9', 5099)) for _ in range(25)]");
        final Proc.Background fresh = start("recorder-fresh", journal, hostDev, "--max-flows", "2048", "--fresh");
        final List<String> dropped = fresh.err().lines().filter(l -> l.contains("dropped the pinned kernel state")).toList();
        assertEquals(1, dropped.size(), fresh.err());
        assertTrue(dropped.getFirst().contains("--fresh"), dropped.getFirst());
        // The run that dropped state dies too: the next one adopts its maps, whose counters never held what it
        // journaled of the dropped state, and must count neither less nor more than they did.
        kill(fresh);
        PinnedRecorder.stop(start("recorder-adopting", journal, hostDev, "--max-flows", "2048"));

        final PinnedRecorder.Runs runs = PinnedRecorder.Runs.read(journal);
        run.write("figures.txt", runs + "\n");
        assertEquals(4, runs.runs, runs.toString());
        assertEquals(1, runs.mismatches, runs.toString());
        assertEquals(1, runs.dropped, runs.toString());
        assertEquals(1, runs.adopted, runs.toString());
        assertTrue(runs.leastOfARun >= 0, "no run reports negative loss or traffic: " + runs);
        assertTrue(runs.lost >= 1, "what --fresh dropped is counted as lost: " + runs);
        assertTrue(query(journal).flows().keySet().stream().noneMatch(k -> k.dport() == 5099), "dropped, not journaled");
    }

    private Proc.Background start(final String name, final Path journal, final String hostDev, final String... more)
    {
        final List<String> args = new java.util.ArrayList<>(List.of("--iface", hostDev, "--journal", journal.toString(),
            "--flush-interval", "100ms"));
        args.addAll(List.of(more));
        final Proc.Background p = run.start(name, PinnedRecorder.record(args.toArray(String[]::new)));
        PinnedRecorder.awaitRecording(p);
        return p;
    }

    private static void kill(final Proc.Background p) throws Exception
    {
        final ProcessHandle handle = ProcessHandle.of(p.pid()).orElseThrow();
        Proc.kill(handle);
        handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private OneWayFlows query(final Path journal)
    {
        final Proc.Result q = Proc.run(Duration.ofSeconds(300), List.of(TestRun.ROOT.resolve("scripts/flowrec").toString(),
            "query", "--journal", journal.toString(), "--format", "csv")).ok();
        run.write("recorded.csv", q.out());
        return OneWayFlows.fromRecorderCsv(q.out());
    }
}
