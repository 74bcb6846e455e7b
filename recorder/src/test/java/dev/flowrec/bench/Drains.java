package dev.flowrec.bench;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.FlowEventHandler;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.bpf.RingBufferReader;
import dev.flowrec.recorder.RecorderDrain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The three consumers the drain and latency benchmarks compare, each one duty cycle at a time. */
final class Drains
{
    private Drains()
    {
    }

    /** A consumer of one program's ring buffer; used by one thread, the one that opened it. */
    interface Drain extends AutoCloseable
    {
        /** One duty cycle; returns the work done (0: the caller idles). */
        int doWork();

        /** Events consumed (journaled, for the journal drain). */
        long events();

        void close();
    }

    enum Kind
    {
        RAW("raw drain, mmap'd reader, decode + count (baseline)"),
        LIBBPF("libbpf ring_buffer__consume + FFM upcall"),
        JOURNAL("recorder drain into the journal"),
        /** A breakdown only: the journal path without the live view's fold. */
        JOURNAL_NO_LIVE("  of which: the same without the live view fold");

        final String label;

        Kind(final String label)
        {
            this.label = label;
        }

        /** Opens this kind of drain on the calling thread. */
        Drain open(final FlowProgram program)
        {
            return switch (this)
            {
                case RAW -> new Raw(program.ringBuffer());
                case LIBBPF -> new Libbpf(program);
                case JOURNAL -> new Journal(program, true);
                case JOURNAL_NO_LIVE -> new Journal(program, false);
            };
        }
    }

    /** What the baselines do with each record: read the fields a consumer would, and count. */
    static final class Count implements FlowEventHandler
    {
        long count;
        long checksum;

        public void onFlowEvent(final FlowEventDecoder event)
        {
            checksum += event.packets() + event.bytes() + event.sport() + event.lastNs();
            count++;
        }
    }

    private static final class Raw implements Drain
    {
        private final RingBufferReader ring;
        private final Count count = new Count();

        Raw(final RingBufferReader ring)
        {
            this.ring = ring;
        }

        public int doWork()
        {
            return ring.read(count, 8192);
        }

        public long events()
        {
            return count.count;
        }

        public void close()
        {
        }
    }

    private static final class Libbpf implements Drain
    {
        private final Count count = new Count();
        private final LibbpfRing ring;

        Libbpf(final FlowProgram program)
        {
            ring = new LibbpfRing(program.mapFd(FlowProgram.EVENTS_MAP), count);
        }

        public int doWork()
        {
            return ring.consume();
        }

        public long events()
        {
            return count.count;
        }

        public void close()
        {
            ring.close();
        }
    }

    /** The recorder's own agent into a fresh journal under {@link #journalParent()}, deleted on close. */
    static final class Journal implements Drain
    {
        private final NetnsFixture net = new NetnsFixture();
        private final Path dir;
        private final RecorderDrain drain;

        Journal(final FlowProgram program, final boolean foldLive)
        {
            try
            {
                dir = Files.createTempDirectory(journalParent(), "frdr-drain-journal-");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("creating a journal directory under /tmp", ex);
            }
            drain = RecorderDrain.open(program, dir, NetnsFixture.path(net.netns("drain")), null, foldLive);
        }

        public int doWork()
        {
            return drain.doWork();
        }

        public long events()
        {
            return drain.eventsJournaled();
        }

        public void close()
        {
            try
            {
                drain.close();
            }
            finally
            {
                net.close();
                delete(dir);
            }
        }
    }

    /** Where benchmark journals go: /tmp (a disk here), or -Dflowrec.bench.dir=DIR. */
    static Path journalParent()
    {
        return Path.of(System.getProperty("flowrec.bench.dir", "/tmp"));
    }

    static void delete(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            System.err.println("warning: could not delete " + dir + ": " + ex.getMessage());
        }
    }
}
