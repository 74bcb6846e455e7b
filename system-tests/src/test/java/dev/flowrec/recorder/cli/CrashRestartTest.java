package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.TcHooks;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during traffic, then restart, twenty times: the journal reads after every kill, every packet counted
 * more than a flush interval before a kill is in it, each new run appends, the filters a dead run left are
 * replaced (exactly one per direction), and a clean stop at the end leaves no filter (nor TCX link), one clsact
 * qdisc (none where the kernel has TCX) and nothing pinned.
 */
class CrashRestartTest
{
    private static final int KILLS = 20;
    private static final int PINGS = 5;

    @RegisterExtension
    final TestNetns a = TestNetns.ipv4Pair("fc0", "10.213.78.1/24", "fc1", "10.213.78.2/24");

    @TempDir
    Path tmp;

    @Test
    void shouldKeepTheJournalReadableAndCompleteThroughTwentyKill9s() throws Exception
    {
        final Path journal = tmp.resolve("j");
        for (int run = 1; run <= KILLS; run++)
        {
            final Process recorder = start(journal, "run" + run + ".log");
            assertEquals(1, filterCount("ingress"), "run " + run + ": one ingress filter, the dead run's replaced");
            assertEquals(1, filterCount("egress"), "run " + run + ": one egress filter, the dead run's replaced");
            ping(PINGS);
            Thread.sleep(700); // more than a flush interval plus a sweep: every ping is journaled by now
            recorder.toHandle().destroyForcibly(); // SIGKILL: no orderly stop, filters stay behind
            assertTrue(recorder.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, recorder.exitValue());
            // The journal reads after every kill, and holds every ping of every run so far.
            assertEquals(run * PINGS * 2, icmpPackets(journal), "after kill " + run + ": every ping and reply");
        }

        final Process last = start(journal, "last.log");
        ping(PINGS);
        last.destroy();
        assertTrue(last.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, last.exitValue());
        assertEquals(0, filterCount("ingress") + filterCount("egress"), "a clean stop leaves no filter");
        assertEquals(TcHooks.kernelHasTcx() ? 0 : 1, Sh.ok("ip", "netns", "exec", a.name(), "tc", "qdisc", "show", "dev", "fc0").out()
            .lines().filter(l -> l.contains("clsact")).count(), "one clsact qdisc however many runs, none with TCX links");
        assertTrue(Sh.ok("find", "/sys/fs/bpf", "-name", "*flowrec*").out().isBlank(), "nothing pinned");
        assertEquals((KILLS + 1) * PINGS * 2, icmpPackets(journal));
    }

    /** ICMP packets of both directions: echo requests out, replies in (anything else would be counted wrong). */
    private static long icmpPackets(final Path journal) throws Exception
    {
        final Sh q = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv");
        long packets = 0;
        for (final String line : q.out().lines().skip(1).toList())
        {
            final String[] f = line.split(",", -1);
            final boolean request = f[4].equals("out") && f[6].equals("10.213.78.1");
            final boolean reply = f[4].equals("in") && f[6].equals("10.213.78.2");
            packets += f[5].equals("icmp") && (request || reply) ? Long.parseLong(f[10]) : 0;
        }
        return packets;
    }

    private Process start(final Path journal, final String log) throws Exception
    {
        final Path logFile = tmp.resolve(log);
        final Process p = new ProcessBuilder(Sh.flowrecIn(a.name(), "record", "--iface", "fc0", "--journal", journal.toString(),
            "--flush-interval", "200ms"))
            .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        Logs.await(p, logFile, "recording", 600);
        return p;
    }

    private void ping(final int count) throws Exception
    {
        final Sh r = Sh.ok("ip", "netns", "exec", a.name(), "ping", "-q", "-i", "0.05", "-c", Integer.toString(count), "10.213.78.2");
        assertTrue(r.out().contains(count + " packets transmitted, " + count + " received"), r.out());
    }

    private long filterCount(final String direction) throws Exception
    {
        return TcHooks.show(a.name(), "fc0", direction).lines().filter(l -> l.contains("flowrec_")).count();
    }
}
