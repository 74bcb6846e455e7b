package dev.flowrec.bench;

import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.SplittableRandom;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/**
 * The synthetic journal of the benchmarks (query, export): deltas over 20k flows on 4 interfaces, evenly spaced
 * in journal time (one per ms unless told), so that deltas × spacing is the journal's length.
 */
public final class BenchJournal
{
    public static final long T0_NS = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z

    private BenchJournal()
    {
    }

    public static void write(final Path dir, final int deltas)
    {
        write(dir, deltas, 1_000_000L);
    }

    public static void write(final Path dir, final long deltas, final long spacingNs)
    {
        final SetTimeProvider clock = new SetTimeProvider(T0_NS);
        final SplittableRandom random = new SplittableRandom(42);
        final int[] ports = {443, 80, 53, 22, 8080, 5432};
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(),
                writer.claim(Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, "bench", "k", "v", "c")), 0)
                .timeNs(T0_NS).flushIntervalNs(1_000_000_000L).host("bench").kernel("k").flowrecVersion("v").config("c");
            writer.commit();
            for (int i = 1; i <= 4; i++)
            {
                MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(),
                    writer.claim(Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH, "eth" + i, "")), 0)
                    .timeNs(T0_NS).ifindex(i).ifname("eth" + i).container("");
                writer.commit();
            }
            final FlowDeltaEncoder d = new FlowDeltaEncoder();
            for (long i = 0; i < deltas; i++)
            {
                final long t = T0_NS + i * spacingNs;
                clock.currentTimeNanos(t);
                final int flow = random.nextInt(20_000);
                FlowDeltas.addressesV4(MessageHeader.wrapAndApplyHeader(d, writer.claim(Templates.FLOW_DELTA_LENGTH), 0)
                    .firstNs(t - 500_000_000L).lastNs(t).packets(1 + random.nextInt(100))
                    .bytes(60 + random.nextInt(150_000)), 0x0A000000 | flow % 500, 0xC0A80000 | flow % 97)
                    .ifindex(1 + flow % 4).srcPort(32768 + flow).dstPort(ports[flow % ports.length])
                    .proto((short)(flow % 5 == 0 ? 17 : 6)).family((short)4).direction((short)(flow & 1))
                    .tcpFlags((short)0x18);
                writer.commit();
            }
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists: benchmarks write their journals fresh. */
    public static void deleteTree(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            try (Stream<Path> walk = Files.walk(dir))
            {
                for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.delete(p);
                }
            }
        }
    }
}
