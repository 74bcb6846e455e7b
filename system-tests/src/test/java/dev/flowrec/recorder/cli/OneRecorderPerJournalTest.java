package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two recorders on the same journal: the second refuses with one line naming the first's pid, and the first goes
 * on; once the first is gone, killed with -9 even, a new recorder takes the journal over.
 */
class OneRecorderPerJournalTest
{
    @RegisterExtension
    final TestNetns netns = TestNetns.withIdleVeth();

    @TempDir
    Path tmp;

    @Test
    void shouldRefuseASecondRecorderOnTheSameJournalNamingTheFirst() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Path log = tmp.resolve("first.log");
        final Process first = new ProcessBuilder(Sh.flowrecIn(netns.name(), "record", "--iface", "d0",
            "--journal", journal.toString(), "--http", "off", "--duration", "120s"))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            Logs.await(first, log, "recording d0", 600);
            final long firstPid = Sh.javaPidUnder(first);

            final Path reserve = journal.resolve("space-reserve");
            final long reserved = Files.size(reserve);
            final Sh second = record(journal, "5s");
            assertEquals(1, second.exit(), second::err);
            assertEquals("flowrec record: journal " + journal + " is being recorded by pid " + firstPid + "\n", second.err());
            assertTrue(first.isAlive(), "the first recorder goes on");
            assertEquals(reserved, Files.size(reserve), "the first recorder's space reserve, neither rewritten nor deleted");

            Sh.ok("kill", "-9", Long.toString(firstPid));
            assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the first recorder is gone");
            final Sh third = record(journal, "1s");
            assertEquals(0, third.exit(), third::err);
        }
        finally
        {
            first.destroyForcibly();
            first.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Sh record(final Path journal, final String duration) throws Exception
    {
        return Sh.run(Sh.flowrecIn(netns.name(), "record", "--iface", "d0", "--journal", journal.toString(), "--http", "off",
            "--duration", duration).toArray(String[]::new));
    }
}
