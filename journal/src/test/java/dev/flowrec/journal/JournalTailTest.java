package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.LossReportEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.Templates;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end of a journal as a restarting recorder reads it: which ring position and which loss report count. */
class JournalTailTest
{
    private static final long T0 = 1_800_000_000_000_000_000L;

    @TempDir
    Path tmp;

    private final UnsafeBuffer deltaBuffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);

    @Test
    void shouldFindTheLastBatchPositionAndTheLastRunsLastLossReport()
    {
        try (JournalWriter writer = JournalWriter.open(tmp.resolve("j")))
        {
            assertEquals(new JournalTail(Long.MIN_VALUE, null, FlowDeltaBatch.NO_RING_POSITION, 0).ringPosition(),
                writer.tail(0).ringPosition(), "an empty journal");
            started(writer, T0);
            delta(writer, 880);
            loss(writer, 5);
            delta(writer, 1760);
            writer.commitDeltas();
            started(writer, T0 + 100);
            delta(writer, 2640);
            writer.commitDeltas();
            loss(writer, 7);
            loss(writer, 9);

            final JournalTail tail = writer.tail(T0);
            assertEquals(T0 + 100, tail.lastRunStartNs());
            assertEquals(2640, tail.ringPosition());
            assertEquals(9, MessageHeader.wrap(new LossReportDecoder(), tail.lastRunLossReport(), 0).packetsSeen());
            assertEquals(2640, writer.releasableRingPosition(), "committed: the ring may have its space back");
        }
    }

    @Test
    void shouldLookBackIntoEarlierRunsOfTheSameRingButNotBeforeIt()
    {
        try (JournalWriter writer = JournalWriter.open(tmp.resolve("j")))
        {
            started(writer, T0);
            delta(writer, 880);
            writer.commitDeltas();
            started(writer, T0 + 100); // a run of the same ring that journaled no delta and no loss report

            final JournalTail sameRing = writer.tail(T0);
            assertEquals(880, sameRing.ringPosition(), "written by the earlier run of the same ring");
            assertNull(sameRing.lastRunLossReport(), "the last run reported nothing");
            assertEquals(FlowDeltaBatch.NO_RING_POSITION, writer.tail(T0 + 50).ringPosition(),
                "a ring created after the run that journaled the position: not its position");
        }
    }

    /** A bit flipped in the last batch: its ring position is not taken (a wrong one would skip or repeat deltas). */
    @Test
    void shouldPassOverABatchThatFailsItsChecksum() throws IOException
    {
        final Path dir = tmp.resolve("j");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            started(writer, T0);
            delta(writer, 880);
            writer.commitDeltas();
            delta(writer, 1760);
            writer.commitDeltas();
            assertEquals(1760, writer.tail(T0).ringPosition());

            flipLastLong(dir, 1760, 0); // the last batch's ring position now reads 1761
            assertEquals(880, writer.tail(T0).ringPosition(), "the damaged batch passed over: the one before it");
        }
    }

    @Test
    void shouldHoldTheReleasablePositionAtTheLastCommittedBatch()
    {
        try (JournalWriter writer = JournalWriter.open(tmp.resolve("j")))
        {
            writer.startRingPosition(440);
            assertEquals(440, writer.releasableRingPosition());
            delta(writer, 528);
            delta(writer, 616);
            assertEquals(440, writer.releasableRingPosition(), "the batch is open: a kill would lose it");
            writer.commitDeltas();
            assertEquals(616, writer.releasableRingPosition());
        }
    }

    /** Flips {@code bit} of the last little-endian occurrence of {@code value} in the journal's cycle file. */
    private static void flipLastLong(final Path dir, final long value, final int bit) throws IOException
    {
        final Path cycle;
        try (Stream<Path> files = Files.list(dir))
        {
            cycle = files.filter(f -> f.toString().endsWith(JournalPaths.CYCLE_FILE_SUFFIX)).findFirst().orElseThrow();
        }
        final byte[] bytes = Files.readAllBytes(cycle);
        final ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = bytes.length - Long.BYTES; at >= 0; at--)
        {
            if (le.getLong(at) == value)
            {
                try (FileChannel channel = FileChannel.open(cycle, StandardOpenOption.WRITE))
                {
                    channel.write(ByteBuffer.wrap(new byte[] {(byte)(bytes[at] ^ 1 << bit)}), at);
                }
                return;
            }
        }
        throw new AssertionError(value + " is not in " + cycle);
    }

    private void delta(final JournalWriter writer, final long position)
    {
        final FlowDeltaEncoder d = MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), deltaBuffer, 0);
        FlowDeltas.addressesV4(d, 0x0A000001, 0x0A000002);
        d.firstNs(T0).lastNs(T0).packets(1).bytes(60).ifindex(0x4000_0001).family(FlowDeltas.FAMILY_IPV4).proto((short)17);
        writer.appendDelta(d, position);
    }

    private static void started(final JournalWriter writer, final long timeNs)
    {
        final int length = Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, "", "", "", "");
        MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(), writer.claim(length), 0).timeNs(timeNs)
            .host("").kernel("").flowrecVersion("").config("");
        writer.commit();
    }

    private static void loss(final JournalWriter writer, final long packetsSeen)
    {
        MessageHeader.wrapAndApplyHeader(new LossReportEncoder(), writer.claim(Templates.LOSS_REPORT_LENGTH), 0)
            .timeNs(T0 + 200).packetsSeen(packetsSeen);
        writer.commit();
    }
}
