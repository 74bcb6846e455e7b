package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.RecorderStoppedDecoder;
import dev.flowrec.journal.schema.RecorderStoppedEncoder;
import dev.flowrec.journal.schema.Templates;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With a small mapping chunk (64 KiB), large events keep crossing chunk boundaries. Chronicle maps each
 * chunk with an overlap at least as large as its largest document (a document must be smaller than a
 * chunk: it asserts so), so claims stay zero-copy across boundaries and every byte comes back.
 */
class JournalChunkBoundaryTest
{
    private static final int EVENTS = 2000;

    @TempDir
    Path tmp;

    private final RecorderStartedEncoder started = new RecorderStartedEncoder();
    private final RecorderStoppedEncoder stopped = new RecorderStoppedEncoder();
    private final RecorderStartedDecoder startedDecoder = new RecorderStartedDecoder();
    private final RecorderStoppedDecoder stoppedDecoder = new RecorderStoppedDecoder();

    @Test
    void shouldWriteAndReadEventsThatStraddleMappingChunks()
    {
        final long[] copies = roundTrip(true);
        assertEquals(0, copies[0], "claims across chunk boundaries stay zero-copy");
        assertEquals(0, copies[1], "reads across chunk boundaries stay zero-copy");
    }

    @Test
    void shouldRoundTripThroughTheCopyingFallback()
    {
        final long[] copies = roundTrip(false);
        assertEquals(EVENTS, copies[0]);
        assertEquals(EVENTS, copies[1]);
    }

    /** Batches claimed at 32 KiB and committed shorter, across 64 KiB chunks: every delta comes back, in order. */
    @Test
    void shouldRoundTripBatchesAcrossChunks()
    {
        for (final boolean zeroCopy : new boolean[] {true, false})
        {
            final Path dir = tmp.resolve("batches-" + zeroCopy);
            final java.util.SplittableRandom random = new java.util.SplittableRandom(3);
            final FlowDeltaEncoder delta = new FlowDeltaEncoder();
            final org.agrona.concurrent.UnsafeBuffer b =
                new org.agrona.concurrent.UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
            final int deltas = 50_000;
            long scratchClaims;
            try (JournalWriter writer = JournalWriter.open(dir, JournalPaths.DEFAULT_ROLL_CYCLE, null, 64 << 10))
            {
                writer.zeroCopy(zeroCopy);
                int pass = 0;
                for (int i = 0; i < deltas; i++)
                {
                    MessageHeader.wrapAndApplyHeader(delta, b, 0).firstNs(i).lastNs(i).packets(i).bytes(i)
                        .family((short)(i % 3 == 0 ? FlowDeltas.FAMILY_IPV6 : FlowDeltas.FAMILY_IPV4));
                    if (i % 3 != 0)
                    {
                        FlowDeltas.addressesV4(delta, i, ~i);
                    }
                    writer.appendDelta(delta);
                    if (--pass < 0)
                    {
                        writer.commitDeltas();
                        pass = random.nextInt(1500);
                    }
                }
                writer.commitDeltas();
                scratchClaims = writer.scratchClaims();
            }
            final long[] next = new long[1];
            try (JournalReader reader = JournalReader.open(dir))
            {
                reader.zeroCopy(zeroCopy);
                while (reader.poll((templateId, buffer, offset, length) ->
                {
                    assertEquals(FlowDeltaDecoder.TEMPLATE_ID, templateId);
                    final FlowDeltaDecoder decoded = MessageHeader.wrap(new FlowDeltaDecoder(), buffer, offset);
                    assertEquals(next[0], decoded.firstNs());
                    assertEquals(next[0], decoded.bytes());
                    next[0]++;
                }, 100) > 0)
                {
                }
                System.out.printf("batches across 64 KiB chunks, zero-copy %s: %d scratch claims, %d copied reads%n",
                    zeroCopy, scratchClaims, reader.copiedEvents());
            }
            assertEquals(deltas, next[0]);
        }
    }

    /** @return {writer scratch claims, reader copies} */
    private long[] roundTrip(final boolean zeroCopy)
    {
        final Path dir = tmp.resolve("journal-" + zeroCopy);
        long scratchClaims;
        try (JournalWriter writer = JournalWriter.open(dir, JournalPaths.DEFAULT_ROLL_CYCLE, null, 64 << 10))
        {
            writer.zeroCopy(zeroCopy);
            for (int i = 0; i < EVENTS; i++)
            {
                final String text = text(i);
                if (isLarge(i))
                {
                    // 4 strings of ~11 KB: ~45 KB, most of a chunk.
                    final MutableDirectBuffer b =
                        writer.claim(Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, text, text, text, text));
                    MessageHeader.wrapAndApplyHeader(started, b, 0).timeNs(i).pid(i).host(text).kernel(text)
                        .flowrecVersion(text)
                        .config(text);
                }
                else
                {
                    final MutableDirectBuffer b =
                        writer.claim(Templates.encodedLength(RecorderStoppedEncoder.BLOCK_LENGTH, text));
                    MessageHeader.wrapAndApplyHeader(stopped, b, 0).timeNs(i).events(i * 3L).reason(text);
                }
                writer.commit();
            }
            scratchClaims = writer.scratchClaims();
        }

        final int[] next = new int[1];
        final long copied;
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.zeroCopy(zeroCopy);
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                final int i = next[0]++;
                if (isLarge(i))
                {
                    assertEquals(RecorderStartedDecoder.TEMPLATE_ID, templateId);
                    final RecorderStartedDecoder started = MessageHeader.wrap(startedDecoder, buffer, offset);
                    assertEquals(i, started.timeNs());
                    assertEquals(i, started.pid());
                    assertEquals(text(i), started.host());
                    started.skipKernel();
                    started.skipFlowrecVersion();
                    assertEquals(text(i), started.config());
                    assertEquals(length, MessageHeader.encodedLength(started));
                }
                else
                {
                    assertEquals(RecorderStoppedDecoder.TEMPLATE_ID, templateId);
                    final RecorderStoppedDecoder stopped = MessageHeader.wrap(stoppedDecoder, buffer, offset);
                    assertEquals(i, stopped.timeNs());
                    assertEquals(i * 3L, stopped.events());
                    assertEquals(text(i), stopped.reason());
                    assertEquals(length, MessageHeader.encodedLength(stopped));
                }
            }, 100) > 0)
            {
            }
            copied = reader.copiedEvents();
        }
        assertEquals(EVENTS, next[0]);
        return new long[] {scratchClaims, copied};
    }

    private static boolean isLarge(final int i)
    {
        return i % 10 == 7;
    }

    private static String text(final int i)
    {
        return ("event " + i + " ").repeat(isLarge(i) ? 1250 : 1 + i % 300);
    }
}
