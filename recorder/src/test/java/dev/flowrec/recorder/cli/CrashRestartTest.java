package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during traffic, then restart: the journal still reads, every packet counted more than a flush
 * interval before the kill is in it, the new run appends, and the filters the dead run left are replaced
 * (exactly one per direction).
 */
class CrashRestartTest
{
    private final String ns = "frcrash" + ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    @BeforeEach
    void createPair() throws Exception
    {
        Ipv4Pair.up(ns, "fc", "10.213.78");
    }

    @AfterEach
    void deletePair() throws Exception
    {
        Ipv4Pair.down(ns);
    }

    @Test
    void shouldKeepTheJournalReadableAndAppendAfterKill9() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Process first = start(journal, "first.log");
        ping(30);
        Thread.sleep(2500); // more than a flush interval plus a sweep: every ping is journaled by now
        first.toHandle().destroyForcibly(); // SIGKILL: no orderly stop, filters stay behind
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, first.exitValue());
        assertEquals(1, filterCount("ingress"), "the dead recorder's filter is still attached");

        final Process second = start(journal, "second.log");
        assertEquals(1, filterCount("ingress"), "restart replaced the stale ingress filter");
        assertEquals(1, filterCount("egress"), "restart replaced the stale egress filter");
        ping(10);
        second.destroy();
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue());
        assertEquals(0, filterCount("ingress") + filterCount("egress"));

        final Sh q = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv");
        long out = 0;
        long in = 0;
        for (final String line : q.out().lines().skip(1).toList())
        {
            final String[] f = line.split(",", -1);
            if (f[5].equals("icmp"))
            {
                out += f[4].equals("out") ? Long.parseLong(f[10]) : 0;
                in += f[4].equals("in") ? Long.parseLong(f[10]) : 0;
            }
        }
        assertEquals(40, out, q.out());
        assertEquals(40, in, q.out());
    }

    private Process start(final Path journal, final String log) throws Exception
    {
        final Path logFile = tmp.resolve(log);
        final Process p = new ProcessBuilder(Sh.flowrecIn(ns + "a", "record", "--iface", "fc0", "--journal", journal.toString()))
            .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        for (int i = 0; i < 600 && !(Files.exists(logFile) && Files.readString(logFile).contains("recording")); i++)
        {
            assertTrue(p.isAlive(), () -> "recorder died: " + read(logFile));
            Thread.sleep(100);
        }
        return p;
    }

    private void ping(final int count) throws Exception
    {
        final Sh r = Sh.ok("ip", "netns", "exec", ns + "a", "ping", "-q", "-i", "0.05", "-c", Integer.toString(count), "10.213.78.2");
        assertTrue(r.out().contains(count + " packets transmitted, " + count + " received"), r.out());
    }

    private long filterCount(final String direction) throws Exception
    {
        return Sh.ok("ip", "netns", "exec", ns + "a", "tc", "filter", "show", "dev", "fc0", direction).out()
            .lines().filter(l -> l.contains("flowrec_")).count();
    }

    private static String read(final Path p)
    {
        try
        {
            return Files.readString(p);
        }
        catch (final java.io.IOException ex)
        {
            return ex.toString();
        }
    }
}
