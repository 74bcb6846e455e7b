package dev.flowrec.bench;

import dev.flowrec.bpf.Clocks;
import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.bpf.RingBufferReader;
import dev.flowrec.recorder.KernelLoad;
import dev.flowrec.recorder.RecorderDrain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

/**
 * Issue 7, figure 3: latency from an event's own kernel timestamp (bpf_ktime_get_boot_ns, CLOCK_BOOTTIME, taken
 * as the TC program starts on the packet) to the return of its journal commit, at a low and a high rate, beside
 * the same measurement with the raw drain (decode + count, no journal). The consumer runs the recorder's duty
 * cycle (drain, then its other duties) on the recorder's idle strategy, with the clock read after each event.
 * Load: the real TC program in packet mode run by BPF_PROG_TEST_RUN on paced batches (no network).
 * <p>
 * The clock: System.nanoTime is CLOCK_MONOTONIC; CLOCK_BOOTTIME differs from it by the time spent suspended, a
 * constant while the machine runs. The offset is measured before and after each run (the drift is printed).
 * Usage: scripts/bench/latency [SECONDS measured per run, default 3] [LOW RATE/s, default 10000] [HIGH RATE/s, default 1000000]
 */
public final class LatencyBench
{
    private static final int FLOWS = 64;
    private static final double WARM_UP_S = 1.5;
    private static final long MAX_NS = TimeUnit.SECONDS.toNanos(10);

    private LatencyBench()
    {
    }

