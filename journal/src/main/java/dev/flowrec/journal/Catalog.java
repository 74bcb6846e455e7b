package dev.flowrec.journal;

import dev.flowrec.journal.schema.FlowDeltaBatch;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Every event but flow deltas (recorder started and stopped, interfaces, containers, loss reports), copied
 * into a small second queue under the journal ({@code DIR/catalog}), each prefixed by the index it has in
 * the journal. A reader that seeks to a time window replays the catalog up to the seek point to know the
 * interfaces, containers and loss counters as they stood there, instead of reading hours of deltas. It is
 * derived data: the journal alone still holds every event.
 * <pre>
 *   0                 8                             8 + N
 *   +-----------------+---------------------------+-----------------+
 *   | journal index   | the event, as journaled   | CRC32C u32      |
 *   +-----------------+---------------------------+-----------------+
 * </pre>
 * The checksum ({@link DocumentChecksum}, present as in the journal from schema version 4) covers the journal
 * index too: a seeking reader trusts it to know where the catalog's state stops.
 */
final class Catalog
{
    static final String DIRECTORY = "catalog";
    static final int PREFIX_LENGTH = 8;

    private Catalog()
    {
    }

    /** Whether an event belongs in the catalog: everything but flow deltas, single or batched (and bytes too short to be an event). */
    static boolean holds(final DirectBuffer event, final int length)
    {
        if (length < MessageHeader.ENCODED_LENGTH)
        {
            return false;
        }
        final int templateId = MessageHeader.templateId(event, 0);
        return templateId != FlowDeltaDecoder.TEMPLATE_ID && templateId != FlowDeltaBatch.TEMPLATE_ID;
    }

    /** Appends catalogued events; single-threaded, owned by the {@link JournalWriter}. */
    static final class Writer implements AutoCloseable
    {
        private final SingleChronicleQueue queue;
        private final ExcerptAppender appender;
        private final ExpandableArrayBuffer staged = new ExpandableArrayBuffer(256);
        private final CRC32C crc = new CRC32C();
        private int stagedLength;

        private Writer(final SingleChronicleQueue queue)
        {
            this.queue = queue;
            this.appender = queue.createAppender();
            appender.singleThreadedCheckDisabled(true);
        }

        static Writer open(final Path journalDir, final TimeProvider timeProvider)
        {
            final SingleChronicleQueueBuilder builder =
                SingleChronicleQueueBuilder.binary(journalDir.resolve(DIRECTORY)).rollCycle(RollCycles.FAST_DAILY);
            if (timeProvider != null)
            {
                builder.timeProvider(timeProvider);
            }
            return new Writer(builder.build());
        }

        /** Keeps a copy of the event while its claim is still open (its bytes may live in the mapped file). */
        void stage(final DirectBuffer event, final int length)
        {
            staged.putBytes(PREFIX_LENGTH, event, 0, length);
            stagedLength = PREFIX_LENGTH + length;
        }

        /** Appends the staged event with the index the journal gave it, and their checksum. */
        void append(final long journalIndex)
        {
            staged.putLong(0, journalIndex, ByteOrder.LITTLE_ENDIAN);
            crc.reset();
            crc.update(staged.byteArray(), 0, stagedLength);
            staged.putInt(stagedLength, (int)crc.getValue(), DocumentChecksum.BYTE_ORDER);
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(staged.byteArray(), 0, stagedLength + DocumentChecksum.LENGTH);
            }
        }

        /** Closes the appender, then the queue. */
        @Override
        public void close()
        {
            CloseHelper.closeAll(appender, queue);
        }
    }

    /**
     * Replays the catalogued events that precede {@code journalIndex} in the journal, in order, and notes in
     * {@code damage} what of the catalog it could not read: the state it replays misses those events.
     * @return false when the journal has no catalog (written before it existed): the caller must read the
     * journal from its start to know its interfaces.
     */
    static boolean replayBefore(final Path journalDir, final long journalIndex, final EventHandler handler,
        final Damage damage)
    {
        final Path dir = journalDir.resolve(DIRECTORY);
        if (!Files.isDirectory(dir) || JournalPaths.cycleFileCount(dir) == 0)
        {
            return false;
        }
        final JournalReader opened;
        try
        {
            opened = JournalReader.openCatalog(dir);
        }
        catch (final Exception | InternalError ex)
        {
            damage.unopenable(JournalException.firstLine(ex));
            return false; // the caller reads the journal from its start: the answer stays whole
        }
        try (JournalReader reader = opened)
        {
            final boolean[] done = {false};
            final EventHandler before = (templateId, buffer, offset, length) ->
            {
                if (reader.prefix() >= journalIndex)
                {
                    done[0] = true;
                }
                else
                {
                    handler.onEvent(templateId, buffer, offset, length);
                }
            };
            while (!done[0] && reader.poll(before, 256) > 0)
            {
                // the handler does the work
            }
            damage.replayed(reader);
        }
        return true;
    }

    /**
     * What a journal reader's replays of the catalog could not read. Each replay reads the catalog from its start,
     * so the damage of several replays is that of the longest: counts are the largest, ranges their union.
     */
    static final class Damage
    {
        private final Set<UnreadableRange> ranges = new LinkedHashSet<>();
        private long skippedEvents;
        private long checksumFailures;
        private String lastSkipReason;

        void replayed(final JournalReader catalogReader)
        {
            skippedEvents = Math.max(skippedEvents, catalogReader.skippedEvents());
            checksumFailures = Math.max(checksumFailures, catalogReader.checksumFailures());
            if (catalogReader.lastSkipReason() != null)
            {
                lastSkipReason = "catalog: " + catalogReader.lastSkipReason();
            }
            for (final UnreadableRange range : catalogReader.unreadableRanges())
            {
                ranges.add(new UnreadableRange(range.fromIndex(), range.toIndex(), DIRECTORY + "/" + range.file(),
                    range.reason()));
            }
        }

        /** @return whether the replays read the whole catalog. */
        boolean none()
        {
            return skippedEvents == 0 && checksumFailures == 0 && ranges.isEmpty();
        }

        long skippedEvents()
        {
            return skippedEvents;
        }

        long checksumFailures()
        {
            return checksumFailures;
        }

        String lastSkipReason()
        {
            return lastSkipReason;
        }

        /** The catalog cannot be opened (its metadata damaged): readers read the journal from its start instead. */
        void unopenable(final String reason)
        {
            ranges.add(new UnreadableRange(0, UnreadableRange.END_OF_CYCLE, DIRECTORY, "cannot open the catalog: " + reason));
        }

        /** @return the journal's own ranges, then the catalog's. */
        List<UnreadableRange> withRanges(final List<UnreadableRange> journalRanges)
        {
            if (ranges.isEmpty())
            {
                return journalRanges;
            }
            final List<UnreadableRange> all = new ArrayList<>(journalRanges);
            all.addAll(ranges);
            return List.copyOf(all);
        }
    }
}
