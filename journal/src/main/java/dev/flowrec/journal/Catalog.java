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

/**
 * Every event but flow deltas (recorder started and stopped, interfaces, containers, loss reports), copied
 * into a small second queue under the journal ({@code DIR/catalog}), each prefixed by the index it has in
 * the journal. A reader that seeks to a time window replays the catalog up to the seek point to know the
 * interfaces, containers and loss counters as they stood there, instead of reading hours of deltas. It is
 * derived data: the journal alone still holds every event.
 * <pre>
 *   0                 8
 *   +-----------------+---------------------------+
 *   | journal index   | the event, as journaled   |
 *   +-----------------+---------------------------+
 * </pre>
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
            staged.putBytes(0, event, 0, length);
            stagedLength = length;
        }

        /** Appends the staged event with the index the journal gave it. */
        void append(final long journalIndex)
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().writeLong(journalIndex).write(staged.byteArray(), 0, stagedLength);
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
     * Replays the catalogued events that precede {@code journalIndex} in the journal, in order.
     * @return false when the journal has no catalog (written before it existed): the caller must read the
     * journal from its start to know its interfaces.
     */
    static boolean replayBefore(final Path journalDir, final long journalIndex, final EventHandler handler)
    {
        final Path dir = journalDir.resolve(DIRECTORY);
        if (!Files.isDirectory(dir) || JournalPaths.cycleFileCount(dir) == 0)
        {
            return false;
        }
        try (JournalReader reader = JournalReader.openCatalog(dir))
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
        }
        return true;
    }
}
