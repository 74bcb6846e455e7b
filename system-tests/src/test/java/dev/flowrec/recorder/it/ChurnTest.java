package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4, containers come and go: one recorder with {@code --containers} in a testnet host namespace while
 * 20 containers are added, pinged a fixed number of times from a long-lived container, and deleted, one after
 * another. Each new veth must carry the recorder's filters soon after it appears; afterwards, every one of the
 * 20 is in the journal under its runtime short id with exactly the echo requests sent into it; no filter of
 * the recorder is left anywhere in the host namespace; and the recorder did not leak: its fd count and its
 * heap after a full GC stayed flat between container 5 and container 20.
 *
 * Artifacts stay under system-tests/target/it-containers/.
 */
class ChurnTest
{
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    private static final Duration SHORT = Duration.ofSeconds(30);
    /** A new veth is recorded within about a second; the deadline only bounds a hang. */
    private static final Duration ATTACH = Duration.ofSeconds(10);
    private static final int CHURN = 20;
    private static final int PINGS = 3;
    private static final int FD_SLACK = 5;
    private static final double HEAP_SLACK = 0.20;
    private static final Pattern HEAP_USED = Pattern.compile("total (?:reserved )?\\d+K, (?:committed \\d+K, )?used (\\d+)K");

    @RegisterExtension
    final TestRun run = new TestRun("it-containers");

    @BeforeAll
    static void requirements()
    {
        TestRun.assumeRootWith("needs root (netns, cgroups, BPF)",
            List.of("ip", "tc", "ss", "ping", "curl", "socat", "iperf3", "flock", "setsid", "sha256sum"));
        assumeTrue(Files.isExecutable(JCMD), JCMD + " is not there");
        assumeTrue(Files.isExecutable(ROOT.resolve("scripts/flowrec")), "scripts/flowrec does not exist");
        assumeTrue(Files.isExecutable(ROOT.resolve("scripts/testnet")), "scripts/testnet does not exist");
    }

