package dev.flowrec.bpf;

import java.util.ArrayList;
import java.util.List;

/** Test helper: copies of the flow events drained from a ring buffer. */
final class DrainedEvents implements FlowEventHandler
{
    record Event(int ifindex, int direction, int family, int proto, byte[] src, byte[] dst, int sport, int dport,
        int tcpFlags, int reason, long packets, long bytes, long firstNs, long lastNs, String text)
    {
    }

    final List<Event> list = new ArrayList<>();

    public void onFlowEvent(final FlowEventDecoder e)
    {
        final byte[] src = new byte[16];
        final byte[] dst = new byte[16];
        e.srcAddr(src);
        e.dstAddr(dst);
        list.add(new Event(e.ifindex(), e.direction(), e.family(), e.proto(), src, dst, e.sport(), e.dport(),
            e.tcpFlags(), e.reason(), e.packets(), e.bytes(), e.firstNs(), e.lastNs(), e.toString()));
    }

    /** Reads until the ring is empty; returns this. */
    static DrainedEvents drain(final RingBufferReader ring)
    {
        final DrainedEvents events = new DrainedEvents();
        while (ring.read(events, 1000) > 0)
        {
            // until empty
        }
        return events;
    }

    long packets()
    {
        return list.stream().mapToLong(Event::packets).sum();
    }

    long bytes()
    {
        return list.stream().mapToLong(Event::bytes).sum();
    }

    public String toString()
    {
        return list.stream().map(Event::text).toList().toString();
    }
}
