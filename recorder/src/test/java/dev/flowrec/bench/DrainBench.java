package dev.flowrec.bench;

import com.sun.management.ThreadMXBean;
import dev.flowrec.bench.Drains.Drain;
import dev.flowrec.bench.Drains.Kind;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.recorder.KernelLoad;
import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 7, figure 1: ring buffer → journal, events per second, with the kernel as the only load (the real TC
 * program in packet mode, run by BPF_PROG_TEST_RUN on 64 flows' frames; no network), beside two baselines of the
 * same run: the raw drain (the recorder's mmap'd reader, decode and count, no journal: the ceiling) and libbpf's
 * consumer with an FFM upcall per record.
 * <ul>
 * <li>consumer alone: the ring pre-filled (64 MiB ring, 512 k records), then drained; the consumer's own ceiling,
 * with no producer sharing the CPUs, per wall-clock second and per second of the consumer's own CPU time (which
 * other load on the machine disturbs less), with the journal path's cost broken down.</li>
 * <li>sustained: producer and consumer at once, the consumer on the recorder's idle strategy; offered and
 * consumed rates, records lost by the kernel (RB_LOST_EVENTS) in the measured window, bytes allocated and CPU
 * time of the consumer thread per event. When the journal loses records flat out, paced runs find the highest
 * rate it takes with no loss.</li>
 * </ul>
 * Usage: scripts/bench/drain [SECONDS measured per sustained run, default 2] [PRODUCER THREADS, default 1]
 */
public final class DrainBench
{
    private static final int FLOWS = 64;
    private static final double WARM_UP_S = 1.5;
    private static final double SEARCH_WARM_UP_S = 1;
    private static final int FILL = 1 << 19;
    private static final int FILL_RING_BYTES = 64 << 20;
    private static final int BURST_ROUNDS = 2;
    private static final double[] PACED_FRACTIONS = { 0.9, 0.7, 0.5 };
    private static final double TARGET = 3e6;
    private static final Kind[] SUSTAINED = { Kind.RAW, Kind.LIBBPF, Kind.JOURNAL };
    private static final ThreadMXBean THREADS = (ThreadMXBean)ManagementFactory.getThreadMXBean();

    private DrainBench()
    {
    }

    record Window(double offeredPerS, double consumedPerS, long lost, double bytesPerEvent, double cpuNsPerEvent)
    {
    }

    record Burst(double eventsPerS, double eventsPerCpuS, double bytesPerEvent)
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long startNs = System.nanoTime();
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        final int producers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        final byte[][] frames = KernelLoad.udpFrames(FLOWS);
        final FlowProgram.Config packetMode = FlowProgram.Config.defaults().withFlushIntervalNs(0);
        System.out.printf(Locale.ROOT, "drain: packet mode, %d flows, %d MiB ring (the recorder's default), %d producer "
            + "thread(s) of BPF_PROG_TEST_RUN, %d CPUs; %.1f s warm-up + %.1f s measured per run%n",
            FLOWS, packetMode.ringBytes() >> 20, producers, Runtime.getRuntime().availableProcessors(), WARM_UP_S, seconds);

        // The pre-filled drains first: each consumer's code is compiled on a whole CPU before the sustained runs,
        // whose warm-up shares the CPUs with the producer (on a busy machine the JIT then lags for seconds).
        final Map<Kind, Burst> bursts = bursts(packetMode.withRingBytes(FILL_RING_BYTES), frames);
        final Map<Kind, Window> flatOut = flatOut(packetMode, frames, producers, seconds);
        final Window raw = flatOut.get(Kind.RAW);
        final Window journal = flatOut.get(Kind.JOURNAL);
        final Window lossless = journal.lost() == 0 ? journal : lossless(journal, raw, packetMode, frames, producers, seconds);

