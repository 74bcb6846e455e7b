package dev.flowrec.query.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.TestJournal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query --follow} keeps printing as a journal grows: deltas appended by another process while it runs
 * are printed, each exactly once, in the windows that follow.
 */
class FollowTest
{
    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();

    @TempDir
    Path tmp;

    @Test
    void shouldPrintDeltasAppendedWhileFollowingExactlyOnce() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Path out = tmp.resolve("follow.csv");
        final long t0 = now();
        try (TestJournal writer = TestJournal.openOnEth0(journal, t0))
        {
            delta(writer, 50_000);

            final Process follow = new ProcessBuilder(ROOT.resolve("scripts/flowrec").toString(), "query", "--journal",
                journal.toString(), "--follow", "--format", "csv", "--where", "udp").redirectOutput(out.toFile())
                .redirectError(tmp.resolve("follow.err").toFile()).start();
            try
            {
                await(out, "50000");
                for (int i = 1; i <= 5; i++)
                {
                    delta(writer, 50_000 + i);
                    Thread.sleep(700);
                }
                await(out, "50005");
                Thread.sleep(4000); // more windows go by: nothing may be printed twice
            }
            finally
            {
                follow.destroy();
                follow.waitFor(30, TimeUnit.SECONDS);
            }
        }
        final List<String> lines = Files.readAllLines(out);
        assertEquals("first_seen,last_seen,iface,container,direction,proto,src_addr,src_port,dst_addr,dst_port,packets,bytes,tcp_flags,pid,comm,src_name,dst_name",
            lines.get(0), "one header");
        final List<String> ports = lines.stream().skip(1).map(l -> l.split(",")[7]).toList();
        assertEquals(List.of("50000", "50001", "50002", "50003", "50004", "50005"), ports.stream().sorted().toList(),
            "every delta once:\n" + String.join("\n", lines));
    }

    /**
     * Latency counted against the test's own stopwatch of journaled deltas, one every 500 ms: when a delta is
     * journaled, the one journaled three before it (1.5 s earlier) has been printed. The table's header is printed once.
     */
    @Test
    void shouldPrintEachDeltaSoonAfterItIsJournaledWithTheHeaderOnce() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Path out = tmp.resolve("follow.txt");
        try (TestJournal writer = TestJournal.openOnEth0(journal, now()))
        {
            delta(writer, 50_000);
            final Process follow = new ProcessBuilder(ROOT.resolve("scripts/flowrec").toString(), "query", "--journal",
                journal.toString(), "--follow", "--where", "udp").redirectOutput(out.toFile())
                .redirectError(tmp.resolve("follow.err").toFile()).start();
            final List<Integer> late = new java.util.ArrayList<>();
            try
            {
                await(out, " 50000 ");
                for (int i = 1; i <= 10; i++)
                {
                    delta(writer, 50_000 + i);
                    if (i > 3 && !Files.readString(out).contains(" " + (50_000 + i - 3) + " "))
                    {
                        late.add(50_000 + i - 3);
                    }
                    Thread.sleep(500);
                }
                await(out, " 50010 ");
            }
            finally
            {
                follow.destroy();
                follow.waitFor(30, TimeUnit.SECONDS);
            }
            final String text = Files.readString(out);
            assertEquals(List.of(), late, "deltas not printed by the time three more were journaled:\n" + text);
            assertEquals(1, text.lines().filter(l -> l.startsWith("first_seen")).count(), "one header:\n" + text);
            for (int i = 0; i <= 10; i++)
            {
                final String port = " " + (50_000 + i) + " ";
                assertEquals(1, text.lines().filter(l -> l.contains(port)).count(), "printed once: " + port + "\n" + text);
            }
        }
    }

    private static void await(final Path out, final String port) throws Exception
    {
        for (int i = 0; i < 1200; i++)
        {
            if (Files.exists(out) && Files.readString(out).contains(port.startsWith(" ") ? port : "," + port + ","))
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("follow never printed port " + port + ":\n" + (Files.exists(out) ? Files.readString(out) : ""));
    }

    /** A delta of now, as a recorder journals it: the journal's clock is the wall clock. */
    private static void delta(final TestJournal writer, final int port)
    {
        final long t = now();
        writer.now(t).delta().at(t).packets(1).bytes(100).ipv4(0x0A000001, 0x0A000002).srcPort(port).dstPort(53)
            .proto(17).ifindex(1).append();
    }

    private static long now()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
