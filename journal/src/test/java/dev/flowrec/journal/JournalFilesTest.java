package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal's directories are 0750 and its files 0640, cycle files rolled later included. */
class JournalFilesTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldRestrictEveryDirectoryAndFileOfAJournal() throws IOException
    {
        final Path dir = tmp.resolve("j");
        final SetTimeProvider clock = new SetTimeProvider(1_767_225_600_000_000_000L);
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(),
                writer.claim(Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, "h", "k", "v", "c")), 0)
                .host("h").kernel("k").flowrecVersion("v").config("c");
            writer.commit();
            for (int hour = 0; hour < 3; hour++)
            {
                MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), writer.claim(Templates.FLOW_DELTA_LENGTH),
                    0).packets(1).family((short)4);
                writer.commit();
                clock.advanceMillis(3_600_000);
            }
        }
        final List<Path> all;
        try (Stream<Path> walk = Files.walk(dir))
        {
            all = walk.toList();
        }
        int cycles = 0;
        for (final Path p : all)
        {
            final String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
            assertEquals(Files.isDirectory(p) ? "rwxr-x---" : "rw-r-----", mode, p.toString());
            cycles += p.toString().endsWith(".cq4") ? 1 : 0;
        }
        assertEquals(4, cycles, "three hourly cycles and the catalog's daily one: " + all);
    }
}
