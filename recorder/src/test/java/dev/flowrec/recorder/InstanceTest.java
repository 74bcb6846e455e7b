package dev.flowrec.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldDeriveTheNameFromTheJournalsRealPath() throws Exception
    {
        final Path journal = Files.createDirectories(tmp.resolve("flowrec-journal"));
        final Path link = Files.createSymbolicLink(tmp.resolve("other-name"), journal);
        final Instance instance = Instance.ofJournal(journal);

        assertTrue(instance.name().matches("flowrec-journal-[0-9a-f]{8}"), instance.name());
        assertEquals(instance, Instance.ofJournal(link), "the same journal by another path: the same instance");
        Files.createDirectories(tmp.resolve("x"));
        assertEquals(instance, Instance.ofJournal(tmp.resolve("x/../flowrec-journal")));
        final Path elsewhere = Files.createDirectories(tmp.resolve("b/flowrec-journal"));
        assertNotEquals(instance, Instance.ofJournal(elsewhere), "another journal of the same name: another instance");
        assertNotEquals(instance.tcHandle(), Instance.ofJournal(elsewhere).tcHandle());
        assertEquals(Path.of("/sys/fs/bpf/flowrec").resolve(instance.name()), instance.pinDir());
    }

    @Test
    void shouldMakeAValidNameOfAnyDirectoryName()
    {
        assertTrue(Instance.derived(Path.of("/var/lib/jour nal:é")).matches("jour_nal__-[0-9a-f]{8}"));
        assertEquals(64, Instance.derived(Path.of("/x/" + "a".repeat(200))).length());
        assertTrue(Instance.derived(Path.of("/")).startsWith("root-"));
    }

    @Test
    void shouldRefuseNamesThatAreNotPathComponentsOfItsAlphabet()
    {
        new Instance("a");
        new Instance("A-b_c.9".repeat(10).substring(0, 64));
        for (final String bad : new String[]{"", "a/b", "..", ".", "a b", "é", "x".repeat(65)})
        {
            assertThrows(IllegalArgumentException.class, () -> new Instance(bad), bad);
        }
    }
}
