package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest
{
    private static final long HOUR_MS = 3_600_000L;
    private static final Instant T0 = Instant.parse("2026-01-01T00:30:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldDeleteCyclesThatEndedBeforeTheRetentionAgeOldestFirst() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(T0);
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            for (int hour = 0; hour < 6; hour++)
            {
                append(writer, hour);
                clock.advanceMillis(HOUR_MS);
            }
            // now 06:30; hours 00..05 written; keep cycles that ended within 3 h: 03 (ended 04:00) onwards.
            final int deleted = writer.applyRetention(new Retention.Policy(3 * HOUR_MS - 1, 0), clock.currentTimeMillis());
            assertEquals(3, deleted);
            assertEquals(List.of("20260101-03F.cq4", "20260101-04F.cq4", "20260101-05F.cq4"), cycleFiles());
            append(writer, 6); // the writer carries on after its directory changed
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            final long[] ids = new long[8];
            final int[] n = {0};
            while (reader.poll((t, b, o, l) -> ids[n[0]++] = MessageHeader.wrap(new FlowDeltaDecoder(), b, o)
                .packets(), 10) > 0)
            {
                // read all
            }
            assertEquals(4, n[0], "the hours kept plus the new one read back");
            assertEquals(3, ids[0]);
            assertEquals(6, ids[3]);
        }
    }

    @Test
    void shouldDeleteOldestCyclesUntilUnderTheSizeBoundButNeverTheNewest() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(T0);
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            for (int hour = 0; hour < 4; hour++)
            {
                append(writer, hour);
                clock.advanceMillis(HOUR_MS);
            }
            final long perCycle = writer.diskBytes() / 4;
            assertTrue(perCycle > 0, "cycle files use disk");
            assertEquals(2, writer.applyRetention(new Retention.Policy(0, 2 * perCycle), clock.currentTimeMillis()));
            assertEquals(List.of("20260101-02F.cq4", "20260101-03F.cq4"), cycleFiles());
            assertEquals(1, writer.applyRetention(new Retention.Policy(0, 1), clock.currentTimeMillis()),
                "a bound smaller than one cycle keeps only the newest");
            assertEquals(List.of("20260101-03F.cq4"), cycleFiles());
            assertEquals(0, writer.applyRetention(Retention.Policy.FOREVER, clock.currentTimeMillis()));
        }
    }

    @Test
    void shouldNeverDeleteTheCycleBeingWrittenWhenACycleFileIsDatedInTheFuture() throws IOException
    {
        final long[] nowMs = {T0.toEpochMilli()}; // a wall clock, which may be set back
        final net.openhft.chronicle.core.time.TimeProvider clock = () -> nowMs[0];
        final List<String> warnings = new java.util.ArrayList<>();
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            for (int hour = 0; hour < 3; hour++)
            {
                append(writer, hour);
                nowMs[0] += HOUR_MS;
            }
            // The clock runs two days ahead for a while, then is set back: a cycle file named after now is left.
            nowMs[0] += 48 * HOUR_MS;
            append(writer, 100);
            nowMs[0] -= 48 * HOUR_MS;
            append(writer, 3); // 03:30: the cycle being written is 03
            assertEquals(List.of("20260101-00F.cq4", "20260101-01F.cq4", "20260101-02F.cq4", "20260101-03F.cq4",
                "20260103-03F.cq4"), cycleFiles());
            assertEquals(3, writer.applyRetention(new Retention.Policy(0, 1), clock.currentTimeMillis(), warnings::add),
                "the size bound takes 00, 01 and 02");
            assertEquals(List.of("20260101-03F.cq4", "20260103-03F.cq4"), cycleFiles(),
                "the cycle being written (03) is kept, and the one dated in the future is left alone");
            writer.applyRetention(new Retention.Policy(0, 1), clock.currentTimeMillis(), warnings::add);
            assertEquals(List.of("journal cycle 20260103-03F.cq4 is dated after now (was the clock set back?): "
                + "retention leaves it alone"), warnings, "said once");
            append(writer, 4);
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            final java.util.Set<Long> read = new java.util.TreeSet<>();
            while (reader.poll((t, b, o, l) -> read.add(MessageHeader.wrap(new FlowDeltaDecoder(), b, o).packets()), 10) > 0)
            {
                // read all
            }
            assertTrue(read.containsAll(List.of(3L, 4L, 100L)), "what was written since the clock went back is there: " + read);
        }
    }

    private static void append(final JournalWriter writer, final long packets)
    {
        MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), writer.claim(Templates.FLOW_DELTA_LENGTH), 0)
            .packets(packets).family((short)4);
        writer.commit();
    }

    private List<String> cycleFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }
}
