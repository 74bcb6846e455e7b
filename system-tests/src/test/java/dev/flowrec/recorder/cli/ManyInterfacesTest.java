package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.bpf.TcHooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, load: 200 interfaces at once. One namespace holds 200 veths (frld0..frld199, 10.214.i.1/24) whose
 * peers are in a second namespace (10.214.i.2/24); IPv4 only, so the only IP traffic is the test's pings. The
 * recorder runs there with --all-interfaces: it says it records all 200, each carries exactly one flowrec filter
 * per direction, and one ping over each is journaled under that interface, packet for packet. Then 100 of them
 * are deleted while it runs: each is journaled as vanished, the recorder stays healthy and keeps recording the
 * other 100 exactly; SIGTERM stops it with exit 0 and leaves no filter. The time to attach all 200 is printed
 * (from the journal: RecorderStarted to the last InterfaceAttached), not asserted.
 */
class ManyInterfacesTest
{
    private static final int IFACES = 200;
    private static final int UNPLUGGED_FROM = 100; // frld100..frld199 go while the recorder runs
    private static final int ICMP_IP_BYTES = 84;   // 20 IP + 8 ICMP + 56 payload

    private final NetnsFixture net = new NetnsFixture();
    private String a;
    private String b;
    private Process recorder;

    @TempDir
    Path tmp;

    @BeforeEach
    void createInterfaces() throws Exception
    {
        a = net.netns("a");
        b = net.netns("b");
        for (final String n : List.of(a, b))
        {
            // Before any link exists: no IPv6 on any of them, so no MLD or neighbour discovery in the counts.
            net.sysctl(n, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            net.up(n, "lo");
        }
        final StringBuilder inA = new StringBuilder();
        final StringBuilder inB = new StringBuilder();
        for (int i = 0; i < IFACES; i++)
        {
            inA.append("link add frld").append(i).append(" type veth peer name frldp").append(i).append(" netns ").append(b).append('\n')
                .append("addr add 10.214.").append(i).append(".1/24 dev frld").append(i).append('\n')
                .append("link set frld").append(i).append(" up\n");
            inB.append("addr add 10.214.").append(i).append(".2/24 dev frldp").append(i).append('\n')
                .append("link set frldp").append(i).append(" up\n");
        }
        net.ip(a, "-batch", Files.writeString(tmp.resolve("a.batch"), inA).toString());
        net.ip(b, "-batch", Files.writeString(tmp.resolve("b.batch"), inB).toString());
    }

    @AfterEach
    void deleteInterfaces()
    {
        // The recorder first, then the namespaces: deleting one deletes its veths and their peers, and with them
        // any filter left on them.
        net.close();
    }

    @Test
    void shouldRecordTwoHundredInterfacesAndFollowAHundredOfThemGoing() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Path log = tmp.resolve("recorder.log");
        final long launchNs = System.nanoTime();
        recorder = net.start(new ProcessBuilder(Sh.flowrecIn(a, "record", "--all-interfaces", "--journal", journal.toString(),
            "--flush-interval", "200ms"))
            .redirectErrorStream(true).redirectOutput(log.toFile()));
        final String line = awaitLine(log, "flowrec record: recording");
        final long launchToRecordingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchNs);

        final List<String> all = names(0, IFACES);
        final List<String> said = List.of(line.substring(line.indexOf("recording ") + 10, line.indexOf(" into ")).split(", "));
        assertEquals(sorted(all), sorted(said), "the recorder says it records exactly the 200 interfaces");
        assertEquals(IFACES, trafficInterfaces(), "/traffic lists 200 interfaces");
        assertEquals("", filterFaults(all, 1), "exactly one flowrec filter per direction on each of the 200");

        assertEquals("", pingEach(0, IFACES), "one ping over each of the 200 is answered");
        Thread.sleep(1000); // a flush interval plus idle sweeps: every ping is journaled by now

