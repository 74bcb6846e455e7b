package dev.flowrec.recorder.live;

import com.sun.management.ThreadMXBean;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import java.lang.management.ManagementFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static dev.flowrec.recorder.live.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Folding deltas of known flows on known interfaces allocates nothing: the recorder thread calls the view
 * for every journaled event. Times move across seconds so that bucket recycling is measured too.
 */
class LiveViewAllocationTest
{
    private static final int FLOWS = 1000;
    private static final int IFACES = 4;
    private static final int EVENTS = 100_000;
    private static final int WARM_UP_ROUNDS = 5;

    private final UnsafeBuffer deltas = new UnsafeBuffer(new byte[FLOWS * Templates.FLOW_DELTA_LENGTH]);
    private LiveView view = new LiveView(LiveView.DEFAULT_MAX_FLOWS, () -> T0);
    private long timeNs = T0;

    @Test
    void shouldFoldDeltasOfKnownFlowsWithoutAllocating()
    {
        final long allocated = allocatedByFold();

        view.publish(timeNs);
        assertEquals(FLOWS, view.snapshot().activeFlows(), "no flow was new");
        final double perEvent = allocated / (double)EVENTS;
        System.out.printf("live view: allocated %d bytes for %d deltas, %.4f B/event%n", allocated, EVENTS, perEvent);
        assertTrue(perEvent < 1, "allocated " + allocated + " bytes for " + EVENTS + " deltas");
    }

    /** Every delta is a new flow in a full table (twice as many flows as places): each one recycles the evicted. */
    @Test
    void shouldTakeNewFlowsIntoAFullTableWithoutAllocating()
    {
        view = new LiveView(FLOWS / 2, () -> T0);
        final long allocated = allocatedByFold();

        view.publish(timeNs);
        assertEquals(FLOWS / 2, view.snapshot().activeFlows(), "the table stays full");
        final double perEvent = allocated / (double)EVENTS;
        System.out.printf("live view, full table: allocated %d bytes for %d new flows, %.4f B/event%n",
            allocated, EVENTS, perEvent);
        assertTrue(perEvent < 1, "allocated " + allocated + " bytes for " + EVENTS + " new flows");
    }

    /** @return bytes this thread allocated folding {@link #EVENTS} deltas after warm-up. */
    private long allocatedByFold()
    {
        final Events events = new Events(view);
        for (int i = 1; i <= IFACES; i++)
        {
            events.attached(i, "eth" + i, i % 2 == 0 ? "web" : "");
        }
        final FlowDeltaEncoder delta = new FlowDeltaEncoder();
        for (int i = 0; i < FLOWS; i++)
        {
            FlowDeltas.addressesV4(MessageHeader.wrapAndApplyHeader(delta, deltas, i * Templates.FLOW_DELTA_LENGTH)
                .packets(1).bytes(100)
                .ifindex(1 + i % IFACES).family(FlowDeltas.FAMILY_IPV4).proto((short)6).direction((short)(i & 1)),
                0x0A000001, 0x0A000100 + i).srcPort(40000 + i).dstPort(443);
        }
        for (int round = 0; round < WARM_UP_ROUNDS; round++)
        {
            fold(EVENTS);
        }
        view.publish(timeNs); // the publish path may allocate; only folding is measured

        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        final long eventsBefore = view.eventsTotal();
        final long before = threads.getThreadAllocatedBytes(threadId);
        fold(EVENTS);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertEquals(EVENTS, view.eventsTotal() - eventsBefore);
        return allocated;
    }

    /** Each delta 1 ms after the previous one: 100 s of event time per round. */
    private void fold(final int events)
    {
        for (int i = 0; i < events; i++)
        {
            final int offset = (i % FLOWS) * Templates.FLOW_DELTA_LENGTH;
            timeNs += 1_000_000;
            deltas.putLong(offset + MessageHeader.ENCODED_LENGTH + FlowDeltaDecoder.lastNsEncodingOffset(), timeNs,
                MessageHeader.BYTE_ORDER);
            view.onEvent(FlowDeltaDecoder.TEMPLATE_ID, deltas, offset, Templates.FLOW_DELTA_LENGTH);
        }
    }
}
