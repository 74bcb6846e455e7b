package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a root recorder told to write into a directory does with one it should not trust: refuses in one line, and
 * nothing in it or behind its links is created, extended, renamed or re-moded. Every attack is real (planted links,
 * foreign owners made with chown to a scratch uid, bpffs and procfs), aimed only at scratch files the test owns.
 */
class JournalDirectoryTest
{
    private static final long T0_NS = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
    private static final int SCRATCH_UID = 4_000_123;

    @TempDir
    Path tmp;

    @Test
    void shouldRefuseADirectoryThatIsNotAJournalAndChangeNothingInIt() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("home"));
        final Path setuid = Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(setuid, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(setuid, "unix:mode", 04755);
        final Path sub = Files.createDirectory(dir.resolve("user-dir"));
        Files.setAttribute(sub, "unix:uid", 1000);
        final Map<String, String> before = snapshot(tmp);

        final String message = refused(dir);
        assertTrue(message.startsWith("refusing journal directory " + dir + ": is not a flowrec journal: it holds " + dir + "/"),
            message);
        assertTrue(message.endsWith(", which a journal does not (record into a new or empty directory)"), message);
        assertEquals(before, snapshot(tmp), "nothing changed: modes, owners, sizes, contents");
    }

    @Test
    void shouldRefuseDanglingLinksPlantedForTheFilesAJournalCreates() throws Exception
    {
        final Path dir = tmp.resolve("j");
        final SetTimeProvider clock = new SetTimeProvider(T0_NS);
        write(dir, clock);
        final Path targets = Files.createDirectory(tmp.resolve("targets"));
        // The next hour's cycle file, the metadata, and the catalog's next day: each a link to a file not there yet.
        final String[][] plants = {
            {"20260101-01F.cq4", "next-cycle"},
            {"catalog/20260102F.cq4", "next-catalog-day"}};
        for (final String[] plant : plants)
        {
            final Path link = dir.resolve(plant[0]);
            Files.createSymbolicLink(link, targets.resolve(plant[1]));
            final Map<String, String> before = snapshot(tmp);
            assertTrue(refused(dir).contains("holds a symbolic link, " + link), plant[0]);
            assertEquals(before, snapshot(tmp), "no link target created: " + plant[0]);
            Files.delete(link);
        }
        final Path metadata = dir.resolve(JournalPaths.METADATA_FILE);
        Files.move(metadata, tmp.resolve("metadata.moved"));
        Files.createSymbolicLink(metadata, targets.resolve("metadata"));
        final Map<String, String> before = snapshot(tmp);
        assertTrue(refused(dir).contains("holds a symbolic link, " + metadata));
        assertEquals(before, snapshot(tmp));
        try (Stream<Path> none = Files.list(targets))
        {
            assertEquals(0, none.count(), "nothing was created behind any link");
        }
    }

    @Test
    void shouldRefuseAForeignOwnedOrSharedOrLinkedDirectory() throws Exception
    {
        final Path foreign = Files.createDirectory(tmp.resolve("foreign"));
        Files.setAttribute(foreign, "unix:uid", SCRATCH_UID);
        final Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
        final Map<String, String> before = snapshot(tmp);
        assertEquals("refusing journal directory " + foreign + ": is owned by uid " + SCRATCH_UID +
            ", not by this recorder's user (uid 0)", refused(foreign));

        assertTrue(refused(shared).endsWith("is writable by group or others (rwxrwxr-x); a journal is written by its " +
            "recorder alone: chmod go-w"), refused(shared));

        final Path real = Files.createDirectory(tmp.resolve("real"));
        final Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertTrue(refused(link).endsWith("is a symbolic link; give the directory it points to, if that is meant to be the journal"));

        final Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setAttribute(open, "unix:mode", 0777);
        assertTrue(refused(open.resolve("j")).endsWith("which every user may write without the sticky bit: anyone could " +
            "swap the journal directory for a link"));
        final Path sticky = Files.createDirectory(tmp.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        JournalWriter.open(sticky.resolve("j")).close(); // /tmp's case: others cannot rename what is not theirs

        // An ancestor further up that another user owns: they could rename the journal's parent away and plant a link.
        final Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        final Path below = Files.createDirectory(theirs.resolve("below"));
        Files.setAttribute(theirs, "unix:uid", SCRATCH_UID);
        assertTrue(refused(below.resolve("j")).contains("lies in " + theirs + ", owned by uid " + SCRATCH_UID), refused(below.resolve("j")));
        final Path groupShared = Files.createDirectory(tmp.resolve("group"));
        Files.setAttribute(groupShared, "unix:gid", SCRATCH_UID);
        Files.setAttribute(groupShared, "unix:mode", 0775);
        assertTrue(refused(groupShared.resolve("j")).contains("which group " + SCRATCH_UID + " may write without the sticky bit"));

        final Map<String, String> after = snapshot(tmp);
        assertEquals(before.get("foreign"), after.get("foreign"), "owner and mode as the test left them");
        assertEquals(before.get("shared"), after.get("shared"));
        assertFalse(Files.exists(open.resolve("j")), "nothing created under the unsafe parent");
        assertFalse(Files.exists(below.resolve("j")), "nothing created under the foreign ancestor");
    }

    @Test
    void shouldRefuseRandomCycleAndMetadataFilesWithoutRepairingThem() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("random"));
        final byte[] junk = new byte[8192];
        new Random(7).nextBytes(junk);
        Files.write(dir.resolve("20260101-00F.cq4"), junk);
        Files.write(dir.resolve("20260101-01F.cq4"), junk);
        final Map<String, String> before = snapshot(tmp);
        assertTrue(refused(dir).contains("is not a flowrec journal: it holds " + dir), refused(dir));
        assertEquals(before, snapshot(tmp), "not renamed to .discard, not extended");

        final Path meta = Files.createDirectory(tmp.resolve("meta"));
        Files.write(meta.resolve(JournalPaths.METADATA_FILE), junk);
        final Map<String, String> beforeMeta = snapshot(tmp);
        assertTrue(refused(meta).contains("it holds " + meta.resolve(JournalPaths.METADATA_FILE)));
        assertEquals(beforeMeta, snapshot(tmp), "not extended");
    }

    @Test
    void shouldRefuseTheKernelsFileSystemsInOneLineCreatingNothing()
    {
        final Path bpffs = Path.of("/sys/fs/bpf/flowrec-test-journal-" + ProcessHandle.current().pid());
        assertEquals("refusing journal directory " + bpffs + ": is on a bpf file system, which holds the kernel's files, "
            + "not a journal", refused(bpffs));
        assertFalse(Files.exists(bpffs));
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/catalog")));
        assertTrue(refused(Path.of("/proc")).contains("is on a proc file system"));
        assertTrue(refused(Path.of("/sys/kernel")).contains("is on a sysfs file system"));
    }

    @Test
    void shouldOpenAnEmptyPrivateDirectoryAndAJournalAgainLeavingTheirModes() throws Exception
    {
        final Path empty = Files.createDirectory(tmp.resolve("empty"));
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rwxr-xr-x"));
        final SetTimeProvider clock = new SetTimeProvider(T0_NS);
        write(empty, clock);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(empty)), "not re-moded");
        clock.advanceMillis(3_600_000);
        write(empty, clock); // a journal, reopened: its files are recognised
        final Path fresh = tmp.resolve("a/b/fresh");
        write(fresh, clock);
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)), "created private");
    }

    /**
     * The window that cannot be closed (Chronicle opens by path, after the check): the checked directory swapped for
     * a link in between is caught by the check made once Chronicle has opened, before anything is written.
     */
    @Test
    void shouldNoticeTheDirectorySwappedForALinkBetweenTheCheckAndTheOpen() throws Exception
    {
        final Path dir = tmp.resolve("j");
        final JournalDirectory.Checked checked = JournalDirectory.prepare(dir);
        JournalDirectory.requireSame(checked);
        final Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.move(dir, tmp.resolve("moved-away"));
        Files.createSymbolicLink(dir, elsewhere);
        final JournalException ex = assertThrows(JournalException.class, () -> JournalDirectory.requireSame(checked));
        assertEquals("refusing journal directory " + dir + ": was replaced while the journal was being opened", ex.getMessage());
    }

    private static void write(final Path dir, final SetTimeProvider clock)
    {
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), writer.claim(Templates.FLOW_DELTA_LENGTH), 0)
                .packets(1).family((short)4);
            writer.commit();
        }
    }

    private static String refused(final Path dir)
    {
        return assertThrows(JournalException.class, () -> JournalWriter.open(dir).close()).getMessage();
    }

    /** Every path under root (links not followed): type, owner, mode, size and a digest of its bytes. */
    private static Map<String, String> snapshot(final Path root) throws IOException
    {
        final Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.toList())
            {
                final String key = root.relativize(p).toString();
                final boolean link = Files.isSymbolicLink(p);
                final boolean dir = !link && Files.isDirectory(p);
                final String mode = link ? "" : PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                final int uid = (Integer)Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                final int raw = (Integer)Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                all.put(key, (link ? "l " + Files.readSymbolicLink(p) : dir ? "d" : "f " + Files.size(p) + " " + digest(p))
                    + " " + uid + " " + mode + ((raw & 07000) != 0 ? " special " + Integer.toOctalString(raw & 07000) : ""));
            }
        }
        all.remove("");
        return all;
    }

    private static String digest(final Path file) throws IOException
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
