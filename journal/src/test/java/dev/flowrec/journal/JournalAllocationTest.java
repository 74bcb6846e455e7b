package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDelta;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Appending and reading FlowDelta events allocates nothing once warm. Chronicle may allocate when a
 * cycle rolls, so the writer's cycle clock is pinned to the middle of one hour.
 */
class JournalAllocationTest
{
    private static final int EVENTS = 100_000;
    private static final int WARM_UP_ROUNDS = 3;

    @TempDir
    Path tmp;

    private final FlowDelta encoder = new FlowDelta();
    private final FlowDelta decoder = new FlowDelta();
    private long sumPackets;
    private long count;
    private final EventHandler handler = this::onEvent;

    @Test
    void shouldAppendAndReadFlowDeltasWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-01-01T10:30:00Z"));

        try (JournalWriter writer = JournalWriter.open(tmp.resolve("journal"), JournalPaths.DEFAULT_ROLL_CYCLE, clock);
            JournalReader reader = JournalReader.open(withOneEvent(writer)))
        {
            reader.poll(handler, 1);
            for (int round = 0; round < WARM_UP_ROUNDS; round++)
            {
                append(writer, EVENTS);
                read(reader, EVENTS);
            }
            assertTrue(writer.lastClaimWasZeroCopy(), "claim writes straight into the mapped file");
            assertTrue(reader.lastEventWasZeroCopy(), "events are read straight from the mapped file");

            final long beforeWrite = threads.getThreadAllocatedBytes(threadId);
            append(writer, EVENTS);
            final long afterWrite = threads.getThreadAllocatedBytes(threadId);
            sumPackets = 0;
            count = 0;
            read(reader, EVENTS);
            final long afterRead = threads.getThreadAllocatedBytes(threadId);

            assertEquals(EVENTS, count);
            assertEquals((long)EVENTS * (EVENTS - 1) / 2, sumPackets);
            final double writePerEvent = (afterWrite - beforeWrite) / (double)EVENTS;
            final double readPerEvent = (afterRead - afterWrite) / (double)EVENTS;
            System.out.printf("allocated per event: append %.4f B, read %.4f B%n", writePerEvent, readPerEvent);
            assertTrue(writePerEvent < 1, "append allocated " + (afterWrite - beforeWrite) + " bytes for " + EVENTS);
            assertTrue(readPerEvent < 1, "read allocated " + (afterRead - afterWrite) + " bytes for " + EVENTS);
        }
    }

    /** The recorder's path: deltas into batches, one per drain pass of 64, read back expanded. */
    @Test
    void shouldAppendAndReadBatchedDeltasWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-01-01T10:30:00Z"));

        try (JournalWriter writer = JournalWriter.open(tmp.resolve("batched"), JournalPaths.DEFAULT_ROLL_CYCLE, clock);
            JournalReader reader = JournalReader.open(withOneBatch(writer)))
        {
            reader.poll(handler, 1);
            for (int round = 0; round < WARM_UP_ROUNDS; round++)
            {
                appendBatched(writer, EVENTS);
                read(reader, EVENTS);
            }
            final long beforeWrite = threads.getThreadAllocatedBytes(threadId);
            appendBatched(writer, EVENTS);
            final long afterWrite = threads.getThreadAllocatedBytes(threadId);
            sumPackets = 0;
            count = 0;
            read(reader, EVENTS);
            final long afterRead = threads.getThreadAllocatedBytes(threadId);

            assertEquals(EVENTS, count);
            assertEquals((long)EVENTS * (EVENTS - 1) / 2, sumPackets);
            assertTrue(writer.lastClaimWasZeroCopy(), "batches are written straight into the mapped file");
            final double writePerEvent = (afterWrite - beforeWrite) / (double)EVENTS;
            final double readPerEvent = (afterRead - afterWrite) / (double)EVENTS;
            System.out.printf("allocated per batched delta: append %.4f B, read %.4f B%n", writePerEvent, readPerEvent);
            assertTrue(writePerEvent < 1, "append allocated " + (afterWrite - beforeWrite) + " bytes for " + EVENTS);
            assertTrue(readPerEvent < 1, "read allocated " + (afterRead - afterWrite) + " bytes for " + EVENTS);
        }
    }

    private Path withOneBatch(final JournalWriter writer)
    {
        appendBatched(writer, 1);
        return writer.dir();
    }

    private final org.agrona.concurrent.UnsafeBuffer deltaBuffer =
        new org.agrona.concurrent.UnsafeBuffer(new byte[FlowDelta.ENCODED_LENGTH]);

    private void appendBatched(final JournalWriter writer, final int events)
    {
        for (int i = 0; i < events; i++)
        {
            writer.appendDelta(encoder.wrapAndApplyHeader(deltaBuffer, 0)
                .firstNs(i).lastNs(i + 1).packets(i).bytes(60L * i)
                .srcAddrV4(0x0A000001).dstAddrV4(0x0A000002 + i)
                .ifindex(2).srcPort(40000).dstPort(i & 0xFFFF).proto(17).family(FlowDelta.FAMILY_IPV4)
                .direction(FlowDelta.DIRECTION_OUT).reason(FlowDelta.REASON_PACKET));
            if (i % 64 == 63)
            {
                writer.commitDeltas();
            }
        }
        writer.commitDeltas();
    }

    private Path withOneEvent(final JournalWriter writer)
    {
        append(writer, 1);
        return writer.dir();
    }

    private void append(final JournalWriter writer, final int events)
    {
        for (int i = 0; i < events; i++)
        {
            final MutableDirectBuffer buffer = writer.claim(FlowDelta.ENCODED_LENGTH);
            encoder.wrapAndApplyHeader(buffer, 0)
                .firstNs(i).lastNs(i + 1).packets(i).bytes(60L * i)
                .srcAddrV4(0x0A000001).dstAddrV4(0x0A000002 + i)
                .ifindex(2).srcPort(40000).dstPort(i & 0xFFFF).proto(17).family(FlowDelta.FAMILY_IPV4)
                .direction(FlowDelta.DIRECTION_OUT).reason(FlowDelta.REASON_PACKET);
            writer.commit();
        }
    }

    private void read(final JournalReader reader, final int events)
    {
        int read = 0;
        while (read < events)
        {
            final int n = reader.poll(handler, 256);
            assertTrue(n > 0);
            read += n;
        }
    }

    private void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (templateId == FlowDelta.TEMPLATE_ID)
        {
            sumPackets += decoder.wrap(buffer, offset).packets();
            count++;
        }
    }
}
