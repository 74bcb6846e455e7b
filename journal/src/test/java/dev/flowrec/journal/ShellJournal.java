package dev.flowrec.journal;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The journal of the shell's tests: three interfaces (one a container's veth), a container, and flows of
 * several protocols at two times, 90 minutes apart, both at least half an hour from "one hour ago" so that
 * {@code since -1h} splits them the same way for every process of a test run. Optionally a few million extra deltas
 * (a flow each) so that a query takes long enough to be cancelled.
 */
public final class ShellJournal
{
    public static final long SECOND_NS = 1_000_000_000L;
    public static final String CONTAINER = "c0ffee1234abcdef";
    /** The older deltas: two hours ago, to the second. */
    public static final long OLD_NS = (Instant.now().getEpochSecond() - 7200) * SECOND_NS;
    /** The newer deltas: half an hour ago. */
    public static final long NEW_NS = OLD_NS + 5400 * SECOND_NS;

    private ShellJournal()
    {
    }

    public static Path write(final Path dir, final int extraDeltas)
    {
        try (TestJournal journal = TestJournal.open(dir, OLD_NS))
        {
            journal.recorderStarted(OLD_NS, "h", "k", "v", "c")
                .interfaceAttached(OLD_NS, 1, "eth0", "")
                .interfaceAttached(OLD_NS, 2, "wlan1", "")
                .interfaceAttached(OLD_NS, 3, "veth7", CONTAINER)
                .containerSeen(OLD_NS, 3, CONTAINER, CONTAINER.substring(0, 12), "docker", "/docker/" + CONTAINER,
                    "netns7", "veth7");
            final long[] times = {OLD_NS, NEW_NS};
            for (int t = 0; t < times.length; t++)
            {
                final long at = times[t];
                journal.now(at);
                // eth0: tcp to 443 from two clients, udp dns, an icmp echo
                delta(journal, at, 1, 0x0A000001, 0x5DB8D822, 40001, 443, 6, 0, 10 + t, 15000 + t * 1000, 0x18);
                delta(journal, at + SECOND_NS, 1, 0x5DB8D822, 0x0A000001, 443, 40001, 6, 1, 12 + t, 90000 + t, 0x18);
                delta(journal, at + 2 * SECOND_NS, 1, 0x0A000002, 0x5DB8D822, 40002, 443, 6, 0, 3, 180 + t, 0x02);
                delta(journal, at + 3 * SECOND_NS, 1, 0x0A000001, 0x08080808, 5353, 53, 17, 0, 1 + t, 70, 0);
                delta(journal, at + 4 * SECOND_NS, 1, 0x0A000001, 0x08080808, 0, 8 << 8, 1, 0, 2, 168, 0);
                // wlan1: http
                delta(journal, at + 5 * SECOND_NS, 2, 0xC0A80105, 0xC0A80101, 51000, 80, 6, 0, 7, 900 + t * 7, 0x1B);
                // the container's veth
                delta(journal, at + 6 * SECOND_NS, 3, 0xAC110002, 0x0A000001, 8080, 40100, 6, 1, 20, 30000 + t, 0x18);
                delta(journal, at + 7 * SECOND_NS, 3, 0xAC110002, 0xAC110001, 123, 123, 17, 0, 1, 76, 0);
            }
            // The long tail that makes a query slow: a flow per delta, on eth0, from 11.0.0.0/8.
            long at = NEW_NS + 60 * SECOND_NS;
            for (int i = 0; i < extraDeltas; i++)
            {
                if ((i & 0xFFFF) == 0)
                {
                    at += SECOND_NS;
                    journal.now(at);
                }
                delta(journal, at, 1, 0x0B000000 + i, 0x0A000001, 20000 + (i & 0x3FFF), 9000, 6, 0, 1, 100, 0x10);
            }
        }
        return dir;
    }

    private static void delta(final TestJournal journal, final long t, final int ifindex, final int src, final int dst,
        final int srcPort, final int dstPort, final int proto, final int direction, final long packets, final long bytes,
        final int flags)
    {
        journal.delta().at(t).packets(packets).bytes(bytes).ipv4(src, dst).ifindex(ifindex).srcPort(srcPort)
            .dstPort(dstPort).proto(proto).direction(direction).tcpFlags(flags).append();
    }
}
