package dev.flowrec.recorder.live;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import java.nio.ByteOrder;

/**
 * A one-way flow's identity as the kernel keys it: ifindex, direction, family, protocol, addresses and
 * ports. Mutable so that one instance serves as the probe for every lookup of a known flow (no
 * allocation); {@link #copy} makes the key a new flow is stored under.
 */
final class FlowId
{
    int ifindex;
    int direction;
    int family;
    int proto;
    int srcPort;
    int dstPort;
    long srcHigh;
    long srcLow;
    long dstHigh;
    long dstLow;

    FlowId set(final FlowDeltaDecoder delta)
    {
        ifindex = delta.ifindex();
        direction = delta.direction();
        family = delta.family();
        proto = delta.proto();
        srcPort = delta.srcPort();
        dstPort = delta.dstPort();
        srcHigh = FlowDeltas.srcAddrHigh(delta);
        srcLow = FlowDeltas.srcAddrLow(delta);
        dstHigh = FlowDeltas.dstAddrHigh(delta);
        dstLow = FlowDeltas.dstAddrLow(delta);
        return this;
    }

    /** The flow a SocketOwner event names: keyed as its deltas are. */
    FlowId set(final SocketOwnerDecoder owner)
    {
        ifindex = owner.ifindex();
        direction = owner.direction();
        family = owner.family();
        proto = owner.proto();
        srcPort = owner.srcPort();
        dstPort = owner.dstPort();
        final int src = owner.offset() + SocketOwnerDecoder.srcAddrEncodingOffset();
        final int dst = owner.offset() + SocketOwnerDecoder.dstAddrEncodingOffset();
        srcHigh = owner.buffer().getLong(src, ByteOrder.BIG_ENDIAN);
        srcLow = owner.buffer().getLong(src + 8, ByteOrder.BIG_ENDIAN);
        dstHigh = owner.buffer().getLong(dst, ByteOrder.BIG_ENDIAN);
        dstLow = owner.buffer().getLong(dst + 8, ByteOrder.BIG_ENDIAN);
        return this;
    }

    FlowId copy()
    {
        return copyInto(new FlowId());
    }

    /** @return {@code id}, now naming the same flow as this one. */
    FlowId copyInto(final FlowId id)
    {
        id.ifindex = ifindex;
        id.direction = direction;
        id.family = family;
        id.proto = proto;
        id.srcPort = srcPort;
        id.dstPort = dstPort;
        id.srcHigh = srcHigh;
        id.srcLow = srcLow;
        id.dstHigh = dstHigh;
        id.dstLow = dstLow;
        return id;
    }

    public int hashCode()
    {
        long h = ifindex;
        h = h * 31 + (direction << 16 | family << 8 | proto);
        h = h * 31 + ((long)srcPort << 16 | dstPort);
        h = h * 31 + srcHigh;
        h = h * 31 + srcLow;
        h = h * 31 + dstHigh;
        h = h * 31 + dstLow;
        // spread the high bits into the low ones: the table masks the hash
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int)h;
    }

    public boolean equals(final Object o)
    {
        return o instanceof FlowId k && sameAs(k);
    }

    /** Whether {@code k} names the same flow: {@link #equals} without the type test, for the index's probes. */
    boolean sameAs(final FlowId k)
    {
        return srcLow == k.srcLow && srcPort == k.srcPort && dstPort == k.dstPort && dstLow == k.dstLow &&
            ifindex == k.ifindex && direction == k.direction && family == k.family && proto == k.proto &&
            srcHigh == k.srcHigh && dstHigh == k.dstHigh;
    }
}