    record Result(Histogram histogram, long lost, long driftNs)
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long startNs = System.nanoTime();
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        final double low = args.length > 1 ? Double.parseDouble(args[1]) : 10_000;
        final double high = args.length > 2 ? Double.parseDouble(args[2]) : 1_000_000;
        final byte[][] frames = KernelLoad.udpFrames(FLOWS);
        System.out.printf(Locale.ROOT, "latency: kernel timestamp → journal commit returned (baseline: → raw drain handler"
            + " returned); packet mode, %d flows, 16 MiB ring; consumer on the recorder's idle strategy (Agrona "
            + "BackoffIdleStrategy: 100 spins, 10 yields, then parks of 1 µs doubling to 10 ms); %.1f s warm-up + %.0f s "
            + "per run; µs%n%n", FLOWS, WARM_UP_S, seconds);
        // Compile both drains on a whole CPU first: a low-rate run's warm-up alone sees too few events for the JIT.
        DrainBench.burst(Drains.Kind.RAW, FlowProgram.Config.defaults().withFlushIntervalNs(0).withRingBytes(64 << 20), frames);
        DrainBench.burst(Drains.Kind.JOURNAL, FlowProgram.Config.defaults().withFlushIntervalNs(0).withRingBytes(64 << 20), frames);
        System.out.printf(Locale.ROOT, "%-9s %-28s %10s %6s %8s %8s %8s %9s %11s %11s%n", "rate/s", "consumer", "events",
            "lost", "p50", "p99", "p99.9", "max", "p50 vs raw", "p99 vs raw");
        for (final double rate : new double[] { low, high })
        {
            final Result raw = run(false, rate, frames, seconds);
            line(rate, "raw drain (baseline)", raw, raw);
            final Result journal = run(true, rate, frames, seconds);
            line(rate, "recorder into the journal", journal, raw);
            if (Math.max(Math.abs(raw.driftNs()), Math.abs(journal.driftNs())) > 1000)
            {
                System.out.printf(Locale.ROOT, "warning: boot-to-monotonic offset moved by %d ns during a run%n",
                    Math.max(Math.abs(raw.driftNs()), Math.abs(journal.driftNs())));
            }
        }
        System.out.printf(Locale.ROOT, "(%.0f s)%n", (System.nanoTime() - startNs) / 1e9);
    }

    private static void line(final double rate, final String consumer, final Result r, final Result raw)
    {
        final Histogram h = r.histogram();
        System.out.printf(Locale.ROOT, "%-9s %-28s %10d %6d %8.1f %8.1f %8.1f %9.1f %10.2fx %10.2fx%n",
            DrainBench.mega(rate), consumer, h.getTotalCount(), r.lost(), us(h.getValueAtPercentile(50)),
            us(h.getValueAtPercentile(99)), us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()),
            h.getValueAtPercentile(50) / (double)raw.histogram().getValueAtPercentile(50),
            h.getValueAtPercentile(99) / (double)raw.histogram().getValueAtPercentile(99));
    }

    private static double us(final long ns)
    {
        return ns / 1000.0;
    }

    /** One run: the producer paced at rate, the consumer timing each event; loss counted over the measured part. */
    private static Result run(final boolean journal, final double rate, final byte[][] frames, final double seconds)
        throws Exception
    {
        try (FlowProgram program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0)))
        {
            final long offsetBefore = bootMinusMonotonicNs();
            final Timed consumer = new Timed(program, journal, offsetBefore);
            final Thread consumerThread = Thread.ofPlatform().name("latency-consumer").start(consumer);
            consumer.ready.await();
            final KernelLoad.Producer producer =
                new KernelLoad.Producer(program, frames, KernelLoad.Producer.batchFor(rate), rate);
            final Thread producerThread = Thread.ofPlatform().name("producer").start(producer);
            final long[] counters = new long[KernelCounters.COUNT];
            try
            {
                Thread.sleep((long)(WARM_UP_S * 1000));
                program.readCounters(counters);
                final long lostBefore = counters[KernelCounters.RB_LOST_EVENTS];
                consumer.recording = true;
                Thread.sleep((long)(seconds * 1000));
                consumer.recording = false;
                program.readCounters(counters);
                return new Result(consumer.histogram, counters[KernelCounters.RB_LOST_EVENTS] - lostBefore,
                    bootMinusMonotonicNs() - offsetBefore);
            }
            finally
            {
                producer.stop();
                producerThread.join();
                consumer.running = false;
                consumerThread.join();
                if (consumer.failure != null)
                {
                    throw new IllegalStateException((journal ? "journal" : "raw") + " consumer failed: " + consumer.failure,
                        consumer.failure);
                }
            }
        }
    }

    /** CLOCK_BOOTTIME - CLOCK_MONOTONIC (System.nanoTime), from the tightest of a few bracketed reads. */
    private static long bootMinusMonotonicNs()
    {
        long bestWidth = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 32; i++)
        {
            final long before = System.nanoTime();
            final long boot = Clocks.boottimeNs();
            final long after = System.nanoTime();
            if (after - before < bestWidth)
            {
                bestWidth = after - before;
                offset = boot - (before + (after - before) / 2);
            }
        }
        return offset;
    }

    /** The consumer: a duty cycle like the recorder's, with each event's latency recorded once it is handled. */
    private static final class Timed implements Runnable, FlowEventHandler
    {
        private final FlowProgram program;
        private final boolean journal;
        private final long bootMinusMonotonicNs;
        private final Histogram histogram = new Histogram(MAX_NS, 3);
        private final Drains.Count count = new Drains.Count();
        private final CountDownLatch ready = new CountDownLatch(1);
        private FlowEventHandler inner;
        /** Kernel times of deltas handled but not yet committed (they wait in the open batch). */
        private long[] pending = new long[RecorderDrain.DRAIN_LIMIT_HINT];
        private int pendingCount;
        private volatile boolean recording;
        private volatile boolean running = true;
        private volatile Throwable failure;

        Timed(final FlowProgram program, final boolean journal, final long bootMinusMonotonicNs)
        {
            this.program = program;
            this.journal = journal;
            this.bootMinusMonotonicNs = bootMinusMonotonicNs;
        }

        public void run()
        {
            Path dir = null;
            try
            {
                final RingBufferReader ring = program.ringBuffer();
                final IdleStrategy idle = RecorderDrain.idleStrategy();
                if (journal)
                {
                    dir = Files.createTempDirectory(Drains.journalParent(), "frdr-latency-journal-");
                    try (NetnsFixture net = new NetnsFixture();
                        RecorderDrain drain = RecorderDrain.open(program, dir, NetnsFixture.path(net.netns("drain")), null))
                    {
                        inner = drain.handler();
                        ready.countDown();
                        while (running)
                        {
                            final int read = ring.read(this, drain.drainLimit());
                            if (drain.endOfPass())
                            {
                                recordPending(); // a delta reaches the journal when its batch commits
                            }
                            idle.idle(read + drain.duties());
                        }
                    }
                }
                else
                {
                    inner = count;
                    ready.countDown();
                    while (running)
                    {
                        idle.idle(ring.read(this, 8192));
                    }
                }
            }
            catch (final Throwable t)
            {
                failure = t;
            }
            finally
            {
                ready.countDown();
                if (dir != null)
                {
                    Drains.delete(dir);
                }
            }
        }

        public void onFlowEvent(final FlowEventDecoder event)
        {
            final long kernelNs = event.lastNs();
            inner.onFlowEvent(event);
            if (journal)
            {
                if (pendingCount == pending.length)
                {
                    pending = java.util.Arrays.copyOf(pending, pending.length * 2); // a lingering batch: rare
                }
                pending[pendingCount++] = kernelNs;
                return;
            }
            record(kernelNs, System.nanoTime());
        }

        private void recordPending()
        {
            final long nowNs = System.nanoTime();
            for (int i = 0; i < pendingCount; i++)
            {
                record(pending[i], nowNs);
            }
            pendingCount = 0;
        }

        private void record(final long kernelNs, final long nowNs)
        {
            if (recording)
            {
                histogram.recordValue(Math.max(0, Math.min(MAX_NS, nowNs + bootMinusMonotonicNs - kernelNs)));
            }
        }
    }
}
