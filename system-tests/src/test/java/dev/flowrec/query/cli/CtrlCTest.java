package dev.flowrec.query.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 13: Ctrl-C (SIGINT) ends a long {@code flowrec query} with exit status 130, "cancelled" on stderr and
 * nothing but whole rows on stdout. The signal is sent once the query's JVM has worked for a while (its CPU time, a
 * stopwatch of its own events, not of the wall clock), so that it lands inside the query, not before or after it.
 */
class CtrlCTest
{
    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
    private static final long MS = 1_000_000L;
    private static final int DELTAS = 300_000;
    /** CPU time of the query's JVM before the signal: past its start (JVM, JIT and GC threads count too), inside the answer (about 10 s of work). */
    private static final long CPU_BEFORE_SIGNAL_TICKS = 400;

    @TempDir
    Path tmp;

    @Test
    void shouldEndALongQueryWith130AndWholeRowsOnly() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final long t0 = 1_767_225_600_000L * MS;
        try (TestJournal writer = TestJournal.openOnEth0(journal, t0))
        {
            for (int i = 0; i < DELTAS; i++)
            {
                final long t = t0 + i * MS;
                writer.now(t).delta().at(t).packets(1).bytes(100).ipv4(0x0A000001 + (i >>> 16), 0x0B000000 | i)
                    .srcPort(1024 + i % 60_000).dstPort(443).proto(6).direction(1).ifindex(1).appendToBatch();
                if (i % 1000 == 999)
                {
                    writer.commitDeltas();
                }
            }
            writer.commitDeltas();
        }
        final Path out = tmp.resolve("out.csv");
        final Path err = tmp.resolve("err.txt");
        final Process query = new ProcessBuilder(ROOT.resolve("scripts/flowrec").toString(), "query", "--journal",
            journal.toString(), "--interval", "1ms", "--group-by", "conversation", "--format", "csv")
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try
        {
            long ticks = 0;
            while (query.isAlive() && (ticks = javaCpuTicks(query.pid())) < CPU_BEFORE_SIGNAL_TICKS)
            {
                Thread.sleep(20);
            }
            assertTrue(query.isAlive(), "the query ended before the signal (" + ticks + " ticks): make it longer\n"
                + Files.readString(err));
            new ProcessBuilder("kill", "-INT", String.valueOf(query.pid())).start().waitFor();
            assertTrue(query.waitFor(60, TimeUnit.SECONDS), "the query still runs a minute after Ctrl-C");
        }
        finally
        {
            query.destroyForcibly();
        }
        final String stderr = Files.readString(err);
        assertEquals(130, query.exitValue(), "exit status after Ctrl-C\n" + stderr);
        assertTrue(stderr.contains("flowrec query: cancelled"), stderr);
        final String stdout = Files.readString(out);
        assertTrue(stdout.isEmpty() || stdout.endsWith("\n"), "the last line printed is whole");
        final List<String> lines = stdout.lines().toList();
        assertTrue(lines.size() < DELTAS + 1, "cancelled, yet every row printed");
        for (final String line : lines.subList(Math.min(1, lines.size()), lines.size()))
        {
            assertTrue(line.matches("[0-9T:.-]+Z,tcp [0-9.:]+ <-> [0-9.:]+,1,1,100"), "a whole row: " + line);
        }
    }

    /** utime + stime of the process once it is the JVM (the launcher execs it), in clock ticks; 0 before. */
    private static long javaCpuTicks(final long pid) throws Exception
    {
        final Path proc = Path.of("/proc", String.valueOf(pid));
        if (!Files.readString(proc.resolve("comm")).trim().equals("java"))
        {
            return 0;
        }
        final String stat = Files.readString(proc.resolve("stat"));
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5), after pid and comm
    }
}
