package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.MessageHeaderEncoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Coverage;
import dev.flowrec.query.JournalSummary;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Replay;
import dev.flowrec.query.Window;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged copies of a real four-hour journal (one cycle file per hour): readers answer for what is intact,
 * say which range they could not read, or stop with one line; never a stack trace, never a hang.
 * Each delta carries its sequence number in its byte count, so an answer is checked event by event.
 */
class CorruptJournalTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0_NS = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * SECOND_NS;
    private static final int CYCLES = 4;
    private static final int PER_CYCLE = 1000;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    private static Path original;
    private static final List<Path> CYCLE_FILES = new ArrayList<>();
    /** File position of each event's document header, by sequence number. */
    private static final long[] HEADER_POSITION = new long[CYCLES * PER_CYCLE];

    @BeforeAll
    static void writeFourHours() throws IOException
    {
        original = tmp.resolve("original");
        try (TestJournal journal = TestJournal.open(original, T0_NS))
        {
            for (int i = 0; i < CYCLES * PER_CYCLE; i++)
            {
                final long t = T0_NS + i * 3600L * SECOND_NS / PER_CYCLE;
                journal.now(t).delta().at(t).packets(1).bytes(i).ipv4(0x0A000000 + i, 0x0A0000FF).ifindex(1)
                    .srcPort(1024 + i % 30000).dstPort(80).proto(6).append();
            }
        }
        try (Stream<Path> files = Files.list(original))
        {
            files.filter(p -> p.toString().endsWith(".cq4")).sorted().forEach(CYCLE_FILES::add);
        }
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(original).readOnly(true).build();
             ExcerptTailer tailer = queue.createTailer())
        {
            for (int i = 0; i < HEADER_POSITION.length; i++)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    HEADER_POSITION[i] = dc.wire().bytes().readPosition() - 4;
                }
            }
        }
        assertEquals(CYCLES, CYCLE_FILES.size());
    }

    @Test
    void shouldReadTheUndamagedJournalCompletely()
    {
        final Outcome outcome = read(copy("intact"));
        assertEquals(CYCLES * PER_CYCLE, outcome.seen.size());
        assertTrue(outcome.coverage.complete(), outcome.coverage.describe());
    }

    @Test
    void shouldReadUpToTheCutOfATruncatedNewestCycle() throws IOException
    {
        final Path dir = copy("truncated-newest");
        final int cut = 3 * PER_CYCLE + PER_CYCLE / 2;
        truncate(cycleFile(dir, 3), HEADER_POSITION[cut] + 40); // inside the event
        final Outcome outcome = read(dir);
        assertHasAllBut(outcome, 3 * PER_CYCLE + PER_CYCLE / 2, CYCLES * PER_CYCLE);
        assertReports(outcome, "20260101-03F.cq4");
    }

    @Test
    void shouldReadTheCyclesAfterATruncatedOlderCycle() throws IOException
    {
        final Path dir = copy("truncated-older");
        truncate(cycleFile(dir, 1), HEADER_POSITION[PER_CYCLE + PER_CYCLE / 2] + 40);
        final Outcome outcome = read(dir);
        assertHasAllBut(outcome, PER_CYCLE + PER_CYCLE / 2, 2 * PER_CYCLE);
        assertReports(outcome, "20260101-01F.cq4");
    }

    @Test
    void shouldReadAroundACycleCutBeforeItsFirstEvent() throws IOException
    {
        for (final int cycle : new int[] {1, CYCLES - 1})
        {
            // The newest cycle cut right before its first event is not here: its header and index are whole, so it
            // reads as a cycle its writer has not written to yet (CORRUPTION.md).
            final long[] lengths = cycle < CYCLES - 1 ? new long[] {0, 4096, HEADER_POSITION[cycle * PER_CYCLE]} : new long[] {0, 4096};
            for (final long length : lengths)
            {
                final Path dir = copy("cut-" + cycle + "-" + length);
                truncate(cycleFile(dir, cycle), length);
                final Outcome outcome = read(dir);
                assertHasAllBut(outcome, cycle * PER_CYCLE, (cycle + 1) * PER_CYCLE);
                assertReports(outcome, "20260101-0" + cycle + "F.cq4");
            }
        }
    }

    @Test
    void shouldNeverThrowNorHangOnFlippedBits() throws IOException
    {
        final Random random = new Random(7);
        for (int trial = 0; trial < 40; trial++)
        {
            final Path dir = copy("flipped-" + trial);
            final int cycle = random.nextInt(CYCLES);
            final Path file = cycleFile(dir, cycle);
            // Flip bits anywhere in the cycle's header, index and data (not in the sparse tail past the last event).
            final long end = HEADER_POSITION[cycle * PER_CYCLE + PER_CYCLE - 1] + 96;
            for (int flip = 0; flip < 1 + random.nextInt(8); flip++)
            {
                final long at = random.nextLong(end);
                final byte[] one = new byte[1];
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
                {
                    f.seek(at);
                    one[0] = (byte)(f.read() ^ (1 << random.nextInt(8)));
                    f.seek(at);
                    f.write(one);
                }
            }
            final Outcome outcome = read(dir, false);
            assertTrue(outcome.seen.size() <= CYCLES * PER_CYCLE);
        }
    }

    @Test
    void shouldStepOverAZeroedRangeInsideACycle() throws IOException
    {
        final Path dir = copy("zeroed");
        final long at = HEADER_POSITION[PER_CYCLE + 300] + 10;
        overwrite(cycleFile(dir, 1), at, new byte[4096]);
        final Outcome outcome = read(dir);
        // Lost: the event the range starts in up to the next indexed document after it.
        final int resumed = nextIndexed(300 + 4096 / Templates.FLOW_DELTA_LENGTH + 1);
        assertHasAllBut(outcome, PER_CYCLE + 300, PER_CYCLE + resumed);
        assertTrue(resumed < PER_CYCLE, "resumed inside the damaged cycle");
        assertReports(outcome, "20260101-01F.cq4");
    }

    @Test
    void shouldTreatAHeaderLeftHalfWrittenInAnOlderCycleAsDamage() throws IOException
    {
        final Path dir = copy("not-complete");
        // A NOT_COMPLETE header (the top bit) over event 1500: what a writer killed mid-event leaves.
        overwrite(cycleFile(dir, 1), HEADER_POSITION[PER_CYCLE + 500], new byte[] {88, 0, 0, (byte)0x80});
        final Outcome outcome = read(dir);
        assertHasAllBut(outcome, PER_CYCLE + 500, PER_CYCLE + nextIndexed(501));
        assertReports(outcome, "half-written");
    }

    @Test
    void shouldRefuseAZeroedMetadataFileInOneLineAtOnce() throws IOException
    {
        final Path dir = copy("metadata-zeroed");
        final Path metadata = dir.resolve(JournalPaths.METADATA_FILE);
        overwrite(metadata, 0, new byte[(int)Files.size(metadata)]);
        final long startNs = System.nanoTime();
        assertOneLineError(dir, "metadata.cq4t");
        assertTrue(System.nanoTime() - startNs < 5 * SECOND_NS, "no ten-second wait for Chronicle's lock");
    }

    @Test
    void shouldReadAroundADeletedMiddleCycle() throws IOException
    {
        final Path dir = copy("middle-deleted");
        Files.delete(cycleFile(dir, 1));
        final Outcome outcome = read(dir);
        // An hour without a file is also an hour the recorder did not run: not reported as damage.
        assertHasAllBut(outcome, PER_CYCLE, 2 * PER_CYCLE);
    }

    @Test
    void shouldCountAnEventOfANewerSchemaVersionAndAnswerForTheRest()
    {
        final Path dir = tmp.resolve("newer-version");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            for (int i = 0; i < 100; i++)
            {
                final org.agrona.MutableDirectBuffer claimed = writer.claim(Templates.FLOW_DELTA_LENGTH);
                final FlowDeltaEncoder delta = MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), claimed, 0)
                    .firstNs(T0_NS + i).lastNs(T0_NS + i).packets(1).bytes(i).proto((short)6).family((short)4);
                FlowDeltas.addressesV4(delta, i, 1);
                if (i == 50)
                {
                    new MessageHeaderEncoder().wrap(claimed, 0).version(MessageHeader.SCHEMA_VERSION + 1);
                }
                writer.commit();
            }
        }
        final Outcome outcome = read(dir);
        assertEquals(99, outcome.seen.size());
        assertFalse(outcome.seen.contains(50L));
        assertEquals(1, outcome.coverage.skippedEvents());
        assertTrue(outcome.answer.coverage().describe().contains("1 journal events unreadable by this version"),
            outcome.answer.coverage().describe());
    }

    /**
     * Batched deltas (the recorder's way): a batch whose entries are damaged is skipped whole and counted, never
     * half-delivered; the batches around it are read; a cut inside a batch loses that batch and what follows.
     */
    @Test
    void shouldSkipADamagedBatchWholeAndReadAroundACutOne() throws IOException
    {
        final Path dir = tmp.resolve("batches");
        final int batches = 30;
        final int perBatch = 10;
        try (TestJournal journal = TestJournal.open(dir, T0_NS))
        {
            for (int i = 0; i < batches * perBatch; i++)
            {
                journal.delta().at(T0_NS + i).packets(1).bytes(i).ipv4(0x0A000000 + i, 0x0A0000FF).ifindex(1)
                    .srcPort(1024).dstPort(80).proto(6).appendToBatch();
                if (i % perBatch == perBatch - 1)
                {
                    journal.commitDeltas();
                }
            }
        }
        final long[] header = new long[batches];
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build();
             ExcerptTailer tailer = queue.createTailer())
        {
            for (int b = 0; b < batches; b++)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    header[b] = dc.wire().bytes().readPosition() - 4;
                }
            }
        }
        final Path file;
        try (Stream<Path> files = Files.list(dir))
        {
            file = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        final long entries = 4 + dev.flowrec.journal.schema.FlowDeltaBatch.HEADER_LENGTH;
        overwrite(file, header[10] + entries + 3 * dev.flowrec.journal.schema.FlowDeltaBatch.IPV4_ENTRY_LENGTH, new byte[] {0});
        Outcome outcome = read(dir);
        assertEquals(new TreeSet<>(rangeBut(batches * perBatch, 10 * perBatch, 11 * perBatch)), outcome.seen);
        // Since schema version 4 the batch's checksum catches the damaged entry before the batch's own length check.
        assertEquals(1, outcome.coverage.checksumFailures(), outcome.coverage.describe());
        assertEquals(0, outcome.coverage.skippedEvents());
        assertTrue(outcome.coverage.unreadableRanges().isEmpty());

        truncate(file, header[25] + entries + 100);
        outcome = read(dir);
        final Set<Long> expected = new TreeSet<>(rangeBut(25 * perBatch, 10 * perBatch, 11 * perBatch));
        assertEquals(expected, outcome.seen);
        assertFalse(outcome.coverage.unreadableRanges().isEmpty(), outcome.coverage.describe());
    }

    private static Set<Long> rangeBut(final int to, final int lostFrom, final int lostTo)
    {
        final Set<Long> set = range(0, to);
        set.removeAll(range(lostFrom, lostTo));
        return set;
    }

    @Test
    void shouldRefuseADirectoryOfRandomCq4FilesInOneLine() throws IOException
    {
        final Path dir = Files.createDirectories(tmp.resolve("random"));
        final Random random = new Random(42);
        for (int i = 0; i < 3; i++)
        {
            final byte[] bytes = new byte[100_000];
            random.nextBytes(bytes);
            Files.write(dir.resolve("20260101-0" + i + "F.cq4"), bytes);
        }
        assertOneLineError(dir, "not a flowrec journal");
        Files.copy(original.resolve(JournalPaths.METADATA_FILE), dir.resolve(JournalPaths.METADATA_FILE));
        assertOneLineError(dir, "not a flowrec journal");
    }

    /** What every reader made of a journal. */
    private record Outcome(Set<Long> seen, Coverage coverage, Answer answer)
    {
    }

    private static Outcome read(final Path dir)
    {
        return read(dir, true);
    }

    /** @param exact false when damage may change values (a flipped bit): rows and deltas then need not match. */
    private static Outcome read(final Path dir, final boolean exact)
    {
        return assertTimeoutPreemptively(LIMIT, () ->
        {
            final Set<Long> seen = new TreeSet<>();
            final Coverage coverage = Replay.run(dir, (delta, iface, container) -> seen.add(delta.bytes()));
            final Answer answer = QueryEngine.run(dir, Query.listing(Window.ALL), () -> false);
            final JournalSummary summary = JournalSummary.of(dir);
            if (exact)
            {
                assertEquals(seen.size(), answer.rows().size(), "one row per delta: each is its own flow");
                assertEquals(seen.size(), summary.deltas());
            }
            assertEquals(coverage.unreadableRanges(), answer.coverage().unreadableRanges());
            // A window inside the last hour seeks over whatever damage lies before it.
            final long since = T0_NS + (3 * 3600 + 60) * SECOND_NS;
            final Answer windowed = QueryEngine.run(dir, Query.listing(new Window(since, since + 60 * SECOND_NS)), () -> false);
            assertTrue(windowed.rows().size() <= 17 + 1);
            return new Outcome(seen, coverage, answer);
        });
    }

    private static void assertOneLineError(final Path dir, final String words)
    {
        assertTimeoutPreemptively(LIMIT, () ->
        {
            for (final Runnable reader : List.<Runnable>of(() -> Replay.run(dir, (d, i, c) -> { }),
                () -> QueryEngine.run(dir, Query.listing(Window.ALL), () -> false), () -> JournalSummary.of(dir)))
            {
                final JournalException ex = assertThrows(JournalException.class, reader::run);
                assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
                assertTrue(ex.getMessage().contains(words), ex.getMessage());
            }
        });
    }

    /** Every event but those in [lostFrom, lostTo) is in the answer, and nothing that was not journaled. */
    private static void assertHasAllBut(final Outcome outcome, final int lostFrom, final int lostTo)
    {
        final Set<Long> expected = new TreeSet<>(range(0, CYCLES * PER_CYCLE));
        expected.removeAll(range(lostFrom, lostTo));
        final Set<Long> missing = new TreeSet<>(expected);
        missing.removeAll(outcome.seen);
        assertTrue(missing.isEmpty(), "missing " + missing.size() + " events, first " +
            (missing.isEmpty() ? "" : missing.iterator().next()) + "; " + outcome.coverage.describe());
        assertTrue(range(0, CYCLES * PER_CYCLE).containsAll(outcome.seen), "invented events");
    }

    private static void assertReports(final Outcome outcome, final String words)
    {
        final String describe = outcome.answer.coverage().describe();
        assertFalse(outcome.coverage.unreadableRanges().isEmpty(), describe);
        assertFalse(outcome.answer.coverage().complete());
        assertTrue(describe.contains("journal unreadable from index 0x"), describe);
        assertTrue(describe.contains(words), describe);
    }

    /** The first sequence number at or after {@code seq} that Chronicle's index holds: where a reader resumes. */
    private static int nextIndexed(final int seq)
    {
        final int spacing = RollCycles.FAST_HOURLY.defaultIndexSpacing();
        return (seq + spacing - 1) / spacing * spacing;
    }

    private static Set<Long> range(final long from, final long to)
    {
        final Set<Long> set = new TreeSet<>();
        for (long i = from; i < to; i++)
        {
            set.add(i);
        }
        return set;
    }

    private static Path cycleFile(final Path dir, final int cycle)
    {
        return dir.resolve(CYCLE_FILES.get(cycle).getFileName());
    }

    private static Path copy(final String name)
    {
        final Path to = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(original))
        {
            for (final Path from : files.sorted(Comparator.naturalOrder()).toList())
            {
                final Path target = to.resolve(original.relativize(from).toString());
                if (Files.isDirectory(from))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(from, target);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        return to;
    }

    private static void truncate(final Path file, final long length) throws IOException
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.setLength(length);
        }
    }

    private static void overwrite(final Path file, final long at, final byte[] bytes) throws IOException
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(at);
            f.write(bytes);
        }
    }
}
