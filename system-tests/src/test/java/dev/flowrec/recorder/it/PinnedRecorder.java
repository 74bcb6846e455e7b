package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.PinOutcome;
import dev.flowrec.journal.schema.PinnedStateDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A recorder in the test's own (host) network namespace, where /sys/fs/bpf is the host's bpffs and its kernel state
 * can be pinned ({@code ip netns exec} mounts a sysfs of its own, without one), recording the host end of a veth
 * whose other end is in a test namespace; and what the tests of issue 13 read back from its journal.
 * The JVM is started as scripts/flowrec starts it, without the launcher's setup check on every start (50 starts
 * make that matter); {@link #setUp()} runs the launcher once first.
 */
final class PinnedRecorder
{
    static final Duration START = Duration.ofSeconds(120);

    private PinnedRecorder()
    {
    }

    /** Builds the program if its sources changed, once, through the launcher. */
    static void setUp()
    {
        Proc.run(Duration.ofSeconds(600), List.of(TestRun.ROOT.resolve("scripts/flowrec").toString(), "record", "--help")).ok();
    }

    /** A test that fails before its clean stop leaves pins behind: they go with the test's network. */
    static void unpinOnClose(final TestRun run, final Path journal)
    {
        run.fixture().onClose(() ->
        {
            if (java.nio.file.Files.isDirectory(journal))
            {
                dev.flowrec.bpf.PinnedMaps.unpin(dev.flowrec.recorder.Instance.ofJournal(journal).pinDir());
            }
        });
    }

    /** The command line of {@code flowrec record ARGS}, as scripts/flowrec runs it. */
    static List<String> record(final String... args)
    {
        final Path root = TestRun.ROOT;
        final String java = System.getenv().getOrDefault("FLOWREC_JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java";
        final List<String> line = new ArrayList<>(List.of(java,
            "@" + root.resolve("scripts/jvm.options"), "-Xms32m", "-Xmx128m", "-cp",
            root.resolve("cli/target/classes") + ":" + root.resolve("recorder/target/classes") + ":" +
                root.resolve("recorder/target/lib") + "/*",
            "dev.flowrec.cli.Main", "record", "--http", "off"));
        line.addAll(List.of(args));
        return line;
    }

    /** Waits until the recorder says it records (or exits). */
    static void awaitRecording(final Proc.Background p)
    {
        final BooleanSupplier ready = () -> p.err().contains("flowrec record: recording") || !p.alive();
        Proc.await(START, "the recorder to record", ready, p::err);
        assertTrue(p.alive(), "the recorder exited: " + p.err());
    }

    /** SIGTERM, and an orderly stop: exit 0. */
    static void stop(final Proc.Background p)
    {
        assertEquals(0, p.stop(Duration.ofSeconds(60)), "the recorder's exit status\n" + p.err());
    }

    /** A veth: devA in netns (with the address cidr), its peer hostDev in the test's namespace; offloads off, no IPv6. */
    static void veth(final TestRun run, final String netns, final String devA, final String cidr, final String hostDev)
    {
        run.fixture().sysctl(netns, "net.ipv6.conf.default.disable_ipv6=1", "net.ipv6.conf.all.disable_ipv6=1");
        run.fixture().up(netns, "lo");
        run.fixture().veth(netns, devA, Long.toString(ProcessHandle.current().pid()), hostDev);
        Proc.ok(Duration.ofSeconds(30), "sysctl", "-qw", "net.ipv6.conf." + hostDev + ".disable_ipv6=1");
        run.fixture().address(netns, devA, cidr);
        run.fixture().up(netns, devA);
        Proc.ok(Duration.ofSeconds(30), "ip", "link", "set", hostDev, "up");
        run.fixture().exec(netns, "ethtool", "-K", devA, "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off");
        Proc.ok(Duration.ofSeconds(30), "ethtool", "-K", hostDev, "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off");
    }

    /**
     * A steady sender in netns: datagrams from srcIp ports 40001.. to dstIp ports 5001.., a size of its own for each
     * pair, about 250 rounds a second, until the file stop exists. dstIp has a static neighbour: no ARP, no reply,
     * nothing but these datagrams on the wire.
     */
    static Proc.Background traffic(final TestRun run, final String name, final String netns, final String srcIp,
        final String dstIp, final int pairs, final Path stop)
    {
        run.fixture().exec(netns, "ip", "neigh", "replace", dstIp, "lladdr", "02:00:00:00:0d:09", "dev",
            run.fixture().exec(netns, "ip", "-o", "route", "get", dstIp).replaceAll(".* dev (\\S+).*", "$1").strip(),
            "nud", "permanent");
        final String script = """
            import os, socket, sys, time
            socks = []
            for i in range(%d):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(('%s', 40001 + i))
                socks.append(s)
            while not os.path.exists('%s'):
                for i, s in enumerate(socks):
                    s.sendto(b'x' * (16 + 37 * i), ('%s', 5001 + i))
                time.sleep(0.004)
            """.formatted(pairs, srcIp, stop, dstIp);
        return run.start(name, dev.flowrec.bpf.NetnsFixture.in(netns, "python3", "-c", script));
    }

    /** Ends {@link #traffic} by its stop file (a signal could cut a datagram half-sent) and waits for its exit 0. */
    static void stopTraffic(final Proc.Background traffic, final Path stop)
    {
        try
        {
            java.nio.file.Files.createFile(stop);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        Proc.await(Duration.ofSeconds(30), "the sender to stop", () -> !traffic.alive(), traffic::err);
        assertEquals(0, traffic.stop(Duration.ofSeconds(5)), traffic.err());
    }

    /** What the recorder's runs journaled: loss reports summed over runs (each run's last), and its PinnedState events. */
    static final class Runs
    {
        int runs;
        long packetsSeen;
        long bytesSeen;
        long lost;
        /** The smallest of the runs' loss and seen figures: a run that takes earlier runs' counts for its maps' goes negative. */
        long leastOfARun = Long.MAX_VALUE;
        int adopted;
        int mismatches;
        int dropped;
        long flowsAdopted;
        long ringPendingBytes;
        long ringSkippedBytes;
        long maxRingSkippedBytes;
        final List<String> details = new ArrayList<>();

        static Runs read(final Path journal)
        {
            final Runs t = new Runs();
            final long[] last = new long[3];
            final LossReportDecoder loss = new LossReportDecoder();
            final PinnedStateDecoder pinned = new PinnedStateDecoder();
            try (JournalReader reader = JournalReader.open(journal))
            {
                while (reader.poll((templateId, buffer, offset, length) ->
                {
                    if (templateId == RecorderStartedDecoder.TEMPLATE_ID)
                    {
                        t.add(last);
                        t.runs++;
                    }
                    else if (templateId == LossReportDecoder.TEMPLATE_ID)
                    {
                        MessageHeader.wrap(loss, buffer, offset);
                        last[0] = loss.packetsSeen();
                        last[1] = loss.bytesSeen();
                        last[2] = loss.ringLostEvents() + loss.mapFull() + loss.journalLostEvents();
                    }
                    else if (templateId == PinnedStateDecoder.TEMPLATE_ID)
                    {
                        MessageHeader.wrap(pinned, buffer, offset);
                        final PinOutcome outcome = pinned.outcome();
                        t.adopted += outcome == PinOutcome.ADOPTED ? 1 : 0;
                        t.dropped += outcome == PinOutcome.DROPPED ? 1 : 0;
                        t.mismatches += outcome == PinOutcome.MISMATCH_READ || outcome == PinOutcome.MISMATCH_UNREADABLE ? 1 : 0;
                        t.flowsAdopted += pinned.flowsAdopted();
                        t.ringSkippedBytes += pinned.ringSkippedBytes();
                        t.ringPendingBytes += pinned.ringPendingBytes();
                        t.maxRingSkippedBytes = Math.max(t.maxRingSkippedBytes, pinned.ringSkippedBytes());
                        pinned.skipInstance();
                        pinned.skipPinPath();
                        final String detail = pinned.detail();
                        if (!detail.isEmpty())
                        {
                            t.details.add(outcome + ": " + detail);
                        }
                    }
                }, 65_536) > 0)
                {
                    // to the end
                }
            }
            t.add(last);
            return t;
        }

        private void add(final long[] last)
        {
            packetsSeen += last[0];
            bytesSeen += last[1];
            lost += last[2];
            if (runs > 0)
            {
                leastOfARun = Math.min(leastOfARun, Math.min(last[0], Math.min(last[1], last[2])));
            }
            last[0] = 0;
            last[1] = 0;
            last[2] = 0;
        }

        public String toString()
        {
            return runs + " runs, " + adopted + " adopted (" + flowsAdopted + " flows, " + ringPendingBytes +
                " ring bytes pending, " + ringSkippedBytes + " skipped, at most " + maxRingSkippedBytes + " in one), " +
                mismatches + " mismatches, " + dropped + " dropped; seen " + packetsSeen + " packets, " + bytesSeen +
                " bytes; lost " + lost + " (least of a run " + leastOfARun + "); " + details;
        }
    }
}
