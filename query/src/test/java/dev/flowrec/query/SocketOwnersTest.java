package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.SocketOwnerEncoder;
import dev.flowrec.journal.schema.Templates;
import java.lang.management.ManagementFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The flow key to owner table: every key field counts, the latest event wins, a run clears it, lookups allocate nothing. */
class SocketOwnersTest
{
    private static final int A = 0x0A000001;
    private static final int B = 0x0A000002;

    private final UnsafeBuffer deltaBuffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
    private final FlowDeltaEncoder encoder = MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), deltaBuffer, 0);
    private final FlowDeltaDecoder delta = MessageHeader.wrap(new FlowDeltaDecoder(), deltaBuffer, 0);
    private final UnsafeBuffer ownerBuffer = new UnsafeBuffer(new byte[256]);
    private final SocketOwners owners = new SocketOwners();

    @Test
    void shouldNameTheOwnerOfExactlyItsFlowKey()
    {
        key(1, 1, 40000, 443);
        own(4242, "curl");
        assertEquals(new Owner(4242, "curl"), owners.of(delta));
        key(2, 1, 40000, 443);
        assertSame(Owner.NONE, owners.of(delta), "another interface");
        key(1, 0, 40000, 443);
        assertSame(Owner.NONE, owners.of(delta), "the other direction");
        key(1, 1, 40001, 443);
        assertSame(Owner.NONE, owners.of(delta), "another port");
        key(1, 1, 40000, 443);
        encoder.proto((short)17);
        assertSame(Owner.NONE, owners.of(delta), "another protocol");
    }

    @Test
    void shouldKeepTheLatestOwnerOfAKeyUntilTheRunEnds()
    {
        key(1, 1, 40000, 443);
        own(4242, "curl");
        own(6000, "wget");
        assertEquals(new Owner(6000, "wget"), owners.of(delta));
        assertEquals(1, owners.size());
        owners.clear();
        assertSame(Owner.NONE, owners.of(delta));
        assertEquals(0, owners.size());
    }

    /**
     * A key's kernel entry swept and made again: the recorder journals a pass's owners ahead of its deltas, so the old
     * entry's last delta can follow the new entry's owner; an entry made without an owner journals none.
     */
    @Test
    void shouldNameEachDeltaAfterTheOwnerOfTheEntryItBeganIn()
    {
        key(1, 1, 40000, 443);
        own(4242, "curl", 100);
        assertEquals(new Owner(4242, "curl"), delta(FlowDeltas.REASON_FIRST, 100));
        assertEquals(new Owner(4242, "curl"), delta(2, 150));
        own(6000, "wget", 200); // the next entry's owner, ahead of the swept entry's last delta
        assertEquals(new Owner(4242, "curl"), delta(4, 160), "the swept entry's last delta");
        assertEquals(new Owner(6000, "wget"), delta(FlowDeltas.REASON_FIRST, 200));
        assertEquals(new Owner(6000, "wget"), delta(2, 250));
        assertSame(Owner.NONE, delta(FlowDeltas.REASON_FIRST, 300), "an entry made without an owner");
        assertSame(Owner.NONE, delta(2, 350), "its later deltas");
        assertEquals(new Owner(6000, "wget"), delta(4, 260), "the entry before it, drained late");
    }

    @Test
    void shouldLookUpOwnersOfManyFlowsWithoutAllocating()
    {
        for (int port = 0; port < 5000; port++)
        {
            key(1, 1, 1024 + port, 443);
            own(100 + port % 50, "worker" + port % 50);
        }
        assertEquals(5000, owners.size());
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        long pids = lookUp(0, 1_000_000);
        final long before = threads.getThreadAllocatedBytes(threadId);
        pids += lookUp(1_000_000, 2_000_000);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(allocated < 1024, "a million lookups allocated " + allocated + " bytes");
        assertTrue(pids > 0);
        key(1, 1, 1024 + 4321, 443);
        assertEquals(new Owner(100 + 4321 % 50, "worker" + 4321 % 50), owners.of(delta));
    }

    private long lookUp(final int from, final int to)
    {
        long pids = 0;
        for (int i = from; i < to; i++)
        {
            encoder.srcPort(1024 + i % 6000); // a sixth of them unknown
            pids += owners.of(delta).pid();
        }
        return pids;
    }

    private void key(final int ifindex, final int direction, final int sport, final int dport)
    {
        FlowDeltas.addressesV4(encoder, A, B).family(FlowDeltas.FAMILY_IPV4);
        encoder.ifindex(ifindex).direction((short)direction).srcPort(sport).dstPort(dport).proto((short)6);
    }

    private Owner delta(final int reason, final long firstNs)
    {
        encoder.reason((short)reason).firstNs(firstNs).lastNs(firstNs + 10);
        return owners.of(delta);
    }

    private void own(final int pid, final String comm)
    {
        own(pid, comm, 0);
    }

    /** A SocketOwner event for the delta's key, its entry's first packet at {@code timeNs}, fed to the table. */
    private void own(final int pid, final String comm, final long timeNs)
    {
        final SocketOwnerEncoder e = MessageHeader.wrapAndApplyHeader(new SocketOwnerEncoder(), ownerBuffer, 0)
            .ifindex(delta.ifindex()).direction(delta.direction()).family(delta.family()).proto(delta.proto())
            .srcPort(delta.srcPort()).dstPort(delta.dstPort()).pid(pid).tid(pid).timeNs(timeNs);
        ownerBuffer.putBytes(MessageHeader.ENCODED_LENGTH + SocketOwnerEncoder.srcAddrEncodingOffset(), deltaBuffer,
            MessageHeader.ENCODED_LENGTH + FlowDeltaEncoder.srcAddrEncodingOffset(), 2 * FlowDeltas.ADDRESS_LENGTH);
        e.comm(comm);
        owners.onSocketOwner(ownerBuffer, 0);
    }
}
