package dev.flowrec.query;

import dev.flowrec.journal.TestJournal;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import dev.flowrec.query.filter.FilterParser;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A grouped question summed per group straight away ({@link GroupSums}) answers as one summed per flow first, also
 * when a key's deltas go back a bucket (it is then summed per flow), and allocates nothing per delta.
 */
class GroupSumsTest
{
    private static final long S = 1_000_000_000L;
    private static final long MINUTE = 60 * S;
    private static final long T0 = 1_767_225_600L * S; // 2026-01-01T00:00:00Z
    private static final int A = 0x0A000001;
    private static final int B = 0x0A000102;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerAsPerFlowWhenAKeyGoesBackABucket()
    {
        try (TestJournal journal = TestJournal.openOnEth0(dir, T0))
        {
            delta(journal, 10 * S, 10 * S, 5000);
            delta(journal, 65 * S, 65 * S, 5000);
            delta(journal, 66 * S, 50 * S, 5000); // journaled in minute 1, its last packet in minute 0: back a bucket
            delta(journal, 67 * S, 67 * S, 5001);
            delta(journal, 130 * S, 130 * S, 5000);
        }
        final Query series = new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("proto"), 0, Query.By.bytes,
            MINUTE, Query.NO_INSTANT);
        final List<String> perFlow = rows(QueryEngine.run(dir, series, new Cancellation(() -> false), false, false));
        assertEquals(perFlow, rows(QueryEngine.run(dir, series, new Cancellation(() -> false), false, true)));
        assertEquals(List.of("[" + T0 + ", tcp, 2, 2, 200]", "[" + (T0 + MINUTE) + ", tcp, 2, 2, 200]",
            "[" + (T0 + 2 * MINUTE) + ", tcp, 1, 1, 100]"), perFlow);
    }

    @Test
    void shouldRefuseABucketBeforeAKeysLatest()
    {
        final FlowSumsTable names = new FlowSumsTable(S);
        final GroupSums sums = new GroupSums(names, GroupKey.parseList("proto"), S);
        final int key = sums.key(0, A, 0, B, FlowSumsTable.pack(0, 4, 6, 1, 2), names.namesId("eth0", ""));
        sums.add(key, MINUTE, MINUTE, 0, MINUTE, 1, 1, 0);
        assertThrows(GroupSums.Unordered.class, () -> sums.add(key, 0, 1, 0, 1, 1, 1, 0));
    }

    @Test
    void shouldSumDeltasWithoutAllocating()
    {
        final FlowSums sums = new FlowSums(FilterParser.ALL, MINUTE, 15 * S, false, GroupKey.parseList("dst_port"));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        final FlowDeltaEncoder encoder = MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), buffer, 0);
        FlowDeltas.addressesV4(encoder, A, B).family(FlowDeltas.FAMILY_IPV4);
        encoder.proto((short)6).ifindex(1).packets(1).bytes(100).tcpFlags((short)0x10);
        final FlowDeltaDecoder delta = MessageHeader.wrap(new FlowDeltaDecoder(), buffer, 0);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        fold(sums, encoder, delta, 0, 1_000_000); // every key and (group, minute) seen, the tables grown, compiled
        threads.getThreadAllocatedBytes(threadId);
        final long before = threads.getThreadAllocatedBytes(threadId);
        fold(sums, encoder, delta, 1_000_000, 2_000_000); // known keys and groups, new minutes
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(allocated < 1024, "a million deltas of known keys allocated " + allocated + " bytes");
        final List<long[]> groups = new ArrayList<>();
        sums.groups().forEach((bucketNs, key, flows, packets, bytes) -> groups.add(new long[] {flows, packets}),
            new Cancellation(() -> false));
        assertEquals(340, groups.size(), "34 minutes of 10 ports");
    }

    /** Deltas of 1000 keys (source ports; 10 destination ports), one a millisecond. */
    private static void fold(final FlowSums sums, final FlowDeltaEncoder encoder, final FlowDeltaDecoder delta,
        final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final long t = T0 + i * 1_000_000L;
            encoder.srcPort(1024 + i % 1000).dstPort(i % 10).firstNs(t).lastNs(t);
            sums.onFlow(delta, "eth0", "");
        }
    }

    private static void delta(final TestJournal journal, final long journaledNs, final long lastNs, final int sport)
    {
        journal.now(T0 + journaledNs).delta().at(T0 + lastNs).packets(1).bytes(100).ipv4(A, B).srcPort(sport)
            .dstPort(80).proto(6).direction(1).ifindex(1).tcpFlags(0x10).append();
    }

    private static List<String> rows(final Answer answer)
    {
        return answer.rows().stream().map(Arrays::toString).toList();
    }
}
