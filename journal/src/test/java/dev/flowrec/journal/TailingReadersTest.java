package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers that follow a journal while a writer appends to it, across hourly rolls: each sees every event
 * exactly once and in order, none reports damage, and the writer finishes whatever the readers do.
 */
class TailingReadersTest
{
    private static final int EVENTS = 300_000;
    private static final int PER_HOUR = 60_000;
    private static final int READERS = 3;
    private static final long HOUR_NS = 3_600_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void shouldDeliverEveryEventOnceAndInOrderToEveryTailingReader() throws Exception
    {
        final Path dir = tmp.resolve("j");
        final long t0 = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L;
        final ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try (TestJournal journal = TestJournal.open(dir, t0))
        {
            append(journal, t0, 0); // the journal exists before a reader opens it
            final List<Future<String>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++)
            {
                readers.add(pool.submit(() -> tail(dir)));
            }
            for (int i = 1; i < EVENTS; i++)
            {
                append(journal, t0, i);
                if (i % 1000 == 0)
                {
                    LockSupport.parkNanos(100_000); // let readers catch up now and then, and also fall behind
                }
            }
            for (final Future<String> reader : readers)
            {
                assertEquals("ok", reader.get(120, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static void append(final TestJournal journal, final long t0, final int i)
    {
        final long t = t0 + (long)i * HOUR_NS / PER_HOUR; // five hourly cycles
        journal.now(t).delta().at(t).packets(1).bytes(i).ipv4(0x0A000001, 0x0A000002).proto(17).append();
    }

    /** @return "ok", or what went wrong. */
    private static String tail(final Path dir)
    {
        final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        final long[] next = {0};
        final String[] fault = {null};
        try (JournalReader reader = JournalReader.open(dir))
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(110);
            while (next[0] < EVENTS && fault[0] == null && System.nanoTime() < deadlineNs)
            {
                final int n = reader.poll((templateId, buffer, offset, length) ->
                {
                    final long seq = MessageHeader.wrap(delta, buffer, offset).bytes();
                    if (seq != next[0] && fault[0] == null)
                    {
                        fault[0] = "expected event " + next[0] + ", read " + seq;
                    }
                    next[0] = seq + 1;
                }, 256);
                if (n == 0)
                {
                    Thread.onSpinWait();
                }
            }
            assertTrue(reader.unreadableRanges().isEmpty(), () -> "damage reported: " + reader.unreadableRanges());
            assertEquals(0, reader.skippedEvents());
        }
        return fault[0] != null ? fault[0] : next[0] == EVENTS ? "ok" : "read " + next[0] + " of " + EVENTS;
    }
}
