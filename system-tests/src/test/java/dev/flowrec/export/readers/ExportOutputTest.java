package dev.flowrec.export.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowrec export} never writes where it was not told, never half, and never twice (issue 14, item 4;
 * issue 15, item 12): each mistake made for real through {@code scripts/flowrec}, and what was there before
 * compared with what is there after (mode, size, content, and every name in the directory, hidden ones included).
 */
class ExportOutputTest
{
    private static final long T0_NS = Instant.parse("2026-11-26T13:00:00Z").getEpochSecond() * SyntheticJournal.SECOND_NS;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    static Path tmp;
    static Path journal;
    static String journalMode;

    @BeforeAll
    static void writeJournal() throws IOException, InterruptedException
    {
        // first, so that a build scripts/flowrec runs on its first use does not print into a test's stderr
        assertTrue(Cli.exportAvailable(), "scripts/flowrec --help lists export");
        journal = tmp.resolve("journal");
        // 80,000 deltas: several MB uncompressed, so a 1 MiB file system fills up in the middle of the export
        SyntheticJournal.write(journal, "web1", T0_NS, 2, 40_000, 7);
        try (Stream<Path> cycles = Files.list(journal))
        {
            final Path cycle = cycles.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
            journalMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(cycle));
        }
        assertEquals("rw-r-----", journalMode, "the journal's files, as the recorder makes them");
    }

    @Test
    void shouldRefuseAnExistingOutputWithoutForceAndReplaceItWithForce() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("existing"));
        final Path out = Files.writeString(dir.resolve("flows.parquet"), "yesterday's export");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        final Snapshot before = Snapshot.of(out);

        final Cli.Result refused = export("--out", out.toString());
        assertEquals(1, refused.exit(), refused.err());
        assertEquals("flowrec export: output " + out + " exists (--force replaces it)", oneLine(refused));
        assertEquals(before, Snapshot.of(out), "untouched");
        assertEquals(List.of("flows.parquet"), names(dir), "nothing else left");

        export("--out", out.toString(), "--force").ok("export --force");
        assertTrue(isParquet(out), "replaced by the export");
        assertEquals(journalMode, Snapshot.of(out).mode(), "the journal's mode, not the old file's");
        assertEquals(List.of("flows.parquet"), names(dir));
    }

    @Test
    void shouldNeverFollowASymbolicLinkAtOut() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("link"));
        final Path scratch = Files.writeString(tmp.resolve("scratch-owned-by-the-test"), "not an export");
        final Path link = Files.createSymbolicLink(dir.resolve("flows.parquet"), scratch);
        final Snapshot before = Snapshot.of(scratch);
        for (final List<String> force : List.of(List.<String>of(), List.of("--force")))
        {
            final Cli.Result r = export(Stream.concat(Stream.of("--out", link.toString()), force.stream()).toArray(String[]::new));
            assertEquals(1, r.exit(), r.err());
            assertTrue(oneLine(r).startsWith("flowrec export: " + link + " is a symbolic link (to " + scratch + ")"), r.err());
            assertEquals(before, Snapshot.of(scratch), "the link's target untouched " + force);
            assertTrue(Files.isSymbolicLink(link), "the link itself left alone");
            assertEquals(List.of("flows.parquet"), names(dir));
        }
    }

    @Test
    void shouldNotCreateAMissingDirectory() throws Exception
    {
        final Path missing = tmp.resolve("no/such");
        final Cli.Result r = export("--out", missing.resolve("flows.parquet").toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals("flowrec export: directory " + missing + " does not exist", oneLine(r));
        assertFalse(Files.exists(tmp.resolve("no")), "no parent created");
    }

    @Test
    void shouldNameThePathAndTheCauseWhenTheFileCannotBeCreated() throws Exception
    {
        final Cli.Result r = export("--out", "/proc/x.parquet");
        assertEquals(1, r.exit(), r.err());
        final String line = oneLine(r);
        assertTrue(line.startsWith("flowrec export: cannot write /proc/x.parquet: "), line);
        assertTrue(line.length() > "flowrec export: cannot write /proc/x.parquet: ".length() + 3, "a cause: " + line);
        assertFalse(Files.exists(Path.of("/proc/x.parquet")));
    }

    @Test
    void shouldLeaveNothingBehindWhenTheDiskFillsMidWrite() throws Exception
    {
        final Path mount = Files.createDirectory(Path.of("/tmp/ex-full-" + ProcessHandle.current().pid()));
        Cli.run(TIMEOUT, "mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "ex-full", mount.toString()).ok("mount tmpfs");
        try
        {
            final Path parquet = mount.resolve("flows.parquet");
            final Path arrow = mount.resolve("flows.arrow");
            final Path dataset = mount.resolve("ds");
            for (final List<String> args : List.of(
                List.of("--out", parquet.toString(), "--compression", "none"),
                List.of("--out", arrow.toString()),
                List.of("--out", dataset.toString(), "--partition-by", "date,hour", "--compression", "none")))
            {
                final Cli.Result r = export(args.toArray(String[]::new));
                assertEquals(1, r.exit(), args + ": " + r.err());
                final String line = oneLine(r);
                assertTrue(line.startsWith("flowrec export: cannot write " + args.get(1)), line);
                assertTrue(line.endsWith(": No space left on device"), line);
                assertEquals(List.of(), names(mount), "nothing left behind by " + args);
            }
        }
        finally
        {
            Cli.run(TIMEOUT, "umount", mount.toString()).ok("umount");
            Files.delete(mount);
        }
    }

    @Test
    void shouldLeaveNothingBehindWhenStoppedMidWrite() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("stopped"));
        final Path log = tmp.resolve("stopped.log");
        final Process export = new ProcessBuilder(Cli.flowrec("export", "--journal", journal.toString(), "--out",
            dir.resolve("flows.parquet").toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (names(dir).isEmpty() && export.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(2);
            }
            final List<String> during = names(dir);
            assertEquals(1, during.size(), "a temporary file while writing: " + during);
            assertTrue(during.getFirst().startsWith(".flows.parquet.flowrec-"), during.toString());
            export.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM's shutdown runs
            assertTrue(export.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        finally
        {
            export.destroyForcibly();
        }
        assertEquals(143, export.exitValue(), "stopped by the signal, not finished: " + Files.readString(log));
        assertEquals(List.of(), names(dir), "the temporary file deleted");
    }

    @Test
    void shouldGiveFilesAndDirectoriesTheJournalsMode() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("modes"));
        final Path file = dir.resolve("flows.arrow");
        export("--out", file.toString()).ok("export to a new file");
        assertEquals(journalMode, Snapshot.of(file).mode());
        assertTrue(new String(Files.readAllBytes(file), 0, 6, StandardCharsets.US_ASCII).equals("ARROW1"), "Arrow IPC by its extension");

        final Path dataset = dir.resolve("ds");
        export("--out", dataset.toString(), "--partition-by", "date,hour").ok("partitioned export");
        try (Stream<Path> walk = Files.walk(dataset))
        {
            for (final Path p : walk.toList())
            {
                assertEquals(Files.isDirectory(p) ? "rwxr-x---" : journalMode, Snapshot.of(p).mode(), p.toString());
            }
        }
        assertEquals(List.of("date=2026-11-26"), names(dataset));
        assertEquals(List.of("ds", "flows.arrow"), names(dir), "no staging directory left");
    }

    @Test
    void shouldReplaceAPreviousPartitionedExportOnlyWithForce() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("replace"));
        final Path dataset = dir.resolve("ds");
        export("--out", dataset.toString(), "--partition-by", "hour").ok("first export");
        final Snapshot before = Snapshot.of(dataset.resolve("hour=13/part-0.parquet"));

        final Cli.Result refused = export("--out", dataset.toString(), "--partition-by", "hour");
        assertEquals(1, refused.exit(), refused.err());
        assertTrue(oneLine(refused).contains(dataset + " is not empty (--force replaces"), refused.err());
        assertEquals(before, Snapshot.of(dataset.resolve("hour=13/part-0.parquet")));

        export("--out", dataset.toString(), "--partition-by", "hour", "--where", "udp", "--force").ok("--force");
        assertTrue(Snapshot.of(dataset.resolve("hour=13/part-0.parquet")).size() < before.size(), "replaced by the udp rows");
        assertEquals(List.of("ds"), names(dir), "the old tree and the staging directory gone");

        final Path foreign = Files.writeString(dataset.resolve("notes.txt"), "mine");
        final Cli.Result kept = export("--out", dataset.toString(), "--partition-by", "hour", "--force");
        assertEquals(1, kept.exit(), kept.err());
        assertTrue(oneLine(kept).contains("holds " + foreign + ", which no export writes"), kept.err());
        assertEquals("mine", Files.readString(foreign));
        assertEquals(List.of("ds"), names(dir));
    }

    @Test
    void shouldRefuseTheSameJournalTwice() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("twice"));
        final Path link = Files.createSymbolicLink(dir.resolve("journal-link"), journal);
        final Path copy = dir.resolve("journal-copy");
        Cli.run(TIMEOUT, "cp", "-a", journal.toString(), copy.toString()).ok("cp -a");
        final Path out = dir.resolve("flows.parquet");
        for (final Path again : List.of(journal, link, journal.resolve("../journal"), copy))
        {
            final Cli.Result r = Cli.run(TIMEOUT, Cli.flowrec("export", "--journal", journal.toString(), "--journal",
                again.toString(), "--out", out.toString()));
            assertEquals(1, r.exit(), r.err());
            final String line = oneLine(r);
            assertTrue(line.startsWith("flowrec export: --journal " + again + " is "), line);
            assertTrue(line.contains(again.equals(copy) ? "a copy of --journal " + journal + ": both begin with web1's "
                + "recorder started at 2026-11-26T13:00:00Z" : "--journal " + journal + " again (" + journal.toRealPath() + ")"), line);
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void shouldExportTwoJournalsOfOneHostNameAsDistinctHosts() throws Exception
    {
        final Path other = tmp.resolve("other-journal");
        SyntheticJournal.write(other, "web1", T0_NS + SyntheticJournal.HOUR_NS, 1, 1_000, 8);
        final Path dataset = tmp.resolve("hosts");
        final Cli.Result r = Cli.run(TIMEOUT, Cli.flowrec("export", "--journal", journal.toString(), "--journal",
            other.toString(), "--out", dataset.toString(), "--partition-by", "host")).ok("two journals of web1");
        assertTrue(r.err().contains("exported as distinct hosts: web1#1, web1#2"), r.err());
        assertEquals(List.of("host=web1%231", "host=web1%232"), names(dataset));
    }

    @Test
    void shouldRefuseAnExtensionOfAnotherFormat() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("extensions"));
        final Cli.Result csv = export("--out", dir.resolve("f.csv").toString());
        assertEquals(2, csv.exit(), csv.err());
        assertTrue(csv.err().startsWith("flowrec export: --out " + dir.resolve("f.csv") + ": export writes Arrow IPC or "
            + "Parquet, not .csv (for .csv: flowrec query --format csv > f.csv)"), csv.err());
        final Cli.Result contradiction = export("--out", dir.resolve("f.parquet").toString(), "--format", "arrow");
        assertEquals(2, contradiction.exit(), contradiction.err());
        assertTrue(contradiction.err().contains("names .parquet (parquet) but --format is arrow"), contradiction.err());
        assertEquals(List.of(), names(dir), "nothing written");
    }

    private static Cli.Result export(final String... args) throws IOException, InterruptedException
    {
        final List<String> cmd = Cli.flowrec("export", "--journal", journal.toString());
        cmd.addAll(Arrays.asList(args));
        return Cli.run(TIMEOUT, cmd);
    }

    private static String oneLine(final Cli.Result r)
    {
        final List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "one line on stderr: " + r.err());
        return lines.getFirst();
    }

    /** Every name in a directory, hidden ones included, sorted. */
    private static List<String> names(final Path dir) throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean isParquet(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        return bytes.length > 8 && new String(bytes, 0, 4, StandardCharsets.US_ASCII).equals("PAR1")
            && new String(bytes, bytes.length - 4, 4, StandardCharsets.US_ASCII).equals("PAR1");
    }

    /** What a file is: mode, size and content (a link is not followed). */
    private record Snapshot(String mode, long size, String content)
    {
        static Snapshot of(final Path p) throws IOException
        {
            final String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
            {
                return new Snapshot(mode, 0, "");
            }
            final byte[] bytes = Files.readAllBytes(p);
            try
            {
                return new Snapshot(mode, bytes.length, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            }
            catch (final NoSuchAlgorithmException ex)
            {
                throw new AssertionError(ex);
            }
        }
    }
}
