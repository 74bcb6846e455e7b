package dev.flowrec.recorder.live;

import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.ContainerSeenEncoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedEncoder;
import dev.flowrec.journal.schema.InterfaceDetachedDecoder;
import dev.flowrec.journal.schema.InterfaceDetachedEncoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.LossReportEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import dev.flowrec.journal.schema.RecorderStartedEncoder;
import dev.flowrec.journal.schema.SocketOwnerDecoder;
import dev.flowrec.journal.schema.SocketOwnerEncoder;
import dev.flowrec.journal.schema.Templates;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes journal events with the schema's own flyweights, as the recorder does, and hands the bytes to
 * a view exactly as journaled. Times are seconds after {@link #T0} unless a method says ns.
 */
final class Events
{
    /** A whole second (2026-01-01T00:00:00Z), so that second boundaries in tests are obvious. */
    static final long T0 = 1_767_225_600L * 1_000_000_000L;
    static final int TCP = 6;
    static final int UDP = 17;

    private final LiveView view;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final FlowDeltaEncoder delta = new FlowDeltaEncoder();
    private int tcpFlags;

    Events(final LiveView view)
    {
        this.view = view;
    }

    static long at(final double seconds)
    {
        return T0 + Math.round(seconds * 1e9);
    }

    /** The TCP flags of the deltas that follow. */
    Events tcpFlags(final int flags)
    {
        tcpFlags = flags;
        return this;
    }

    Events attached(final int ifindex, final String name, final String container)
    {
        final InterfaceAttachedEncoder e = MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(), buffer, 0)
            .timeNs(T0).netnsIno(0).ifindex(ifindex).ifname(name).container(container);
        view.onEvent(InterfaceAttachedDecoder.TEMPLATE_ID, buffer, 0, MessageHeader.encodedLength(e));
        return this;
    }

    /** A ContainerSeen: its full id, the short id its interface is labelled with, its network namespace's name. */
    Events seen(final int ifindex, final String id, final String shortId, final String netnsName)
    {
        final ContainerSeenEncoder e = MessageHeader.wrapAndApplyHeader(new ContainerSeenEncoder(), buffer, 0)
            .timeNs(T0).netnsIno(0).ifindex(ifindex).id(id).shortId(shortId).runtime("docker").cgroupPath("/x")
            .netnsName(netnsName).ifname("veth" + ifindex);
        view.onEvent(ContainerSeenDecoder.TEMPLATE_ID, buffer, 0, MessageHeader.encodedLength(e));
        return this;
    }

    Events detached(final int ifindex, final String name, final double atSeconds)
    {
        final InterfaceDetachedEncoder e = MessageHeader.wrapAndApplyHeader(new InterfaceDetachedEncoder(), buffer, 0)
            .timeNs(at(atSeconds)).netnsIno(0).ifindex(ifindex).ifname(name).reason("vanished");
        view.onEvent(InterfaceDetachedDecoder.TEMPLATE_ID, buffer, 0, MessageHeader.encodedLength(e));
        return this;
    }

    Events started()
    {
        final RecorderStartedEncoder e = MessageHeader.wrapAndApplyHeader(new RecorderStartedEncoder(), buffer, 0)
            .timeNs(T0).host("h").kernel("k").flowrecVersion("v").config("c");
        view.onEvent(RecorderStartedDecoder.TEMPLATE_ID, buffer, 0, MessageHeader.encodedLength(e));
        return this;
    }

    Events loss(final long ringLostEvents, final long ringLostPackets, final long ringLostBytes, final long mapFull,
        final long nonIp, final long malformed)
    {
        MessageHeader.wrapAndApplyHeader(new LossReportEncoder(), buffer, 0).timeNs(T0).packetsSeen(1000)
            .bytesSeen(64000)
            .ringLostEvents(ringLostEvents).ringLostPackets(ringLostPackets).ringLostBytes(ringLostBytes)
            .ringDeferred(3).mapFull(mapFull).nonIp(nonIp).malformed(malformed).journalLostEvents(0)
            .tooDeep(malformed + 1);
        view.onEvent(LossReportDecoder.TEMPLATE_ID, buffer, 0, Templates.LOSS_REPORT_LENGTH);
        return this;
    }

    /** A SocketOwner naming the process of the IPv4 flow 10.0.0.{src} -> 10.0.0.{dst}, as {@link #v4} keys it. */
    Events owner(final int ifindex, final int direction, final int proto, final int src, final int srcPort,
        final int dst, final int dstPort, final int pid, final String comm)
    {
        final SocketOwnerEncoder e = MessageHeader.wrapAndApplyHeader(new SocketOwnerEncoder(), buffer, 0)
            .timeNs(T0).ifindex(ifindex).direction((short)direction).proto((short)proto).family(FlowDeltas.FAMILY_IPV4)
            .srcPort(srcPort).dstPort(dstPort).pid(pid).tid(pid).cgroupId(1).netnsIno(0);
        final int addresses = MessageHeader.ENCODED_LENGTH + SocketOwnerEncoder.srcAddrEncodingOffset();
        buffer.putLong(addresses, 0, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(addresses + 8, 0x0000_FFFF_0A00_0000L | src, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(addresses + 16, 0, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(addresses + 24, 0x0000_FFFF_0A00_0000L | dst, java.nio.ByteOrder.BIG_ENDIAN);
        e.comm(comm);
        view.onEvent(SocketOwnerDecoder.TEMPLATE_ID, buffer, 0, MessageHeader.encodedLength(e));
        return this;
    }

    /** A DnsAnswer on ifindex naming 10.0.0.{address} {@code name} for 60 s, given {@code atSeconds} after T0. */
    Events answer(final int ifindex, final String name, final int address, final double atSeconds)
    {
        final dev.flowrec.journal.schema.DnsAnswerEncoder e =
            MessageHeader.wrapAndApplyHeader(new dev.flowrec.journal.schema.DnsAnswerEncoder(), buffer, 0)
                .timeNs(at(atSeconds)).ifindex(ifindex).serverPort(53).clientPort(40000).proto((short)17)
                .family(FlowDeltas.FAMILY_IPV4).queryName(name).finalName(name);
        final UnsafeBuffer a = new UnsafeBuffer(new byte[Templates.DNS_ADDRESS_LENGTH]);
        a.putInt(0, 60, java.nio.ByteOrder.LITTLE_ENDIAN);
        a.putLong(12, 0x0000_FFFF_0A00_0000L | address, java.nio.ByteOrder.BIG_ENDIAN);
        a.putInt(4, 0);
        e.putAddresses(a, 0, a.capacity());
        view.onEvent(dev.flowrec.journal.schema.DnsAnswerDecoder.TEMPLATE_ID, buffer, 0, MessageHeader.encodedLength(e));
        return this;
    }

    /** An IPv4 delta 10.0.0.{src} -> 10.0.0.{dst}, its last packet {@code atSeconds} after T0. */
    Events v4(final int ifindex, final int direction, final int proto, final int src, final int srcPort,
        final int dst, final int dstPort, final double atSeconds, final long packets, final long bytes)
    {
        FlowDeltas.addressesV4(encode(ifindex, direction, proto, srcPort, dstPort, atSeconds, packets, bytes)
            .family(FlowDeltas.FAMILY_IPV4), 0x0A000000 | src, 0x0A000000 | dst);
        view.onEvent(FlowDeltaDecoder.TEMPLATE_ID, buffer, 0, Templates.FLOW_DELTA_LENGTH);
        return this;
    }

    /** An IPv6 delta 2001:db8::{src} -> 2001:db8::{dst}. */
    Events v6(final int ifindex, final int direction, final int proto, final int src, final int srcPort,
        final int dst, final int dstPort, final double atSeconds, final long packets, final long bytes)
    {
        FlowDeltas.addresses(encode(ifindex, direction, proto, srcPort, dstPort, atSeconds, packets, bytes)
            .family(FlowDeltas.FAMILY_IPV6), 0x20010db8_00000000L, src, 0x20010db8_00000000L, dst);
        view.onEvent(FlowDeltaDecoder.TEMPLATE_ID, buffer, 0, Templates.FLOW_DELTA_LENGTH);
        return this;
    }

    private FlowDeltaEncoder encode(final int ifindex, final int direction, final int proto, final int srcPort,
        final int dstPort, final double atSeconds, final long packets, final long bytes)
    {
        final long lastNs = at(atSeconds);
        return MessageHeader.wrapAndApplyHeader(delta, buffer, 0).firstNs(lastNs - 500_000_000L).lastNs(lastNs)
            .packets(packets).bytes(bytes).ifindex(ifindex).srcPort(srcPort).dstPort(dstPort).proto((short)proto)
            .direction((short)direction).tcpFlags((short)tcpFlags).reason(FlowDeltas.REASON_INTERVAL);
    }
}
