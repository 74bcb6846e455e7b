package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.NetnsFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's file system fills up under a running recorder (a 48 MiB tmpfs filled to the last byte by
 * another writer): the recorder says so, /healthz turns 503 while /traffic keeps answering, what it cannot
 * write is counted and journaled as loss once space returns, and the journal reads from start to end.
 */
class DiskFullTest
{
    private final NetnsFixture net = new NetnsFixture();
    private String a;

    @TempDir
    Path tmp;
    private Path disk;

    @BeforeEach
    void createPairAndDisk() throws Exception
    {
        a = net.ipv4Pair("fd0", "10.213.79.1/24", "fd1", "10.213.79.2/24").a();
        disk = Files.createDirectories(tmp.resolve("disk"));
        Sh.ok("mount", "-t", "tmpfs", "-o", "size=48m", "flowrec-test", disk.toString());
    }

    @AfterEach
    void deletePairAndDisk() throws Exception
    {
        try
        {
            net.close();
        }
        finally
        {
            Sh.run("umount", disk.toString());
        }
    }

    @Test
    void shouldLoseNothingWhileTheDiskIsFullForLessThanTheKernelHolds() throws Exception
    {
        final Path journal = disk.resolve("j");
        final Path log = tmp.resolve("recorder.log");
        final Process recorder = startRecorder(journal, log);
        try
        {
            Logs.await(recorder, log, "recording", 600);
            ping(20);
            Thread.sleep(1000); // a flush and an idle sweep: these pings are journaled
            assertEquals("200", Sh.httpStatus(a, "/healthz"));

            // Another writer takes every free byte: the recorder must stop writing before it faults on a page.
            Sh.run("dd", "if=/dev/zero", "of=" + disk.resolve("fill"), "bs=1M");
            Logs.await(recorder, log, "journal suspended", 600);
            ping(20);
            Thread.sleep(1500); // flushed by the kernel into its ring, which the recorder leaves alone meanwhile
            assertEquals("503", Sh.httpStatus(a, "/healthz"));
            assertEquals("200", Sh.httpStatus(a, "/traffic"), "the live view stays up");
            assertEquals(0, lostEventsInMetrics(), "nothing drained to be dropped: the kernel keeps it");

            Files.delete(disk.resolve("fill"));
            Logs.await(recorder, log, "journal resumed", 600);
            ping(20);
            assertEquals("200", Sh.httpStatus(a, "/healthz"));
        }
        finally
        {
            recorder.destroy();
            assertTrue(recorder.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(0, recorder.exitValue(), Files.readString(log));

        final Sh q = Sh.run(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv", "--where", "proto icmp");
        assertEquals(0, q.exit(), q.err());
        long out = 0;
        for (final String line : q.out().lines().skip(1).toList())
        {
            final String[] f = line.split(",", -1);
            out += f[4].equals("out") ? Long.parseLong(f[10]) : 0;
        }
        // Every ping is there, those sent while the disk was full too: the kernel's map and ring held their deltas
        // until space returned (a kill -9 meanwhile would have left them pinned, for the next run to adopt).
        assertEquals(60, out, () -> q.out() + q.err() + info(journal));
        assertFalse(q.err().contains("could not journal"), q.err());
    }

    /**
     * Stopped while the disk is still full: the loss counted while it was full is journaled all the same (the space
     * set aside at start is freed for the last events), the stop says how much on stderr, and every later answer
     * about that time is incomplete.
     */
    @Test
    void shouldJournalTheLossOfAFullDiskWhenStoppedBeforeSpaceReturns() throws Exception
    {
        final Path journal = disk.resolve("j");
        final Path log = tmp.resolve("recorder.log");
        final Process recorder = startRecorder(journal, log);
        try
        {
            Logs.await(recorder, log, "recording", 600);
            assertTrue(Files.exists(journal.resolve("space-reserve")), "space set aside while recording");
            ping(20);
            Thread.sleep(1000);
            Sh.run("dd", "if=/dev/zero", "of=" + disk.resolve("fill"), "bs=1M");
            Logs.await(recorder, log, "journal suspended", 600);
            ping(20);
            Thread.sleep(1500);
            assertEquals(0, lostEventsInMetrics(), "held by the kernel while the disk is full, not drained to be dropped");
        }
        finally
        {
            recorder.destroy(); // the disk is still full: the stop flushes the kernel's flows, which cannot be written
            assertTrue(recorder.waitFor(60, TimeUnit.SECONDS));
        }
        final String stderr = Files.readString(log);
        assertEquals(0, recorder.exitValue(), stderr);
        assertTrue(stderr.matches("(?s).*flowrec record: stopped; [1-9][0-9]* events could not be written while the disk "
            + "was short of space \\(journaled as loss\\).*"), stderr);
        assertFalse(Files.exists(journal.resolve("space-reserve")), "the reserve was spent on the last events");
        Files.delete(disk.resolve("fill"));

        final Sh q = Sh.run(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv");
        assertEquals(0, q.exit(), q.err());
        assertTrue(q.err().contains("could not journal"), "the answer is not complete: " + q.err() + info(journal));
        final Sh table = Sh.run(Sh.FLOWREC, "query", "--journal", journal.toString());
        assertFalse(table.out().contains("complete: no loss journaled"), table.out());
    }

    /** A recorder of fd0 into journal on the small disk, keeping 4 MiB free, its output in log. */
    private Process startRecorder(final Path journal, final Path log) throws Exception
    {
        return new ProcessBuilder(Sh.flowrecIn(a, "record", "--iface", "fd0", "--journal", journal.toString(),
            "--min-free", "4M", "--flush-interval", "200ms")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String info(final Path journal)
    {
        try
        {
            final Sh i = Sh.run(Sh.FLOWREC, "info", "--journal", journal.toString());
            return i.out() + i.err() + Sh.run("ls", "-la", journal.toString()).out();
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }

    private void ping(final int count) throws Exception
    {
        final Sh r = Sh.ok("ip", "netns", "exec", a, "ping", "-q", "-i", "0.05", "-c", Integer.toString(count), "10.213.79.2");
        assertTrue(r.out().contains(count + " packets transmitted, " + count + " received"), r.out());
    }

    private long lostEventsInMetrics() throws Exception
    {
        final String metrics = Sh.ok("ip", "netns", "exec", a, "curl", "-s", "http://127.0.0.1:8080/metrics").out();
        return metrics.lines().filter(l -> l.startsWith("flowrec_journal_lost_events"))
            .mapToLong(l -> (long)Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
