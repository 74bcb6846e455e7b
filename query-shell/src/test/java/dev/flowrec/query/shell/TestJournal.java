package dev.flowrec.query.shell;

import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.ContainerSeenEncoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.Templates;
import java.nio.file.Path;
import java.time.Instant;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/**
 * A real journal for the shell's tests: three interfaces (one a container's veth), a container, and flows of
 * several protocols at two times, 90 minutes apart, both at least half an hour from "one hour ago" so that
 * {@code since -1h} splits them the same way for every process of a test run. Optionally a few million extra deltas
 * (a flow each) so that a query takes long enough to be cancelled.
 */
final class TestJournal
{
    static final long SECOND_NS = 1_000_000_000L;
    static final String CONTAINER = "c0ffee1234abcdef";
    /** The older deltas: two hours ago, to the second. */
    static final long OLD_NS = (Instant.now().getEpochSecond() - 7200) * SECOND_NS;
    /** The newer deltas: half an hour ago. */
    static final long NEW_NS = OLD_NS + 5400 * SECOND_NS;

    private static final FlowDeltaEncoder DELTA = new FlowDeltaEncoder();

    private TestJournal()
    {
    }

    static Path write(final Path dir, final int extraDeltas)
    {
        final SetTimeProvider clock = new SetTimeProvider(OLD_NS);
        try (JournalWriter writer = JournalWriter.open(dir, RollCycles.FAST_HOURLY, clock))
        {
            started(writer, OLD_NS);
            attached(writer, OLD_NS, 1, "eth0", "");
            attached(writer, OLD_NS, 2, "wlan1", "");
            attached(writer, OLD_NS, 3, "veth7", CONTAINER);
            seen(writer, OLD_NS, 3, "veth7");
            final long[] times = {OLD_NS, NEW_NS};
            for (int t = 0; t < times.length; t++)
            {
                final long at = times[t];
                clock.currentTimeNanos(at);
                // eth0: tcp to 443 from two clients, udp dns, an icmp echo
                delta(writer, at, 1, 0x0A000001, 0x5DB8D822, 40001, 443, 6, 0, 10 + t, 15000 + t * 1000, 0x18);
                delta(writer, at + SECOND_NS, 1, 0x5DB8D822, 0x0A000001, 443, 40001, 6, 1, 12 + t, 90000 + t, 0x18);
                delta(writer, at + 2 * SECOND_NS, 1, 0x0A000002, 0x5DB8D822, 40002, 443, 6, 0, 3, 180 + t, 0x02);
                delta(writer, at + 3 * SECOND_NS, 1, 0x0A000001, 0x08080808, 5353, 53, 17, 0, 1 + t, 70, 0);
                delta(writer, at + 4 * SECOND_NS, 1, 0x0A000001, 0x08080808, 0, 8 << 8, 1, 0, 2, 168, 0);
                // wlan1: http
                delta(writer, at + 5 * SECOND_NS, 2, 0xC0A80105, 0xC0A80101, 51000, 80, 6, 0, 7, 900 + t * 7, 0x1B);
                // the container's veth
                delta(writer, at + 6 * SECOND_NS, 3, 0xAC110002, 0x0A000001, 8080, 40100, 6, 1, 20, 30000 + t, 0x18);
                delta(writer, at + 7 * SECOND_NS, 3, 0xAC110002, 0xAC110001, 123, 123, 17, 0, 1, 76, 0);
            }
            // The long tail that makes a query slow: a flow per delta, on eth0, from 11.0.0.0/8.
            long at = NEW_NS + 60 * SECOND_NS;
            for (int i = 0; i < extraDeltas; i++)
            {
                if ((i & 0xFFFF) == 0)
                {
                    at += SECOND_NS;
                    clock.currentTimeNanos(at);
                }
                delta(writer, at, 1, 0x0B000000 + i, 0x0A000001, 20000 + (i & 0x3FFF), 9000, 6, 0, 1, 100, 0x10);
            }
        }
        return dir;
    }

    private static void started(final JournalWriter writer, final long t)
    {
        MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(),
            writer.claim(Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, "h", "k", "v", "c")), 0)
            .timeNs(t).flushIntervalNs(SECOND_NS).host("h").kernel("k").flowrecVersion("v").config("c");
        writer.commit();
    }

    private static void attached(final JournalWriter writer, final long t, final int ifindex, final String name, final String container)
    {
        MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(),
            writer.claim(Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH, name, container)), 0)
            .timeNs(t).ifindex(ifindex).ifname(name).container(container);
        writer.commit();
    }

    private static void seen(final JournalWriter writer, final long t, final int ifindex, final String ifname)
    {
        final String shortId = CONTAINER.substring(0, 12);
        MessageHeader.wrapAndApplyHeader(new ContainerSeenEncoder(), writer.claim(
                Templates.encodedLength(ContainerSeenEncoder.BLOCK_LENGTH, CONTAINER, shortId, "docker",
                    "/docker/" + CONTAINER, "netns7", ifname)), 0)
            .timeNs(t).ifindex(ifindex).id(CONTAINER).shortId(shortId).runtime("docker").cgroupPath("/docker/" + CONTAINER)
            .netnsName("netns7").ifname(ifname);
        writer.commit();
    }

    private static void delta(final JournalWriter writer, final long t, final int ifindex, final int src, final int dst,
        final int srcPort, final int dstPort, final int proto, final int direction, final long packets, final long bytes,
        final int flags)
    {
        FlowDeltas.addressesV4(MessageHeader.wrapAndApplyHeader(DELTA, writer.claim(Templates.FLOW_DELTA_LENGTH), 0)
            .firstNs(t).lastNs(t).packets(packets).bytes(bytes), src, dst)
            .ifindex(ifindex).srcPort(srcPort).dstPort(dstPort).proto((short)proto).family((short)4)
            .direction((short)direction).tcpFlags((short)flags);
        writer.commit();
    }
}