        // Hot-unplug: 100 interfaces vanish while the recorder runs (deleting one end deletes its peer too).
        final StringBuilder del = new StringBuilder();
        names(UNPLUGGED_FROM, IFACES).forEach(n -> del.append("link del ").append(n).append('\n'));
        Sh.ok("ip", "-n", a, "-batch", Files.writeString(tmp.resolve("del.batch"), del).toString());
        for (int i = 0; i < 300 && trafficInterfaces() != IFACES - UNPLUGGED_FROM; i++)
        {
            assertTrue(recorder.isAlive(), () -> "the recorder died after the unplug: " + Logs.read(log));
            Thread.sleep(100);
        }
        assertEquals(IFACES - UNPLUGGED_FROM, trafficInterfaces(), "/traffic lists the 100 that remain");
        assertEquals("200", Sh.httpStatus(a, "/healthz"), "healthy after 100 interfaces vanished");
        assertEquals("", pingEach(0, UNPLUGGED_FROM), "a second ping over each remaining interface is answered");
        Thread.sleep(1000);
        assertEquals("200", Sh.httpStatus(a, "/healthz"));

        recorder.destroy(); // SIGTERM
        assertTrue(recorder.waitFor(60, TimeUnit.SECONDS), "the recorder stops on SIGTERM");
        assertEquals(0, recorder.exitValue(), () -> Logs.read(log));
        assertEquals("", filterFaults(names(0, UNPLUGGED_FROM), 0), "a clean stop leaves no flowrec filter");

        // The journal: every interface's pings, exactly, under its own name; every attachment and detachment.
        final Map<String, long[]> byIfaceDirection = new HashMap<>();
        final Sh q = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv", "--group-by", "iface,direction,proto");
        assertEquals("iface,direction,proto,flows,packets,bytes", q.out().lines().findFirst().orElse(""));
        for (final String row : q.out().lines().skip(1).toList())
        {
            final String[] f = row.split(",", -1);
            assertEquals("icmp", f[2], () -> "only the test's pings are IP traffic here: " + row);
            byIfaceDirection.put(f[0] + " " + f[1], new long[] {Long.parseLong(f[4]), Long.parseLong(f[5])});
        }
        final StringBuilder wrong = new StringBuilder();
        for (int i = 0; i < IFACES; i++)
        {
            final long pings = i < UNPLUGGED_FROM ? 2 : 1;
            for (final String direction : List.of("out", "in")) // echo requests out, replies in
            {
                final long[] got = byIfaceDirection.getOrDefault("frld" + i + " " + direction, new long[2]);
                if (got[0] != pings || got[1] != pings * ICMP_IP_BYTES)
                {
                    wrong.append("frld").append(i).append(' ').append(direction).append(": ").append(got[0]).append(" packets, ")
                        .append(got[1]).append(" bytes; expected ").append(pings).append(", ").append(pings * ICMP_IP_BYTES).append('\n');
                }
            }
        }
        assertEquals("", wrong.toString(), "each interface's pings, exactly, in the journal");
        assertEquals(2 * IFACES, byIfaceDirection.size(), "no other interface or direction in the journal: " + byIfaceDirection.keySet());
        assertTrue(q.err().isBlank(), () -> "no loss or coverage warning: " + q.err());

