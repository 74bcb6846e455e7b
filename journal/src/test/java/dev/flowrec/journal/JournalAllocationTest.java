package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.ObjIntConsumer;

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

    private final FlowDeltaEncoder encoder = new FlowDeltaEncoder();
    private final FlowDeltaDecoder decoder = new FlowDeltaDecoder();
    private long sumPackets;
    private long count;
    private final EventHandler handler = this::onEvent;

    @Test
    void shouldAppendAndReadFlowDeltasWithoutAllocating()
    {
        assertAllocationFree("event", this::append, true);
    }

    /** The recorder's path: deltas into batches, one per drain pass of 64, read back expanded. */
    @Test
    void shouldAppendAndReadBatchedDeltasWithoutAllocating()
    {
        assertAllocationFree("batched delta", this::appendBatched, false);
    }

    /**
     * Appends and reads EVENTS deltas through {@code append} after a warm-up, and asserts that appending allocated
     * less than a byte per delta and reading less than a tenth (0 measured: what is left is Chronicle mapping a chunk).
     *
     * @param readsZeroCopy whether the reader delivers these events straight from the mapped file (a batch entry
     *                      is expanded into the FlowDelta it was, so it is not)
     */
    private void assertAllocationFree(final String what, final ObjIntConsumer<JournalWriter> append, final boolean readsZeroCopy)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-01-01T10:30:00Z"));
        final Path dir = tmp.resolve(what.replace(' ', '-'));
        try (JournalWriter writer = JournalWriter.open(dir, JournalPaths.DEFAULT_ROLL_CYCLE, clock))
        {
            append.accept(writer, 1); // the journal exists before a reader opens it
            try (JournalReader reader = JournalReader.open(dir))
            {
                reader.poll(handler, 1);
                for (int round = 0; round < WARM_UP_ROUNDS; round++)
                {
                    append.accept(writer, EVENTS);
                    read(reader, EVENTS);
                }
                assertTrue(writer.lastClaimWasZeroCopy(), "writes go straight into the mapped file");
                assertTrue(!readsZeroCopy || reader.lastEventWasZeroCopy(), "events are read straight from the mapped file");

                final long beforeWrite = threads.getThreadAllocatedBytes(threadId);
                append.accept(writer, EVENTS);
                final long afterWrite = threads.getThreadAllocatedBytes(threadId);
                sumPackets = 0;
                count = 0;
                read(reader, EVENTS);
                final long afterRead = threads.getThreadAllocatedBytes(threadId);

                assertEquals(EVENTS, count);
                assertEquals((long)EVENTS * (EVENTS - 1) / 2, sumPackets);
                final double writePerEvent = (afterWrite - beforeWrite) / (double)EVENTS;
                final double readPerEvent = (afterRead - afterWrite) / (double)EVENTS;
                System.out.printf("allocated per %s: append %.4f B, read %.4f B%n", what, writePerEvent, readPerEvent);
                assertTrue(writePerEvent < 1, "append allocated " + (afterWrite - beforeWrite) + " bytes for " + EVENTS);
                // A tenth of a byte: reaching the end of what was written (once per round here, as often as a follower
                // catches up) must not ask Chronicle its last index (kilobytes each time) nor build a Path to stat.
                assertTrue(readPerEvent < 0.1, "read allocated " + (afterRead - afterWrite) + " bytes for " + EVENTS);
            }
        }
    }

    private final org.agrona.concurrent.UnsafeBuffer deltaBuffer =
        new org.agrona.concurrent.UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);

    private void appendBatched(final JournalWriter writer, final int events)
    {
        for (int i = 0; i < events; i++)
        {
            writer.appendDelta(delta(deltaBuffer, i));
            if (i % 64 == 63)
            {
                writer.commitDeltas();
            }
        }
        writer.commitDeltas();
    }

    private void append(final JournalWriter writer, final int events)
    {
        for (int i = 0; i < events; i++)
        {
            delta(writer.claim(Templates.FLOW_DELTA_LENGTH), i);
            writer.commit();
        }
    }

    /** The i-th delta of a run, its packets i (so that the reader's sum checks every one). */
    private FlowDeltaEncoder delta(final MutableDirectBuffer buffer, final int i)
    {
        MessageHeader.wrapAndApplyHeader(encoder, buffer, 0);
        FlowDeltas.addressesV4(encoder, 0x0A000001, 0x0A000002 + i);
        return encoder.firstNs(i).lastNs(i + 1).packets(i).bytes(60L * i)
            .ifindex(2).srcPort(40000).dstPort(i & 0xFFFF).proto((short)17).family(FlowDeltas.FAMILY_IPV4)
            .direction(FlowDeltas.DIRECTION_OUT).reason(FlowDeltas.REASON_PACKET);
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
        if (templateId == FlowDeltaDecoder.TEMPLATE_ID)
        {
            sumPackets += MessageHeader.wrap(decoder, buffer, offset).packets();
            count++;
        }
    }
}