        final double rate = lossless == null ? 0 : lossless.consumedPerS();
        System.out.printf(Locale.ROOT, "%njournal, highest lossless sustained rate found: %s events/s (%.2fx the raw drain's"
            + " %s)%s; target >= %s events/s with zero loss: %s%n", rate > 0 ? mega(rate) : "none",
            rate / raw.consumedPerS(), mega(raw.consumedPerS()), lossless == journal ? ", all the producer offered" : "",
            mega(TARGET), rate >= TARGET ? "met" : "not met on this run");
        System.out.printf(Locale.ROOT, "journal, consumer thread after warm-up: %s B/event sustained, %.3f B/event alone%n",
            lossless == null ? "-" : String.format(Locale.ROOT, "%.3f", lossless.bytesPerEvent()),
            bursts.get(Kind.JOURNAL).bytesPerEvent());
        System.out.printf(Locale.ROOT, "(%.0f s)%n", (System.nanoTime() - startNs) / 1e9);
    }

    /** Each consumer against the producer flat out; prints the table. */
    private static Map<Kind, Window> flatOut(final FlowProgram.Config config, final byte[][] frames, final int producers,
        final double seconds) throws InterruptedException
    {
        final Map<Kind, Window> flatOut = new EnumMap<>(Kind.class);
        for (final Kind kind : SUSTAINED)
        {
            flatOut.put(kind, sustained(kind, config, frames, producers, 0, WARM_UP_S, seconds));
        }
        final Window raw = flatOut.get(Kind.RAW);
        System.out.printf(Locale.ROOT, "%nproducer ceiling (flat out, with the raw drain consuming): %s records/s offered%n",
            mega(raw.offeredPerS()));
        System.out.printf(Locale.ROOT, "%nsustained, producer flat out (lost: records the kernel could not put in the full ring,"
            + " in the measured window; CPU: the consumer thread's, idling included)%n%-52s %10s %10s %9s %9s %9s %7s%n",
            "consumer", "offered/s", "events/s", "lost", "B/event", "CPU ns/ev", "vs raw");
        for (final Kind kind : SUSTAINED)
        {
            line(kind.label, flatOut.get(kind), raw);
        }
        return flatOut;
    }

    /** Paces the producer below what the journal took flat out until a run loses nothing; null if none did. */
    private static Window lossless(final Window journal, final Window raw, final FlowProgram.Config config,
        final byte[][] frames, final int producers, final double seconds) throws InterruptedException
    {
        System.out.printf(Locale.ROOT, "%njournal paced below its flat-out rate, until a run loses nothing%n");
        for (final double fraction : PACED_FRACTIONS)
        {
            final double rate = journal.consumedPerS() * fraction;
            final Window w = sustained(Kind.JOURNAL, config, frames, producers, rate, SEARCH_WARM_UP_S, seconds);
            line(String.format(Locale.ROOT, "journal, paced at %s/s (%.0f%% of flat out)", mega(rate), fraction * 100),
                w, raw);
            if (w.lost() == 0)
            {
                return w;
            }
        }
        return null;
    }

    /** Each consumer (and the journal without its live-view fold) draining a pre-filled ring; prints the table. */
    private static Map<Kind, Burst> bursts(final FlowProgram.Config config, final byte[][] frames)
    {
        System.out.printf(Locale.ROOT, "%nconsumer alone: ring pre-filled with %d records (%d MiB ring), then drained with no"
            + " producer running; best of %d%n%-52s %10s %12s %9s %7s%n", FILL, config.ringBytes() >> 20, BURST_ROUNDS,
            "consumer", "events/s", "per CPU-s", "B/event", "vs raw");
        final Map<Kind, Burst> bursts = new EnumMap<>(Kind.class);
        for (final Kind kind : Kind.values())
        {
            bursts.put(kind, burst(kind, config, frames));
        }
        for (final Kind kind : Kind.values())
        {
            final Burst b = bursts.get(kind);
            System.out.printf(Locale.ROOT, "%-52s %10s %12s %9.3f %6.2fx%n", kind.label, mega(b.eventsPerS()),
                mega(b.eventsPerCpuS()), b.bytesPerEvent(), b.eventsPerCpuS() / bursts.get(Kind.RAW).eventsPerCpuS());
        }
        return bursts;
    }

    /** One run with the consumer on its own thread and the producers paced at ratePerS in all (0: flat out). */
    static Window sustained(final Kind kind, final FlowProgram.Config config, final byte[][] frames, final int producers,
        final double ratePerS, final double warmUpS, final double seconds) throws InterruptedException
    {
        try (FlowProgram program = FlowProgram.load(config))
        {
            final ConsumerThread consumer = new ConsumerThread(kind, program);
            final Thread consumerThread = Thread.ofPlatform().name("drain-" + kind).start(consumer);
            consumer.awaitReady();
            final KernelLoad.Producer[] load = new KernelLoad.Producer[producers];
            final Thread[] loadThreads = new Thread[producers];
            for (int i = 0; i < producers; i++)
            {
                final double rate = ratePerS / producers;
                load[i] = new KernelLoad.Producer(program, frames, KernelLoad.Producer.batchFor(rate), rate);
                loadThreads[i] = Thread.ofPlatform().name("producer-" + i).start(load[i]);
            }
            try
            {
                Thread.sleep((long)(warmUpS * 1000));
                final long[] a = snapshot(program, consumer);
                Thread.sleep((long)(seconds * 1000));
                final long[] b = snapshot(program, consumer);
                final double s = (b[0] - a[0]) / 1e9;
                final long events = b[2] - a[2];
                return new Window((b[1] - a[1]) / s, events / s, b[3] - a[3], (b[4] - a[4]) / (double)events,
                    (b[5] - a[5]) / (double)events);
            }
            finally
            {
                for (int i = 0; i < producers; i++)
                {
                    load[i].stop();
                    loadThreads[i].join();
                }
                consumer.stop();
                consumerThread.join();
                consumer.rethrow();
            }
        }
    }

    /** {nanoTime, offered, consumed, lost, consumer allocated bytes, consumer CPU ns}. */
    private static long[] snapshot(final FlowProgram program, final ConsumerThread consumer)
    {
        final long[] counters = new long[KernelCounters.COUNT];
        final long events = consumer.events();
        program.readCounters(counters);
        // Offered = what the program saw (each repetition is one packet, one record or one loss).
        return new long[] { System.nanoTime(), counters[KernelCounters.PACKETS_SEEN], events,
            counters[KernelCounters.RB_LOST_EVENTS],
            THREADS.getThreadAllocatedBytes(consumer.threadId()), THREADS.getThreadCpuTime(consumer.threadId()) };
    }

    /** Fills the ring with no consumer running, then drains it on this thread; the best of a few rounds after one. */
    static Burst burst(final Kind kind, final FlowProgram.Config config, final byte[][] frames)
    {
        try (FlowProgram program = FlowProgram.load(config); Drain drain = kind.open(program))
        {
            Burst best = null;
            for (int round = 0; round <= BURST_ROUNDS; round++)
            {
                final long filled = fill(program, frames);
                final long target = drain.events() + filled;
                final long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
                final long cpuBefore = THREADS.getCurrentThreadCpuTime();
                final long start = System.nanoTime();
                while (drain.events() < target)
                {
                    drain.doWork();
                }
                final long elapsed = System.nanoTime() - start;
                final long cpu = THREADS.getCurrentThreadCpuTime() - cpuBefore;
                final Burst b = new Burst(filled / (elapsed / 1e9), filled / (cpu / 1e9),
                    (THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore) / (double)filled);
                if (round > 0 && (best == null || b.eventsPerCpuS() > best.eventsPerCpuS()))
                {
                    best = b;
                }
            }
            return best;
        }
    }

    /** Puts about FILL records in the ring; returns how many the kernel kept, by its own counters. */
    static long fill(final FlowProgram program, final byte[][] frames)
    {
        final long[] before = new long[KernelCounters.COUNT];
        final long[] after = new long[KernelCounters.COUNT];
        program.readCounters(before);
        KernelLoad.push(program, frames, FILL / frames.length);
        program.readCounters(after);
        return after[KernelCounters.PACKETS_SEEN] - before[KernelCounters.PACKETS_SEEN]
            - (after[KernelCounters.RB_LOST_EVENTS] - before[KernelCounters.RB_LOST_EVENTS]);
    }

    private static void line(final String label, final Window w, final Window raw)
    {
        System.out.printf(Locale.ROOT, "%-52s %10s %10s %9d %9.3f %9.0f %6.2fx%n", label, mega(w.offeredPerS()),
            mega(w.consumedPerS()), w.lost(), w.bytesPerEvent(), w.cpuNsPerEvent(), w.consumedPerS() / raw.consumedPerS());
    }

    static String mega(final double perS)
    {
        return perS >= 1e6 ? String.format(Locale.ROOT, "%.2f M", perS / 1e6) : String.format(Locale.ROOT, "%.0f k", perS / 1e3);
    }
}
