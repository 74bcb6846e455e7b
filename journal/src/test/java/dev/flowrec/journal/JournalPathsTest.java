package dev.flowrec.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JournalPathsTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldSayAMissingDirectoryDoesNotExist()
    {
        final Path dir = tmp.resolve("nothing-here");
        assertEquals("journal directory does not exist: " + dir,
            assertThrows(JournalException.class, () -> JournalPaths.requireReadable(dir)).getMessage());
    }

    @Test
    void shouldNameASymbolicLinkLoopAsOne() throws Exception
    {
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        assertEquals("journal directory " + a + ": symbolic link loop",
            assertThrows(JournalException.class, () -> JournalPaths.requireReadable(a)).getMessage());
    }

    @Test
    void shouldSayAFileIsNotADirectory() throws Exception
    {
        final Path file = Files.writeString(tmp.resolve("f"), "x");
        assertEquals("not a flowrec journal: " + file + " (not a directory)",
            assertThrows(JournalException.class, () -> JournalPaths.requireReadable(file)).getMessage());
    }
}