    @Test
    void shouldFollowTwentyContainersComingAndGoingWithoutLeaking() throws IOException
    {
        final Testnet net = Testnet.up(run.fixture(), ROOT, 1, false); // container 1 pings the others and stays
        final Testnet.Container pinger = net.manifest().getFirst();
        final HostRecorder recorder = HostRecorder.start(ROOT, net, run);
        recorder.awaitStarted();
        recorder.awaitAttached(pinger.hostVeth(), HostRecorder.START);
        final long pid = recorder.process().pid();
        assertJava(pid);

        final Map<Integer, Testnet.Container> churned = new LinkedHashMap<>();
        final Map<Integer, Integer> sent = new LinkedHashMap<>();
        final Map<Integer, Integer> received = new LinkedHashMap<>();
        Sample afterFifth = null;
        Sample afterLast = null;
        for (int i = 1; i <= CHURN; i++)
        {
            final int k = i + 1;
            final Testnet.Container c = net.add(k, true);
            churned.put(k, c);
            recorder.awaitAttached(c.hostVeth(), ATTACH);
            final Proc.Result ping = Proc.run(SHORT, net.exec(1, "ping", "-n", "-c", Integer.toString(PINGS), "-i", "0.05", "-W", "2", c.ipv4()));
            final Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(ping.out());
            assertTrue(m.find(), "ping " + c.ipv4() + ":\n" + ping.out() + ping.err());
            sent.put(k, Integer.parseInt(m.group(1)));
            received.put(k, Integer.parseInt(m.group(2)));
            assertEquals(PINGS, sent.get(k), "echo requests sent to " + c.name());
            net.del(k);
            assertTrue(recorder.process().alive(), "the recorder died after " + c.name() + " went:\n" + recorder.process().err());
            if (i == 5)
            {
                afterFifth = sample(pid);
            }
            else if (i == CHURN)
            {
                afterLast = sample(pid);
            }
        }
        run.write("samples.txt", "after 5: " + afterFifth + "\nafter " + CHURN + ": " + afterLast + "\n");
        recorder.stop();

        // No filter of the recorder anywhere in the host namespace, none on a clsact qdisc it may have left.
        final StringBuilder left = new StringBuilder();
        for (final String iface : net.hostLinks())
        {
            for (final String hook : List.of("ingress", "egress"))
            {
                final String f = recorder.filters(iface, hook);
                if (f.contains("flowrec"))
                {
                    left.append(iface).append(' ').append(hook).append(":\n").append(f);
                }
            }
        }
        final String qdiscs = Proc.run(SHORT, net.inHost("tc", "qdisc", "show")).out();

        // Every churned container, by its short id, with exactly the echo requests sent into it.
        final String csv = recorder.queryCsv(run.dir());
        final List<List<String>> rows = HostRecorder.rows(csv);
        final StringBuilder failures = new StringBuilder();
        for (final Map.Entry<Integer, Testnet.Container> e : churned.entrySet())
        {
            final Testnet.Container c = e.getValue();
            final List<List<String>> mine = rows.stream().filter(r -> r.get(2).equals(c.hostVeth())).toList();
            // The test's own traffic (sent after `testnet add` returned, i.e. with the container's process in its
            // cgroup and netns, and after the veth had the filters) must carry the short id, every packet of it.
            // Packets from before the process existed (IPv6 MLD at link-up) may carry the netns-name fallback.
            final Set<String> icmpNames = new TreeSet<>();
            mine.stream().filter(r -> r.get(5).equals("icmp")).forEach(r -> icmpNames.add(r.get(3)));
            if (!icmpNames.equals(Set.of(c.shortId())))
            {
                failures.append(c.name()).append(" (").append(c.runtime()).append(") on ").append(c.hostVeth())
                    .append(": its ICMP rows name the container ").append(icmpNames).append(", expected only ").append(c.shortId()).append('\n');
            }
            final long requests = icmp(mine, c.shortId(), "in", pinger.ipv4(), c.ipv4(), 8 * 256);
            final long replies = icmp(mine, c.shortId(), "out", c.ipv4(), pinger.ipv4(), 0);
            if (requests != sent.get(e.getKey()))
            {
                failures.append(c.name()).append(": ").append(requests).append(" echo requests recorded 'in' under ").append(c.shortId())
                    .append(", sent ").append(sent.get(e.getKey())).append('\n');
            }
            if (replies != received.get(e.getKey()))
            {
                failures.append(c.name()).append(": ").append(replies).append(" echo replies recorded 'out' under ").append(c.shortId())
                    .append(", received ").append(received.get(e.getKey())).append('\n');
            }
        }
        // Flat: no fd and no heap growth between container 5 and container 20. Every check reports, then all fail together.
        final Sample five = afterFifth;
        final Sample last = afterLast;
        assertAll(
            () -> assertEquals("", left.toString(), "filters left behind after the recorder stopped (qdiscs:\n" + qdiscs + ")"),
            () -> assertEquals("", failures.toString(), "churned containers in the journal (recorded.csv in " + run.dir() + ")"),
            () -> assertTrue(last.fds() - five.fds() <= FD_SLACK, "the recorder's open fds grew from " + five.fds() +
                " (after 5 containers) to " + last.fds() + " (after " + CHURN + ")"),
            () -> assertTrue(last.heapUsedKb() <= five.heapUsedKb() * (1 + HEAP_SLACK), "the recorder's heap after GC grew from " +
                five.heapUsedKb() + "K (after 5 containers) to " + last.heapUsedKb() + "K (after " + CHURN + "), more than " +
                (int)(HEAP_SLACK * 100) + "%"));
    }

    private static long icmp(final List<List<String>> rows, final String container, final String direction, final String src,
        final String dst, final int dport)
    {
        return rows.stream().filter(r -> r.get(3).equals(container) && r.get(4).equals(direction) && r.get(5).equals("icmp") && r.get(6).equals(src) &&
            r.get(8).equals(dst) && r.get(9).equals(Integer.toString(dport))).mapToLong(r -> Long.parseLong(r.get(10))).sum();
    }

    record Sample(long fds, long heapUsedKb)
    {
    }

    /** Open fds, and used heap after a full GC, of the recorder JVM. */
    private Sample sample(final long pid)
    {
        Proc.sleepMs(1500); // the departed container's detach and the sweep of its flows are done by now
        Proc.run(SHORT, List.of(JCMD.toString(), Long.toString(pid), "GC.run")).ok();
        final Proc.Result info = Proc.run(SHORT, List.of(JCMD.toString(), Long.toString(pid), "GC.heap_info")).ok();
        final Matcher m = HEAP_USED.matcher(info.out());
        assertTrue(m.find(), "no used heap in jcmd GC.heap_info:\n" + info.out());
        final long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd")))
        {
            fds = s.count();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot list /proc/" + pid + "/fd", ex);
        }
        return new Sample(fds, Long.parseLong(m.group(1)));
    }

    /** The process started as `ip netns exec NS scripts/flowrec ...` is the JVM itself (both exec). */
    private static void assertJava(final long pid)
    {
        try
        {
            final String exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
            assertTrue(exe.endsWith("/bin/java"), "the recorder's pid " + pid + " is " + exe + ", not the JVM: the launcher does not exec");
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot read /proc/" + pid + "/exe", ex);
        }
    }
}
