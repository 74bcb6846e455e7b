package dev.flowrec.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ring buffer reader against the real kernel producer. */
class RingBufferReaderTest
{
    private static final int SRC = Frames.ipv4(10, 213, 0, 1);
    private static final int DST = Frames.ipv4(10, 213, 0, 2);

    private FlowProgram program;

    @AfterEach
    void close()
    {
        if (program != null)
        {
            program.close();
        }
    }

    @Test
    void shouldRespectTheLimitAndResumeWhereItStopped()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0));
        program.testRun(Frames.ipv4Udp(SRC, DST, 1, 2, 0), 25, false);
        final RingBufferReader ring = program.ringBuffer();
        assertEquals(25L * (FlowEventDecoder.LENGTH + RingBufferReader.HEADER_LENGTH), ring.pendingBytes());

        final DrainedEvents events = new DrainedEvents();
        assertEquals(10, ring.read(events, 10));
        assertEquals(10, ring.read(events, 10));
        assertEquals(5, ring.read(events, 10));
        assertEquals(0, ring.read(events, 10));
        assertEquals(25, events.list.size());
        assertEquals(0, ring.pendingBytes());
        assertEquals(0, ring.unexpectedRecords());
    }

    @Test
    void shouldHoldTheConsumerPositionUntilReleasedAndSkipOnlyWithinTheRing()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0));
        program.testRun(Frames.ipv4Udp(SRC, DST, 1, 2, 0), 10, false);
        final RingBufferReader ring = program.ringBuffer();
        final long record = FlowEventDecoder.LENGTH + RingBufferReader.HEADER_LENGTH;
        final long start = ring.consumerPosition();
        final long[] positions = new long[10];
        final int[] n = {0};

        assertEquals(4, ring.readHeld(e -> positions[n[0]++] = ring.position(), 4));
        assertEquals(start + record, positions[0], "during the handler: just after its record");
        assertEquals(start + 4 * record, ring.position());
        assertEquals(start, ring.consumerPosition(), "read, not released: a kill now leaves them in the ring");
        assertEquals(10 * record, ring.producerPosition() - ring.consumerPosition());

        ring.release(start + 2 * record);
        assertEquals(start + 2 * record, ring.consumerPosition());
        ring.release(start + 9 * record);
        assertEquals(start + 4 * record, ring.consumerPosition(), "never beyond what was read");
        ring.release(start);
        assertEquals(start + 4 * record, ring.consumerPosition(), "never backwards");

        assertEquals(-1, ring.skipTo(start + 3 * record), "before the consumer position: not this ring's journal");
        assertEquals(-1, ring.skipTo(start + 11 * record), "beyond the producer position");
        assertEquals(3 * record, ring.skipTo(start + 7 * record));
        assertEquals(start + 7 * record, ring.consumerPosition());
        assertEquals(3, ring.read(new DrainedEvents(), 10), "the rest, after what the journal held");
        assertEquals(0, ring.pendingBytes());
    }

    @Test
    void shouldNotAllocatePerRecord()
    {
        program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0));
        final RingBufferReader ring = program.ringBuffer();
        final byte[] frame = Frames.ipv4Udp(SRC, DST, 1, 2, 0);
        final long[] sum = new long[1];
        final FlowEventHandler handler = e -> sum[0] += e.packets() + e.bytes() + e.sport() + e.lastNs();
        for (int warmup = 0; warmup < 5; warmup++)
        {
            program.testRun(frame, 50_000, false);
            drain(ring, handler);
        }
        program.testRun(frame, 100_000, false);

        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        final long records = drain(ring, handler);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(100_000, records);
        assertTrue(allocated < 10_000, "allocated " + allocated + " bytes for " + records + " records");
    }

    /** Two CPUs counting, a drain and a sweeper racing them: every packet ends up in exactly one delta. */
    @Test
    void shouldAccountForEveryPacketUnderConcurrency() throws InterruptedException
    {
        program = FlowProgram.load(FlowProgram.Config.defaults());
        final RingBufferReader ring = program.ringBuffer();
        final int producers = 2;
        final int rounds = 40;
        final int repeat = 5_000;
        final AtomicLong packets = new AtomicLong();
        final AtomicBoolean producing = new AtomicBoolean(true);
        final FlowEventHandler count = e -> packets.addAndGet(e.packets());

        final Thread[] threads = new Thread[producers];
        for (int t = 0; t < producers; t++)
        {
            final byte[] frame = Frames.ipv4Tcp(SRC, DST, 40000, 443, 0x10, 100); // one flow, two CPUs
            threads[t] = Thread.ofPlatform().start(() ->
            {
                for (int r = 0; r < rounds; r++)
                {
                    program.testRun(frame, repeat, false);
                }
            });
        }
        final Thread sweeper = Thread.ofPlatform().start(() ->
        {
            while (producing.get())
            {
                program.sweep(0, Reasons.IDLE); // removes live flows: their next packets race the removal
            }
        });
        for (final Thread producer : threads)
        {
            while (producer.isAlive())
            {
                ring.read(count, 1000);
            }
        }
        producing.set(false);
        sweeper.join();
        SweepResult swept;
        do
        {
            swept = program.sweep(0, Reasons.FINAL);
            drain(ring, count);
        }
        while (swept.incomplete() || swept.removed() > 0);

        final long[] counters = new long[KernelCounters.COUNT];
        program.readCounters(counters);
        final long sent = (long)producers * rounds * repeat;
        assertEquals(sent, counters[KernelCounters.PACKETS_SEEN]);
        assertEquals(sent, packets.get() + counters[KernelCounters.RB_LOST_PACKETS]);
    }

    private static long drain(final RingBufferReader ring, final FlowEventHandler handler)
    {
        long records = 0;
        int read;
        while ((read = ring.read(handler, 4096)) > 0)
        {
            records += read;
        }
        return records;
    }
}
