package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeaderEncoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.InterfaceDetachedDecoder;
import dev.flowrec.journal.schema.InterfaceDetachedEncoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.LossReportEncoder;
import dev.flowrec.journal.schema.MessageHeaderDecoder;
import dev.flowrec.journal.schema.Mode;
import dev.flowrec.journal.schema.PinOutcome;
import dev.flowrec.journal.schema.PinnedStateDecoder;
import dev.flowrec.journal.schema.PinnedStateEncoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.RecorderStoppedDecoder;
import dev.flowrec.journal.schema.RecorderStoppedEncoder;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.journal.schema.MessageHeader;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalWriterReaderTest
{
    private static final long T0 = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z

    @TempDir
    Path tmp;

    private final FlowDeltaEncoder delta = new FlowDeltaEncoder();

    @Test
    void shouldRoundTripEveryTemplate()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            appendRecorderStarted(writer, T0, "host-a");
            MutableDirectBuffer b = writer.claim(Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH,
                "veth1a2b", "web-1"));
            MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(), b, 0).timeNs(T0 + 1)
                .netnsIno(4026532000L).ifindex(9)
                .ifname("veth1a2b").container("web-1");
            writer.commit();
            appendDelta(writer, 42);
            b = writer.claim(Templates.LOSS_REPORT_LENGTH);
            MessageHeader.wrapAndApplyHeader(new LossReportEncoder(), b, 0).timeNs(T0 + 3).packetsSeen(100)
                .bytesSeen(150_000)
                .ringLostEvents(1).ringLostPackets(2).ringLostBytes(3).ringDeferred(4).mapFull(5).nonIp(6)
                .malformed(7).journalLostEvents(8);
            writer.commit();
            b = writer.claim(Templates.encodedLength(InterfaceDetachedEncoder.BLOCK_LENGTH, "veth1a2b", "vanished"));
            MessageHeader.wrapAndApplyHeader(new InterfaceDetachedEncoder(), b, 0).timeNs(T0 + 4)
                .netnsIno(4026532000L).ifindex(9)
                .ifname("veth1a2b").reason("vanished");
            writer.commit();
            b = writer.claim(Templates.encodedLength(RecorderStoppedEncoder.BLOCK_LENGTH, "stopped"));
            MessageHeader.wrapAndApplyHeader(new RecorderStoppedEncoder(), b, 0).timeNs(T0 + 5).events(5)
                .reason("stopped");
            writer.commit();
            assertEquals(6, writer.eventsAppended());
        }

        final List<String> seen = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            final EventHandler handler = (templateId, buffer, offset, length) -> seen.add(describe(templateId, buffer, offset, length));
            assertEquals(6, reader.poll(handler, 100));
            assertEquals(0, reader.poll(handler, 100));
            assertEquals(0, reader.skippedEvents());
        }
        assertEquals(List.of(
            "RecorderStarted " + T0 + " host-a 6.18.0 0.1.0 record --mode flow 77 -5 1000000000 65536 0",
            "InterfaceAttached " + (T0 + 1) + " 9 4026532000 veth1a2b web-1",
            "FlowDelta 42 " + (T0 + 43) + " 1 1500 ::ffff:10.0.0.1 40000 443 6 4 1 18 2",
            "LossReport " + (T0 + 3) + " 100 150000 1 2 3 4 5 6 7 8",
            "InterfaceDetached " + (T0 + 4) + " 9 4026532000 veth1a2b vanished",
            "RecorderStopped " + (T0 + 5) + " 5 stopped"), seen);
    }

    /** PinnedState (template 9, schema 3) is written at version 4 like every event: its document carries the trailer. */
    @Test
    void shouldChecksumPinnedStateAsEveryEvent() throws IOException
    {
        final Path dir = tmp.resolve("pinned");
        final String detail = "adopted 12 flows";
        final int length = Templates.encodedLength(PinnedStateEncoder.BLOCK_LENGTH, "inst", "/sys/fs/bpf/flowrec/inst", detail);
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            MessageHeader.wrapAndApplyHeader(new PinnedStateEncoder(), writer.claim(length), 0).timeNs(T0).previousPid(77)
                .outcome(PinOutcome.ADOPTED).flowsAdopted(12).instance("inst").pinPath("/sys/fs/bpf/flowrec/inst")
                .detail(detail);
            writer.commit();
        }
        final List<String> seen = new ArrayList<>();
        final EventHandler handler = (templateId, buffer, offset, eventLength) -> seen.add(templateId + " v" +
            new MessageHeaderDecoder().wrap(buffer, offset).version() + " " + eventLength + " " +
            MessageHeader.wrap(new PinnedStateDecoder(), buffer, offset).flowsAdopted());
        try (JournalReader reader = JournalReader.open(dir))
        {
            assertEquals(1, reader.poll(handler, 10));
            assertEquals(0, reader.checksumFailures());
        }
        assertEquals(List.of(PinnedStateDecoder.TEMPLATE_ID + " v4 " + length + " 12"), seen, "delivered without its trailer");

        final Path cycle;
        try (Stream<Path> files = Files.list(dir))
        {
            cycle = files.filter(f -> f.toString().endsWith(JournalPaths.CYCLE_FILE_SUFFIX)).findFirst().orElseThrow();
        }
        final byte[] bytes = Files.readAllBytes(cycle);
        final int at = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf(detail);
        bytes[at] ^= 0x20; // "Adopted": the event still decodes, its checksum does not match
        Files.write(cycle, bytes);
        seen.clear();
        try (JournalReader reader = JournalReader.open(dir))
        {
            assertEquals(1, reader.poll(handler, 10));
            assertEquals(1, reader.checksumFailures());
        }
        assertEquals(List.of(), seen, "skipped, not delivered");
    }

    @Test
    void shouldAppendAfterRestartAndReadBothRuns()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            appendRecorderStarted(writer, T0, "run-1");
            appendDelta(writer, 1);
        }
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            appendRecorderStarted(writer, T0 + 10, "run-2");
            appendDelta(writer, 2);
            appendDelta(writer, 3);
            assertEquals(3, writer.eventsAppended(), "counts this run only");
        }

        final List<String> seen = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            assertEquals(5, reader.poll((t, buf, off, len) -> seen.add(describe(t, buf, off, len).split(" ")[0] +
                (t == FlowDeltaDecoder.TEMPLATE_ID ? " " + MessageHeader.wrap(new FlowDeltaDecoder(), buf, off)
                    .firstNs() : "")), 100));
            reader.toStart();
            assertEquals(5, reader.poll((t, buf, off, len) -> { }, 100), "toStart rewinds");
        }
        assertEquals(List.of("RecorderStarted", "FlowDelta 1", "RecorderStarted", "FlowDelta 2", "FlowDelta 3"), seen);
    }

    @Test
    void shouldFollowAWriterThatIsStillAppending()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            appendDelta(writer, 1);
            try (JournalReader reader = JournalReader.open(dir))
            {
                final long[] last = new long[1];
                final EventHandler handler = (t, buf, off,
                    len) -> last[0] = MessageHeader.wrap(new FlowDeltaDecoder(), buf, off).firstNs();
                assertEquals(1, reader.poll(handler, 10));
                assertEquals(0, reader.poll(handler, 10));
                appendDelta(writer, 2);
                assertEquals(1, reader.poll(handler, 10));
                assertEquals(2, last[0]);
            }
        }
    }

    @Test
    void shouldReadAcrossCycleFiles()
    {
        final Path dir = tmp.resolve("journal");
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-01-01T10:59:00Z"));
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            appendDelta(writer, 1);
            clock.advanceMillis(120_000); // 11:01: next hour, next file
            appendDelta(writer, 2);
            clock.advanceMillis(3_600_000);
            appendDelta(writer, 3);
        }
        assertEquals(3, JournalPaths.cycleFileCount(dir));
        final List<Long> seen = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.poll((t, buf, off, len) -> seen.add(MessageHeader.wrap(new FlowDeltaDecoder(), buf, off)
                .firstNs()), 100);
        }
        assertEquals(List.of(1L, 2L, 3L), seen);
    }

    @Test
    void shouldSkipAndCountNewerVersionAndForeignEvents()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            appendDelta(writer, 1);
            // a FlowDelta of a future version, longer block
            MutableDirectBuffer b = writer.claim(Templates.FLOW_DELTA_LENGTH + 8);
            new MessageHeaderEncoder().wrap(b, 0).schemaId(MessageHeader.SCHEMA_ID).version(MessageHeader.SCHEMA_VERSION + 1)
                .templateId(FlowDeltaDecoder.TEMPLATE_ID).blockLength(FlowDeltaDecoder.BLOCK_LENGTH + 8);
            writer.commit();
            b = writer.claim(12);
            b.putStringWithoutLengthAscii(0, "not ours :-)");
            writer.commit();
            b = writer.claim(3);
            b.putShort(0, (short)MessageHeader.SCHEMA_ID, MessageHeader.BYTE_ORDER); // ours, but cut short
            b.putByte(2, (byte)1);
            writer.commit();
            appendDelta(writer, 2);
        }

        final List<Long> seen = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            assertEquals(5, reader.poll((t, buf, off, len) -> seen.add(MessageHeader.wrap(new FlowDeltaDecoder(), buf,
                off).firstNs()), 100));
            assertEquals(3, reader.skippedEvents());
            assertTrue(reader.lastSkipReason().startsWith("truncated journal event: 3 bytes"), reader.lastSkipReason());
        }
        assertEquals(List.of(1L, 2L), seen);

        try (JournalReader reader = JournalReader.open(dir))
        {
            assertNull(reader.lastSkipReason());
            reader.poll((t, buf, off, len) -> { }, 2);
            assertEquals(1, reader.skippedEvents());
            assertTrue(reader.lastSkipReason().startsWith("journal event of schema version " + (MessageHeader.SCHEMA_VERSION + 1) + ", this flowrec reads up to " + MessageHeader.SCHEMA_VERSION),
                reader.lastSkipReason());
        }
    }

    @Test
    void shouldAbortAClaimAndWriteNothing()
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            appendDelta(writer, 1);
            writer.claim(Templates.FLOW_DELTA_LENGTH);
            writer.abort();
            appendDelta(writer, 2);
            writer.claim(Templates.FLOW_DELTA_LENGTH); // left open: close rolls it back
            assertThrows(IllegalStateException.class, () -> writer.claim(8));
        }
        final List<Long> seen = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.poll((t, buf, off, len) -> seen.add(MessageHeader.wrap(new FlowDeltaDecoder(), buf, off)
                .firstNs()), 100);
        }
        assertEquals(List.of(1L, 2L), seen);
    }

    @Test
    void shouldRefuseAMissingDirectoryWithoutCreatingIt()
    {
        final Path dir = tmp.resolve("nowhere");
        final JournalException ex = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertEquals("journal directory does not exist: " + dir, ex.getMessage());
        assertFalse(Files.exists(dir));
    }

    @Test
    void shouldRefuseADirectoryThatIsNotAJournalWithoutTouchingIt() throws IOException
    {
        final Path dir = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(dir.resolve("cat.jpg"), "meow");
        final JournalException ex = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertEquals("not a flowrec journal: " + dir + " (no .cq4 files)", ex.getMessage());
        assertEquals(List.of("cat.jpg"), list(dir));

        final Path file = dir.resolve("cat.jpg");
        assertEquals("not a flowrec journal: " + file + " (not a directory)",
            assertThrows(JournalException.class, () -> JournalReader.open(file)).getMessage());
    }

    @Test
    void shouldReadWithoutCreatingOrChangingFiles() throws IOException
    {
        final Path dir = tmp.resolve("journal");
        try (JournalWriter writer = JournalWriter.open(dir))
        {
            appendDelta(writer, 1);
        }
        final List<String> before = listWithSizes(dir);
        try (JournalReader reader = JournalReader.open(dir))
        {
            assertEquals(1, reader.poll((t, buf, off, len) -> { }, 10));
            assertEquals(0, reader.poll((t, buf, off, len) -> { }, 10));
        }
        assertEquals(before, listWithSizes(dir));
    }

    /**
     * Tests run as root, and root ignores permission bits (chmod 555 would not stop it), so the
     * unwritable directory is one that cannot exist: a path below a regular file.
     */
    @Test
    void shouldRefuseAnUnwritableDirectoryBeforeChronicleTouchesIt() throws IOException
    {
        final Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        final Path dir = file.resolve("journal");
        final JournalException ex = assertThrows(JournalException.class, () -> JournalWriter.open(dir));
        assertTrue(ex.getMessage().startsWith("journal directory " + dir + " is not writable"), ex.getMessage());
        assertEquals(List.of("plain-file"), list(tmp));
    }

    // ---- helpers

    private void appendDelta(final JournalWriter writer, final long n)
    {
        final MutableDirectBuffer b = writer.claim(Templates.FLOW_DELTA_LENGTH);
        MessageHeader.wrapAndApplyHeader(delta, b, 0).firstNs(n).lastNs(T0 + n + 1).packets(1).bytes(1500)
            .ifindex(3).srcPort(40000).dstPort(443).proto((short)6).family((short)4)
            .direction(FlowDeltas.DIRECTION_OUT).tcpFlags((short)0x12).reason(FlowDeltas.REASON_INTERVAL);
        FlowDeltas.addressesV4(delta, 0x0A000001, 0x0A000002);
        writer.commit();
    }

    private static void appendRecorderStarted(final JournalWriter writer, final long timeNs, final String host)
    {
        final String config = "record --mode flow";
        final MutableDirectBuffer b =
            writer.claim(Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, host, "6.18.0", "0.1.0", config));
        MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(), b, 0).timeNs(timeNs).pid(77)
            .bootToRealtimeOffsetNs(-5)
            .flushIntervalNs(1_000_000_000L).maxFlows(65536).mode(Mode.FLOW)
            .host(host).kernel("6.18.0").flowrecVersion("0.1.0").config(config);
        writer.commit();
    }

    private static String describe(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        return switch (templateId)
        {
            case RecorderStartedDecoder.TEMPLATE_ID ->
            {
                final RecorderStartedDecoder e = MessageHeader.wrap(new RecorderStartedDecoder(), buffer, offset);
                final String text = "RecorderStarted " + e.timeNs() + " " + e.host() + " " + e.kernel() + " " +
                    e.flowrecVersion() + " " + e.config() + " " + e.pid() + " " + e.bootToRealtimeOffsetNs() + " " +
                    e.flushIntervalNs() + " " + e.maxFlows() + " " + e.modeRaw();
                assertEquals(length, MessageHeader.encodedLength(e));
                yield text;
            }
            case InterfaceAttachedDecoder.TEMPLATE_ID ->
            {
                final InterfaceAttachedDecoder e = MessageHeader.wrap(new InterfaceAttachedDecoder(), buffer, offset);
                yield "InterfaceAttached " + e.timeNs() + " " + e.ifindex() + " " + e.netnsIno() + " " + e.ifname() +
                    " " + e.container();
            }
            case FlowDeltaDecoder.TEMPLATE_ID ->
            {
                final FlowDeltaDecoder e = MessageHeader.wrap(new FlowDeltaDecoder(), buffer, offset);
                assertEquals(Templates.FLOW_DELTA_LENGTH, length);
                yield "FlowDelta " + e.firstNs() + " " + e.lastNs() + " " + e.packets() + " " + e.bytes() + " " +
                    (FlowDeltas.srcAddrHigh(e) == 0 && (FlowDeltas.srcAddrLow(e) >>> 32) == 0xFFFF ? "::ffff:" +
                    ((FlowDeltas.srcAddrLow(e) >>> 24) & 0xFF) + "." +
                    ((FlowDeltas.srcAddrLow(e) >>> 16) & 0xFF) + "." +
                    ((FlowDeltas.srcAddrLow(e) >>> 8) & 0xFF) + "." + (FlowDeltas.srcAddrLow(e) & 0xFF) : "v6") + " " +
                    e.srcPort() + " " +
                    e.dstPort() + " " + e.proto() + " " + e.family() + " " + e.direction() + " " + e.tcpFlags() + " " +
                    e.reason();
            }
            case LossReportDecoder.TEMPLATE_ID ->
            {
                final LossReportDecoder e = MessageHeader.wrap(new LossReportDecoder(), buffer, offset);
                yield "LossReport " + e.timeNs() + " " + e.packetsSeen() + " " + e.bytesSeen() + " " +
                    e.ringLostEvents() + " " + e.ringLostPackets() + " " + e.ringLostBytes() + " " + e.ringDeferred() +
                    " " + e.mapFull() + " " + e.nonIp() + " " + e.malformed() + " " + e.journalLostEvents();
            }
            case InterfaceDetachedDecoder.TEMPLATE_ID ->
            {
                final InterfaceDetachedDecoder e = MessageHeader.wrap(new InterfaceDetachedDecoder(), buffer, offset);
                yield "InterfaceDetached " + e.timeNs() + " " + e.ifindex() + " " + e.netnsIno() + " " + e.ifname() +
                    " " + e.reason();
            }
            case RecorderStoppedDecoder.TEMPLATE_ID ->
            {
                final RecorderStoppedDecoder e = MessageHeader.wrap(new RecorderStoppedDecoder(), buffer, offset);
                yield "RecorderStopped " + e.timeNs() + " " + e.events() + " " + e.reason();
            }
            default -> "unknown " + templateId;
        };
    }

    private static List<String> list(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> listWithSizes(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p ->
            {
                try
                {
                    return p.getFileName() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
                }
                catch (final IOException ex)
                {
                    throw new RuntimeException(ex);
                }
            }).sorted().toList();
        }
    }
}
