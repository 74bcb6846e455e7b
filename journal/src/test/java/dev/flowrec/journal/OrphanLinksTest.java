package dev.flowrec.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader killed before it closes leaves its private directory of links in the temporary directory: the next reader
 * deletes it, and nothing that is not an orphan's.
 */
class OrphanLinksTest
{
    private static final long T0_NS = 1_767_225_600_000_000_000L;

    @TempDir
    Path journalDir;

    @Test
    void shouldDeleteTheLinksOfADeadReaderOnly() throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final long dead = gone.pid();
        assertTrue(ProcessHandle.of(dead).isEmpty(), "pid " + dead + " was taken again");
        final Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        final String prefix = HeaderlessCycles.LINKS_PREFIX;
        final Path orphan = links(tmp.resolve(prefix + dead + "-orphan-test"));
        final Path live = links(tmp.resolve(prefix + ProcessHandle.current().pid() + "-live-test"));
        final Path notLinks = links(tmp.resolve(prefix + dead + "-file-test"));
        Files.writeString(notLinks.resolve("notes"), "not a link: not a reader's");
        final Path unnamed = links(tmp.resolve(prefix + "older-form-test"));
        try
        {
            try (TestJournal journal = TestJournal.openOnEth0(journalDir, T0_NS))
            {
                journal.now(T0_NS);
            }
            try (JournalReader reader = JournalReader.open(journalDir))
            {
                assertTrue(reader.poll((t, b, o, l) -> { }, 16) > 0);
                assertEquals(1, count(tmp, prefix + ProcessHandle.current().pid() + "-") - 1, "this reader's own");
            }
            assertFalse(Files.exists(orphan), "the dead reader's links");
            assertTrue(Files.exists(live.resolve("a.cq4"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "a live reader's");
            assertTrue(Files.exists(notLinks.resolve("notes")), "a directory holding more than links");
            assertTrue(Files.exists(unnamed), "a name without a pid");
            assertEquals(1, count(tmp, prefix + ProcessHandle.current().pid() + "-"), "the closed reader's are gone");
        }
        finally
        {
            for (final Path dir : List.of(orphan, live, notLinks, unnamed))
            {
                delete(dir);
            }
        }
    }

    private static Path links(final Path dir) throws IOException
    {
        Files.createDirectory(dir);
        Files.createSymbolicLink(dir.resolve("a.cq4"), Path.of("/nonexistent/a.cq4"));
        return dir;
    }

    private static long count(final Path tmp, final String prefix) throws IOException
    {
        try (Stream<Path> all = Files.list(tmp))
        {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        }
    }

    private static void delete(final Path dir) throws IOException
    {
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS))
        {
            try (Stream<Path> entries = Files.list(dir))
            {
                for (final Path entry : entries.toList())
                {
                    Files.delete(entry);
                }
            }
            Files.delete(dir);
        }
    }
}