        final JournalTally t = JournalTally.read(journal);
        final Map<String, String> expectedDetach = new HashMap<>();
        names(0, UNPLUGGED_FROM).forEach(n -> expectedDetach.put(n, "stopped"));
        names(UNPLUGGED_FROM, IFACES).forEach(n -> expectedDetach.put(n, "vanished"));
        final long attachMs = TimeUnit.NANOSECONDS.toMillis(t.attached.values().stream().mapToLong(Long::longValue).max().orElse(0) - t.startedNs);
        System.out.printf("ManyInterfacesTest: %d interfaces attached %d ms after RecorderStarted (journal times); "
            + "launch to 'recording' line %d ms%n", t.attached.size(), attachMs, launchToRecordingMs);
        assertAll(
            () -> assertEquals(sorted(all), sorted(new ArrayList<>(t.attached.keySet())), "an InterfaceAttached for each of the 200"),
            () -> assertEquals(expectedDetach, t.detached, "the 100 unplugged journaled as vanished, the rest as stopped"),
            () -> assertEquals(0, t.ringLostEvents + t.journalLostEvents, "nothing lost"));
    }

    /**
     * For each interface, a line when it does not carry exactly {@code expected} flowrec programs per direction,
     * clsact filters and TCX links together (tc shows the filters; {@link TcHooks#tcx} the links).
     */
    private String filterFaults(final List<String> ifaces, final int expected) throws Exception
    {
        final String script = "for d in " + String.join(" ", ifaces) + "; do"
            + " ip link show dev $d > /dev/null 2>&1 || { echo \"$d gone\"; continue; };"
            + " i=$(tc filter show dev $d ingress | grep -c 'flowrec_ingress');"
            + " e=$(tc filter show dev $d egress | grep -c 'flowrec_egress');"
            + " o=$(tc filter show dev $d ingress; tc filter show dev $d egress);"
            + " n=$(printf '%s\\n' \"$o\" | grep -c flowrec_);"
            + " echo \"$d $i $e $n\"; done";
        final Sh r = Sh.ok("ip", "netns", "exec", a, "bash", "-c", script);
        final StringBuilder faults = new StringBuilder();
        for (final String line : r.out().lines().toList())
        {
            final String[] f = line.split(" ");
            if (f.length == 2)
            {
                faults.append(f[0]).append(": no such interface\n");
                continue;
            }
            final List<String> in = TcHooks.tcx("/run/netns/" + a, f[0], "ingress");
            final List<String> out = TcHooks.tcx("/run/netns/" + a, f[0], "egress");
            final long i = Long.parseLong(f[1]) + in.stream().filter(l -> l.contains("flowrec_ingress")).count();
            final long e = Long.parseLong(f[2]) + out.stream().filter(l -> l.contains("flowrec_egress")).count();
            final long n = Long.parseLong(f[3]) + concat(in, out).stream().filter(l -> l.contains("flowrec_")).count();
            if (i != expected || e != expected || n != 2L * expected)
            {
                faults.append(f[0]).append(": ").append(i).append(" flowrec_ingress on ingress, ").append(e)
                    .append(" flowrec_egress on egress, ").append(n).append(" flowrec programs in all\n");
            }
        }
        return faults.toString();
    }

    private static List<String> concat(final List<String> a, final List<String> b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Pings 10.214.i.2 once over each frld{i}, i in [from, to); a line for each ping not answered. */
    private String pingEach(final int from, final int to) throws Exception
    {
        final Sh r = Sh.ok("ip", "netns", "exec", a, "bash", "-c", "for i in $(seq " + from + " " + (to - 1) + "); do"
            + " ping -n -q -c 1 -W 5 10.214.$i.2 > /dev/null || echo \"no answer over frld$i\"; done");
        return r.out();
    }

    private int trafficInterfaces() throws Exception
    {
        final String json = Sh.ok("ip", "netns", "exec", a, "curl", "-s", "http://127.0.0.1:8080/traffic").out();
        final int start = json.indexOf("\"interfaces\":[");
        final int end = json.indexOf("],\"containers\"");
        assertTrue(start >= 0 && end > start, () -> "/traffic: " + json);
        return (int)java.util.regex.Pattern.compile("\"ifindex\":").matcher(json.substring(start, end)).results().count();
    }

    private String awaitLine(final Path log, final String prefix) throws Exception
    {
        for (int i = 0; i < 1200; i++)
        {
            final String found = Logs.read(log).lines().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
            if (found != null)
            {
                return found;
            }
            assertTrue(recorder.isAlive(), () -> "recorder died: " + Logs.read(log));
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + prefix + "' from the recorder: " + Logs.read(log));
    }

    private static List<String> names(final int from, final int to)
    {
        final List<String> names = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            names.add("frld" + i);
        }
        return names;
    }

    private static List<String> sorted(final List<String> names)
    {
        return names.stream().sorted().toList();
    }
}
