package dev.flowrec.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader killed before it closes leaves its private directory of links in the temporary directory: a later reader
 * deletes it, and nothing that is not surely an orphan's. Each reader deletes its own on close.
 */
class OrphanLinksTest
{
    private static final long T0_NS = 1_767_225_600_000_000_000L;
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    @TempDir
    Path journalDir;

    @Test
    void shouldDeleteTheLinksOfADeadReaderOfThisPidNamespaceOnly() throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final long dead = gone.pid();
        assertTrue(ProcessHandle.of(dead).isEmpty(), "pid " + dead + " was taken again");
        final long self = ProcessHandle.current().pid();
        final List<Path> made = new ArrayList<>();
        try
        {
            final Path orphan = made(made, HeaderlessCycles.linksPrefix(dead) + "orphan-test", true);
            final Path live = made(made, HeaderlessCycles.linksPrefix(self) + "live-test", true);
            final Path notLinks = made(made, HeaderlessCycles.linksPrefix(dead) + "file-test", true);
            Files.writeString(notLinks.resolve("notes"), "not a link: not a reader's");
            final Path empty = made(made, HeaderlessCycles.linksPrefix(dead) + "empty-test", false);
            final Path otherNamespace = made(made, HeaderlessCycles.LINKS_PREFIX + "1-" + dead + "-otherns-test", true);
            final Path olderForm = made(made, HeaderlessCycles.LINKS_PREFIX + dead + "-older-test", true);

            HeaderlessCycles.reapOrphans(live);

            assertFalse(Files.exists(orphan, LinkOption.NOFOLLOW_LINKS), "the dead reader's links");
            assertTrue(Files.exists(live.resolve("a.cq4"), LinkOption.NOFOLLOW_LINKS), "a live reader's");
            assertTrue(Files.exists(notLinks.resolve("notes")), "a directory holding more than links");
            assertTrue(Files.exists(empty), "an empty one: a reader may be linking into it now");
            assertTrue(Files.exists(otherNamespace), "another pid namespace's: its pids mean nothing here");
            assertTrue(Files.exists(olderForm), "a name without a namespace");
        }
        finally
        {
            for (final Path dir : made)
            {
                delete(dir);
            }
        }
    }

    @Test
    void shouldDeleteItsOwnLinksOnClose() throws Exception
    {
        try (TestJournal journal = TestJournal.openOnEth0(journalDir, T0_NS))
        {
            journal.now(T0_NS);
        }
        final Set<String> before = ours();
        try (JournalReader reader = JournalReader.open(journalDir))
        {
            assertTrue(reader.poll((t, b, o, l) -> { }, 16) > 0);
            final Set<String> open = ours();
            open.removeAll(before);
            assertEquals(1, open.size(), "this reader's own directory: " + open);
        }
        assertEquals(before, ours(), "the closed reader's is gone");
    }

    private static Path made(final List<Path> made, final String name, final boolean withLink) throws IOException
    {
        final Path dir = Files.createDirectory(TMP.resolve(name));
        made.add(dir);
        if (withLink)
        {
            Files.createSymbolicLink(dir.resolve("a.cq4"), Path.of("/nonexistent/a.cq4"));
        }
        return dir;
    }

    /** The names of this process's private directories. */
    private static Set<String> ours() throws IOException
    {
        try (Stream<Path> all = Files.list(TMP))
        {
            return all.map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith(HeaderlessCycles.linksPrefix(ProcessHandle.current().pid())))
                .collect(Collectors.toSet());
        }
    }

    private static void delete(final Path dir) throws IOException
    {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
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
