package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.LossReportEncoder;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.MessageHeader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deltas appended through {@link JournalWriter#appendDelta} come back as the FlowDelta events they were, in journal order. */
class JournalBatchTest
{
    private static final long T0_NS = 1_767_225_600L * 1_000_000_000L;
    private static final long SECOND_NS = 1_000_000_000L;

    @TempDir
    Path tmp;

    private final FlowDeltaEncoder delta = new FlowDeltaEncoder();
    private final UnsafeBuffer deltaBuffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);

    /** What a reader delivered: template and bytes of each event. */
    private record Event(int templateId, byte[] bytes)
    {
        static Event of(final int templateId, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            return new Event(templateId, bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldReadBatchedDeltasBackAsFlowDeltasInTheOrderWritten(final boolean zeroCopy)
    {
        final Path dir = tmp.resolve("journal");
        final List<byte[]> written = new ArrayList<>();
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            writer.zeroCopy(zeroCopy);
            written.add(append(writer, v4(1)));
            written.add(append(writer, v4(2)));
            // The claim commits the batch of 1 and 2 first.
            MessageHeader.wrapAndApplyHeader(new LossReportEncoder(), writer.claim(Templates.LOSS_REPORT_LENGTH), 0)
                .timeNs(T0_NS + 2);
            writer.commit();
            written.add(null);
            written.add(append(writer, v6(3)));
            written.add(append(writer, v4(4).firstNs(T0_NS - (1L << 41)))); // span beyond 40 bits: a wide entry
            written.add(append(writer, v4(5)));
            writer.commitDeltas();
            assertFalse(writer.hasOpenBatch());
            assertEquals(6, writer.eventsAppended(), "each delta counted");
            assertEquals(2, writer.batchesAppended(), "{1, 2}, {3, 4 (wide), 5}");
        }

        final List<Event> events = readAll(dir, zeroCopy);
        assertEquals(written.size(), events.size());
        for (int i = 0; i < events.size(); i++)
        {
            if (written.get(i) == null)
            {
                assertEquals(LossReportDecoder.TEMPLATE_ID, events.get(i).templateId(), "event " + i);
            }
            else
            {
                assertEquals(FlowDeltaDecoder.TEMPLATE_ID, events.get(i).templateId(), "event " + i);
                assertArrayEquals(written.get(i), events.get(i).bytes(), "event " + i);
            }
        }
    }

    @Test
    void shouldShowNothingOfAnOpenBatchUntilItIsCommitted()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            append(writer, v4(1));
            writer.commitDeltas();
            append(writer, v4(2));
            append(writer, v4(3));
            assertTrue(writer.hasOpenBatch());
            try (JournalReader reader = JournalReader.open(dir))
            {
                final List<Event> seen = new ArrayList<>();
                assertEquals(1, reader.poll((t, b, o, l) -> seen.add(Event.of(t, b, o, l)), 100));
                assertEquals(0, reader.poll((t, b, o, l) -> seen.add(Event.of(t, b, o, l)), 100), "the open batch: not yet");
                assertTrue(reader.unreadableRanges().isEmpty(), "an open batch is not damage");
                writer.commitDeltas();
                assertEquals(2, reader.poll((t, b, o, l) -> seen.add(Event.of(t, b, o, l)), 100));
                assertEquals(3, seen.size());
            }
        }
    }

    @Test
    void shouldCommitTheOpenBatchOnCloseAndRefuseDeltasInsideAClaim()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            writer.claim(Templates.LOSS_REPORT_LENGTH);
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> writer.appendDelta(v4(1)));
            assertEquals("appendDelta during an open claim: " + dir.toAbsolutePath(), ex.getMessage());
            writer.abort();
            append(writer, v4(2));
        }
        assertEquals(1, readAll(dir, true).size());
    }

    @Test
    void shouldStartANewBatchWhenFullOrWhenADeltaIsTooFarFromTheBase()
    {
        final Path dir = tmp.resolve("journal");
        final int deltas = 3 * JournalWriter.MAX_BATCH_LENGTH / FlowDeltaBatch.IPV4_ENTRY_LENGTH;
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            for (int i = 0; i < deltas; i++)
            {
                append(writer, v4(i % 500)); // within 549 s of any batch's base
            }
            append(writer, v4(0).lastNs(T0_NS + (1L << 40)).firstNs(T0_NS + (1L << 40))); // 18 min later
            writer.commitDeltas();
            assertEquals(deltas + 1, writer.eventsAppended());
            assertEquals(5, writer.batchesAppended(), "3 full and a part, then one for the late delta");
        }
        final List<Event> events = readAll(dir, true);
        assertEquals(deltas + 1, events.size());
        for (int i = 0; i < deltas; i++)
        {
            assertEquals(T0_NS + (i % 500) * SECOND_NS, MessageHeader.wrap(new FlowDeltaDecoder(),
                new UnsafeBuffer(events.get(i).bytes()), 0).lastNs());
        }
    }

    /** A batch open when the hour turns is committed whole in the cycle it began in; the next goes to the new cycle. */
    @Test
    void shouldKeepABatchOpenAcrossAnHourInTheCycleItBeganIn()
    {
        final Path dir = tmp.resolve("journal");
        final net.openhft.chronicle.core.time.SetTimeProvider clock =
            new net.openhft.chronicle.core.time.SetTimeProvider(java.time.Instant.parse("2026-01-01T10:59:59.995Z"));
        try (JournalWriter writer = JournalWriter.open(dir, JournalPaths.DEFAULT_ROLL_CYCLE, clock))
        {
            append(writer, v4(1));
            clock.advanceMillis(10); // 11:00:00.005
            append(writer, v4(2));
            writer.commitDeltas();
            append(writer, v4(3));
            writer.commitDeltas();
        }
        final List<Event> events = readAll(dir, true);
        assertEquals(3, events.size());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(T0_NS + (i + 1) * SECOND_NS, MessageHeader.wrap(new FlowDeltaDecoder(),
                new UnsafeBuffer(events.get(i).bytes()), 0).lastNs());
        }
        assertEquals(2, JournalPaths.cycleFileCount(dir.toAbsolutePath()), "10:00 and 11:00");
    }

    @Test
    void shouldKeepBatchesOutOfTheCatalog()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            append(writer, v4(1));
            MessageHeader.wrapAndApplyHeader(new LossReportEncoder(), writer.claim(Templates.LOSS_REPORT_LENGTH), 0)
                .timeNs(T0_NS);
            writer.commit();
            append(writer, v4(2));
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.toEnd();
            final List<Integer> templates = new ArrayList<>();
            assertTrue(reader.replayStateBefore((t, b, o, l) -> templates.add(t)));
            assertEquals(List.of(LossReportDecoder.TEMPLATE_ID), templates);
        }
    }

    /**
     * A batch's time is its latest firstNs: a seek for T lands on the first batch that holds a delta starting
     * at or after T, so no such delta is left behind the reader's position.
     */
    @Test
    void shouldSeekToTheFirstBatchHoldingADeltaAtOrAfterTheTime()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            for (int pass = 0; pass < 100; pass++)
            {
                for (int j = 0; j < 10; j++)
                {
                    final long timeNs = T0_NS + pass * SECOND_NS + j * 10_000_000L;
                    append(writer, v4(pass).firstNs(timeNs).lastNs(timeNs));
                }
                writer.commitDeltas();
            }
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            final long t = T0_NS + 50 * SECOND_NS + 55_000_000L; // between the 6th and 7th delta of pass 50
            assertTrue(reader.seek(t) > 0);
            final List<Event> events = new ArrayList<>();
            reader.poll((tid, b, o, l) -> events.add(Event.of(tid, b, o, l)), 1);
            assertEquals(10, events.size(), "a whole batch");
            assertEquals(T0_NS + 50 * SECOND_NS, MessageHeader.wrap(new FlowDeltaDecoder(),
                new UnsafeBuffer(events.get(0).bytes()), 0).firstNs(),
                "pass 50 from its first delta");
        }
    }

    /**
     * While the disk is short of space nothing new is written and every event and delta is counted lost, the
     * unpackable delta and the claimed event included; the batch opened before goes in whole, and writing resumes.
     */
    @Test
    void shouldCountWhatASuspendedWriterLosesAndCommitTheBatchOpenedBefore()
    {
        final Path dir = tmp.resolve("journal");
        final List<byte[]> written = new ArrayList<>();
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            written.add(append(writer, v4(1)));
            written.add(append(writer, v4(2)));
            assertTrue(writer.checkSpace(Long.MAX_VALUE), "no file system has that much free: suspends");
            assertTrue(writer.suspended());
            assertTrue(writer.suspendedReason().startsWith("disk nearly full"), writer.suspendedReason());
            append(writer, v4(3));
            append(writer, v4(4).firstNs(T0_NS - (1L << 41))); // unpackable
            writer.commitDeltas();
            MessageHeader.wrapAndApplyHeader(new LossReportEncoder(), writer.claim(Templates.LOSS_REPORT_LENGTH), 0).timeNs(T0_NS + 5);
            writer.commit();
            assertEquals(3, writer.lostEvents());
            assertEquals(2, writer.eventsAppended(), "the batch of 1 and 2, opened before the suspension");

            assertTrue(writer.checkSpace(0), "resumes");
            assertFalse(writer.suspended());
            assertEquals(null, writer.suspendedReason());
            written.add(append(writer, v4(6)));
            writer.commitDeltas();
            assertEquals(3, writer.eventsAppended());
            assertEquals(3, writer.lostEvents());
            assertEquals(2, writer.batchesAppended());
        }

        final List<Event> events = readAll(dir, true);
        assertEquals(written.size(), events.size());
        for (int i = 0; i < events.size(); i++)
        {
            assertArrayEquals(written.get(i), events.get(i).bytes(), "event " + i);
        }
    }

    private byte[] append(final JournalWriter writer, final FlowDeltaEncoder d)
    {
        final byte[] bytes = new byte[Templates.FLOW_DELTA_LENGTH];
        d.buffer().getBytes(d.offset() - MessageHeader.ENCODED_LENGTH, bytes);
        writer.appendDelta(d);
        return bytes;
    }

    /** An IPv4 TCP delta whose last packet is {@code i} seconds after T0, half a second long. */
    private FlowDeltaEncoder v4(final int i)
    {
        return FlowDeltas.addressesV4(MessageHeader.wrapAndApplyHeader(delta, deltaBuffer, 0)
            .firstNs(T0_NS + i * SECOND_NS - SECOND_NS / 2).lastNs(T0_NS + i * SECOND_NS).packets(10 + i)
            .bytes(1500L * i), 0x0A000001, 0x0A000100 + i).ifindex(3).srcPort(40000 + i).dstPort(443).proto((short)6)
            .family(FlowDeltas.FAMILY_IPV4).direction((short)(i & 1)).tcpFlags((short)0x18)
            .reason(FlowDeltas.REASON_INTERVAL);
    }

    private FlowDeltaEncoder v6(final int i)
    {
        return FlowDeltas.addresses(MessageHeader.wrapAndApplyHeader(delta, deltaBuffer, 0)
            .firstNs(T0_NS + i * SECOND_NS).lastNs(T0_NS + i * SECOND_NS).packets(1).bytes(120), 0x20010db8_00000000L,
            1, 0x20010db8_00000000L, i).ifindex(4).srcPort(5353).dstPort(5353)
            .proto((short)17).family(FlowDeltas.FAMILY_IPV6).direction(FlowDeltas.DIRECTION_OUT)
            .reason(FlowDeltas.REASON_FIRST);
    }

    private static List<Event> readAll(final Path dir, final boolean zeroCopy)
    {
        final List<Event> events = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.zeroCopy(zeroCopy);
            while (reader.poll((t, b, o, l) -> events.add(Event.of(t, b, o, l)), 100) > 0)
            {
                // collecting
            }
            assertEquals(0, reader.skippedEvents(), () -> reader.lastSkipReason());
        }
        for (final Event e : events)
        {
            assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(new UnsafeBuffer(e.bytes()), 0, e.bytes().length));
        }
        return events;
    }
}
