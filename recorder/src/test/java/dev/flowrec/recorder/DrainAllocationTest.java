package dev.flowrec.recorder;

import com.sun.management.ThreadMXBean;
import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.recorder.live.LiveView;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drain path after the ring buffer, as {@link RecorderAgent} runs it: kernel record → {@link JournalEvents}
 * (live view tap, batch append) → end of pass (batch commit), allocation-free once warm. Known flows on known
 * interfaces, as in a steady state; Chronicle's cycle clock pinned inside one hour (a roll may allocate).
 */
class DrainAllocationTest
{
    private static final int FLOWS = 1000;
    private static final int DELTAS = 100_000;
    private static final int PER_PASS = 64;
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

    private final UnsafeBuffer records = new UnsafeBuffer(new byte[FLOWS * FlowEventDecoder.LENGTH]);
    private final FlowEventDecoder event = new FlowEventDecoder();
    private long nowNs = 3_600_000_000_000L;

    @Test
    void shouldJournalDeltasInBatchesWithoutAllocating()
    {
        final KernelDeltas kernel = new KernelDeltas(3);
        for (int i = 0; i < FLOWS; i++)
        {
            records.putBytes(i * FlowEventDecoder.LENGTH, kernel.nextIpv4(nowNs).buffer(), 0, FlowEventDecoder.LENGTH);
        }
        final LiveView live = new LiveView(LiveView.DEFAULT_MAX_FLOWS, () -> BOOT_TO_REALTIME_NS + nowNs);
        final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-01-01T10:30:00Z"));
        try (JournalWriter writer = JournalWriter.open(tmp.resolve("journal"), JournalPaths.DEFAULT_ROLL_CYCLE, clock))
        {
            final JournalEvents journal = new JournalEvents(writer, live, BOOT_TO_REALTIME_NS, 0);
            for (int ifindex = 2; ifindex < 42; ifindex++)
            {
                journal.interfaceAttached(ifindex, "eth" + ifindex, "");
            }
            for (int round = 0; round < 5; round++)
            {
                drain(journal);
            }
            live.publish(); // publishing may allocate; the drain is measured

            final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long threadId = Thread.currentThread().threadId();
            final long before = threads.getThreadAllocatedBytes(threadId);
            drain(journal);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            final double perDelta = allocated / (double)DELTAS;
            System.out.printf("drain: allocated %d bytes for %d deltas, %.4f B/delta%n", allocated, DELTAS, perDelta);
            assertTrue(perDelta < 1, "allocated " + allocated + " bytes for " + DELTAS + " deltas");
        }
    }

    /** Replays the flows' records with moving times, a pass of {@link #PER_PASS} at a time. */
    private void drain(final JournalEvents journal)
    {
        for (int i = 0; i < DELTAS; i++)
        {
            final int offset = (i % FLOWS) * FlowEventDecoder.LENGTH;
            nowNs += 10_000;
            records.putLong(offset + FlowEventDecoder.LAST_NS_OFFSET, nowNs, FlowEventDecoder.BYTE_ORDER);
            records.putLong(offset + FlowEventDecoder.FIRST_NS_OFFSET, nowNs - 1_000_000, FlowEventDecoder.BYTE_ORDER);
            journal.flowDelta(event.wrap(records, offset));
            if (i % PER_PASS == PER_PASS - 1)
            {
                journal.endOfPass(0);
            }
        }
        journal.endOfPass(0);
    }
}
