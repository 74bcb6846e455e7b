package dev.flowrec.recorder;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journal bytes on disk per flow delta (issue 7, figure 4): deltas as the kernel sends them, through
 * {@link JournalEvents} in drain passes as {@link DrainAgent} makes them, divided into the cycle files'
 * allocated bytes (st_blocks × 512, as du counts; Chronicle's header and index included).
 */
class JournalSizeTest
{
    private static final int DELTAS = 200_000;
    private static final long BOOT_TO_REALTIME_NS = 1_767_225_600L * 1_000_000_000L;

    @TempDir
    Path tmp;

    private final int umask = ProcessUmask.get();

    /** The journal writer restricted the whole test JVM's umask: later tests in it must not inherit that. */
    @AfterEach
    void restoreUmask()
    {
        ProcessUmask.set(umask);
    }

    private final KernelDeltas kernel = new KernelDeltas(7);
    private final SplittableRandom steps = new SplittableRandom(1);

    @Test
    void shouldJournalARealisticIpv4MixInAtMost48BytesPerDelta()
    {
        final double perDelta = bytesPerDelta(tmp.resolve("pass64"), 64);
        System.out.printf("journal: %.2f bytes on disk per delta (IPv4 mix, 64 deltas per drain pass)%n", perDelta);
        assertTrue(perDelta <= 48, "journal bytes on disk per delta: " + perDelta + ", the budget is 48");
    }

    /**
     * A moderate rate, 5,000 deltas/s, drained by the recorder's eager loop in passes of one or two deltas: the
     * 10 ms linger gathers about 50 to a batch.
     */
    @Test
    void shouldGatherSmallPassesIntoBatchesWithinTheLinger()
    {
        final double perDelta = bytesPerDelta(tmp.resolve("linger"), 1, 200_000, JournalEvents.MAX_LINGER_NS);
        System.out.printf("journal: %.2f bytes on disk per delta (IPv4 mix, passes of 1 delta every 200 us, " +
            "10 ms linger)%n", perDelta);
        assertTrue(perDelta <= 48, "journal bytes on disk per delta: " + perDelta + ", the budget is 48");
    }

    /** How the cost follows the deltas per batch (without linger, low rates make small passes); for the record. */
    @Test
    void shouldNeverCostMoreThanAFlowDeltaOfItsOwn()
    {
        for (final int perPass : new int[] {1, 2, 4, 16, 256, 8192})
        {
            final double perDelta = bytesPerDelta(tmp.resolve("pass" + perPass), perPass);
            System.out.printf("journal: %.2f bytes on disk per delta, %d deltas per drain pass, no linger%n",
                perDelta, perPass);
            assertTrue(perDelta < 92, perPass + " deltas per pass: " + perDelta + " bytes per delta on disk");
        }
    }

    private double bytesPerDelta(final Path dir, final int perPass)
    {
        return bytesPerDelta(dir, perPass, 0, 0);
    }

    /**
     * @param passEveryNs   the time between drain passes (0: passes are back to back).
     * @return bytes on disk per delta, once every delta has been read back equal to what went in, summed.
     */
    private double bytesPerDelta(final Path dir, final int perPass, final long passEveryNs, final long lingerNs)
    {
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-01-01T10:30:00Z"));
        try (JournalWriter writer = JournalWriter.open(dir, JournalPaths.DEFAULT_ROLL_CYCLE, clock))
        {
            final JournalEvents journal = new JournalEvents(writer, (t, b, o, l) -> { }, BOOT_TO_REALTIME_NS, lingerNs);
            long nowNs = 3_600_000_000_000L; // boot clock: an hour after boot
            for (int i = 0; i < DELTAS; i++)
            {
                nowNs += passEveryNs > 0 ? 0 : 1 + steps.nextInt(20_000);
                journal.flowDelta(kernel.nextIpv4(nowNs));
                if ((i + 1) % perPass == 0)
                {
                    nowNs += passEveryNs;
                    journal.endOfPass(nowNs);
                }
            }
            writer.commitDeltas();
            final double perDelta = writer.diskBytes() / (double)DELTAS;
            assertReadBack(dir);
            return perDelta;
        }
    }

    /** Exactness first: the journal gives back every delta, packets, bytes and times summed to the last unit. */
    private void assertReadBack(final Path dir)
    {
        final long[] read = new long[4];
        final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        try (JournalReader reader = JournalReader.open(dir))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                MessageHeader.wrap(delta, buffer, offset);
                read[0]++;
                read[1] += delta.packets();
                read[2] += delta.bytes();
                read[3] += delta.lastNs() - delta.firstNs();
            }, 1000) > 0)
            {
                // summing
            }
        }
        assertArrayEquals(kernel.sums(), read, "deltas, packets, bytes, spans");
        kernel.resetSums();
    }

}
