package dev.flowrec.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A staged file's write-back hints change nothing it holds, and neither a commit nor a discard leaks a descriptor. */
class StagedFileTest
{
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r-----");

    @TempDir
    Path dir;

    @Test
    void shouldCommitWhatWasWrittenWhileItsWriteBackWasStarted() throws IOException
    {
        final long fds = openFds();
        final Path target = dir.resolve("out.arrow");
        final byte[] expected = new byte[3 << 20];
        Arrays.fill(expected, 0, 1 << 20, (byte)1);
        Arrays.fill(expected, 1 << 20, expected.length, (byte)2);
        try (StagedFile file = StagedFile.create(target, MODE))
        {
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file.temp()));
            file.file().write(ByteBuffer.wrap(expected, 0, 1 << 20));
            file.writeBehind();
            file.file().write(ByteBuffer.wrap(expected, 1 << 20, 2 << 20));
            file.writeBehind();
            file.writeBehind(); // nothing new: nothing to start
            file.commit(false);
            assertFalse(Files.exists(file.temp()));
        }
        assertArrayEquals(expected, Files.readAllBytes(target));
        assertEquals(MODE, Files.getPosixFilePermissions(target));
        assertEquals(fds, openFds(), "descriptors left open");
    }

    @Test
    void shouldDeleteAnUncommittedFileAndCloseBothDescriptors() throws IOException
    {
        final long fds = openFds();
        final Path temp;
        try (StagedFile file = StagedFile.create(dir.resolve("out.parquet"), MODE))
        {
            temp = file.temp();
            file.file().write(ByteBuffer.wrap(new byte[4096]));
            file.writeBehind();
            assertTrue(Files.exists(temp));
        }
        assertFalse(Files.exists(temp));
        assertEquals(fds, openFds(), "descriptors left open");
    }

    @Test
    void shouldSayWhyItCannotCreateTheFile()
    {
        final IOException ex = assertThrows(IOException.class,
            () -> StagedFile.create(dir.resolve("missing").resolve("out.arrow"), MODE));
        assertEquals("No such file or directory", Destination.cause(ex));
    }

    private static long openFds() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }
}
