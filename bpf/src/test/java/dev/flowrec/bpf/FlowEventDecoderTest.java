package dev.flowrec.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Golden bytes of struct fr_flow_event (flowrec.h): every byte written by hand, padding included. */
class FlowEventDecoderTest
{
    private static final String GOLDEN =
        // key.src[16]: ::ffff:10.213.1.1 (v4-mapped)
        "00000000" + "00000000" + "0000ffff" + "0ad50101" +
        // key.dst[16]: ::ffff:10.213.1.2
        "00000000" + "00000000" + "0000ffff" + "0ad50102" +
        // key.ifindex u32 LE = 5
        "05000000" +
        // key.sport u16 LE = 40000 (0x9c40), key.dport u16 LE = 443 (0x01bb)
        "409c" + "bb01" +
        // key.proto = 6 (tcp), key.family = 4, key.direction = 1 (egress), key.pad = 0
        "06" + "04" + "01" + "00" +
        // tcp_flags = 0x1b (FIN|SYN|PSH|ACK), reason = 3 (fin_rst), pad u16 = 0
        "1b" + "03" + "0000" +
        // packets u64 LE = 7
        "0700000000000000" +
        // bytes u64 LE = 0x0102030405 (4328719365)
        "0504030201000000" +
        // first_ns u64 LE = 0x1122334455667788
        "8877665544332211" +
        // last_ns u64 LE = 0x1122334455667799
        "9977665544332211";

    @Test
    void shouldDecodeEveryFieldOfGoldenBytes()
    {
        final byte[] bytes = HexFormat.of().parseHex(GOLDEN);
        assertEquals(FlowEventDecoder.LENGTH, bytes.length);
        // A non-zero offset proves every accessor is relative to the wrapped offset.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8 + bytes.length]);
        buffer.putBytes(8, bytes);
        final FlowEventDecoder event = new FlowEventDecoder();

        assertSame(event, event.wrap(buffer, 8));
        assertSame(buffer, event.buffer());
        assertEquals(8, event.offset());

        final byte[] addr = new byte[16];
        event.srcAddr(addr);
        assertArrayEquals(HexFormat.of().parseHex("00000000000000000000ffff0ad50101"), addr);
        event.dstAddr(addr);
        assertArrayEquals(HexFormat.of().parseHex("00000000000000000000ffff0ad50102"), addr);
        assertEquals(0x0AD50101, event.srcIpv4());
        assertEquals(0x0AD50102, event.dstIpv4());
        assertEquals(5, event.ifindex());
        assertEquals(40000, event.sport());
        assertEquals(443, event.dport());
        assertEquals(6, event.proto());
        assertEquals(4, event.family());
        assertEquals(FlowEventDecoder.DIRECTION_OUT, event.direction());
        assertEquals(0x1b, event.tcpFlags());
        assertEquals(Reasons.FIN_RST, event.reason());
        assertEquals(7, event.packets());
        assertEquals(0x0102030405L, event.bytes());
        assertEquals(0x1122334455667788L, event.firstNs());
        assertEquals(0x1122334455667799L, event.lastNs());
    }

    @Test
    void shouldPinOffsetsToTheCLayout()
    {
        assertEquals(0, FlowEventDecoder.SRC_OFFSET);
        assertEquals(16, FlowEventDecoder.DST_OFFSET);
        assertEquals(32, FlowEventDecoder.IFINDEX_OFFSET);
        assertEquals(36, FlowEventDecoder.SPORT_OFFSET);
        assertEquals(38, FlowEventDecoder.DPORT_OFFSET);
        assertEquals(40, FlowEventDecoder.PROTO_OFFSET);
        assertEquals(41, FlowEventDecoder.FAMILY_OFFSET);
        assertEquals(42, FlowEventDecoder.DIRECTION_OFFSET);
        assertEquals(44, FlowEventDecoder.TCP_FLAGS_OFFSET);
        assertEquals(45, FlowEventDecoder.REASON_OFFSET);
        assertEquals(48, FlowEventDecoder.PACKETS_OFFSET);
        assertEquals(56, FlowEventDecoder.BYTES_OFFSET);
        assertEquals(64, FlowEventDecoder.FIRST_NS_OFFSET);
        assertEquals(72, FlowEventDecoder.LAST_NS_OFFSET);
        assertEquals(80, FlowEventDecoder.LENGTH);
    }

    @Test
    void shouldReadHighBitsAsUnsigned()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FlowEventDecoder.LENGTH]);
        buffer.setMemory(0, FlowEventDecoder.LENGTH, (byte)0xFF);
        final FlowEventDecoder event = new FlowEventDecoder().wrap(buffer, 0);
        assertEquals(0xFFFF, event.sport());
        assertEquals(0xFFFF, event.dport());
        assertEquals(0xFF, event.proto());
        assertEquals(0xFF, event.tcpFlags());
        assertEquals(0xFF, event.reason());
    }

    @Test
    void shouldNameReasonsAndCounters()
    {
        assertEquals("first", Reasons.name(Reasons.FIRST));
        assertEquals("fin_rst", Reasons.name(Reasons.FIN_RST));
        assertEquals("overflow", Reasons.name(Reasons.OVERFLOW));
        assertEquals("reason_42", Reasons.name(42));
        assertEquals("packets_seen", KernelCounters.name(KernelCounters.PACKETS_SEEN));
        assertEquals("rb_lost_packets", KernelCounters.name(KernelCounters.RB_LOST_PACKETS));
        assertEquals("malformed", KernelCounters.name(KernelCounters.MALFORMED));
        assertEquals("too_deep", KernelCounters.name(KernelCounters.TOO_DEEP));
        assertEquals("owner_found", KernelCounters.name(KernelCounters.OWNER_FOUND));
        assertEquals("owner_none", KernelCounters.name(KernelCounters.OWNER_NONE));
        assertEquals("dns_lost", KernelCounters.name(KernelCounters.DNS_LOST));
        assertEquals("dns_unsolicited", KernelCounters.name(KernelCounters.DNS_UNSOLICITED));
        assertEquals(14, KernelCounters.COUNT);
    }
}
