package dev.flowrec.journal.schema;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FlowDeltaTest
{
    /** Every byte of a FlowDelta, padding included, at offsets from the event start. */
    private static final String GOLDEN = """
        52 46                    #  0 schemaId 0x4652
        04 00                    #  2 version 4 (1 before checksum trailers; the same block)
        01 00                    #  4 templateId 1
        50 00                    #  6 blockLength 80
        88 77 66 55 44 33 22 11  #  8 firstNs 0x1122334455667788
        99 77 66 55 44 33 22 11  # 16 lastNs  0x1122334455667799
        02 00 00 00 00 00 00 00  # 24 packets 2
        b8 0b 00 00 00 00 00 00  # 32 bytes 3000
        00 00 00 00 00 00 00 00  # 40 srcAddr ::ffff:10.0.0.1 (network order)
        00 00 ff ff 0a 00 00 01
        00 00 00 00 00 00 00 00  # 56 dstAddr ::ffff:192.0.2.2
        00 00 ff ff c0 00 02 02
        07 00 00 00              # 72 ifindex 7
        40 9c                    # 76 srcPort 40000
        bb 01                    # 78 dstPort 443
        06                       # 80 proto 6 (tcp)
        04                       # 81 family 4
        01                       # 82 direction 1 (out)
        12                       # 83 tcpFlags SYN|ACK
        03                       # 84 reason 3 (FIN/RST)
        00 00 00                 # 85 pad
        """;

    private final FlowDeltaEncoder encoder = new FlowDeltaEncoder();

    @Test
    void shouldEncodeGoldenBytes()
    {
        // Dirty buffer: the encoder must zero the padding itself.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        buffer.setMemory(0, 128, (byte)0xAA);
        encode(buffer, 16);

        assertEquals(88, Templates.FLOW_DELTA_LENGTH);
        assertEquals(Templates.FLOW_DELTA_LENGTH, MessageHeader.encodedLength(encoder));
        GoldenBytes.assertBytes(GoldenBytes.parse(GOLDEN), buffer, 16, Templates.FLOW_DELTA_LENGTH);
        assertEquals((byte)0xAA, buffer.getByte(15));
        assertEquals((byte)0xAA, buffer.getByte(16 + 88));
    }

    @Test
    void shouldDecodeGoldenBytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(GoldenBytes.parse(GOLDEN));
        assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(buffer, 0, buffer.capacity()));

        final FlowDeltaDecoder delta = MessageHeader.wrap(new FlowDeltaDecoder(), buffer, 0);
        assertEquals(FlowDeltaDecoder.TEMPLATE_ID, MessageHeader.templateId(buffer, 0));
        assertEquals(4, new MessageHeaderDecoder().wrap(buffer, 0).version());
        assertEquals(0x1122334455667788L, delta.firstNs());
        assertEquals(0x1122334455667799L, delta.lastNs());
        assertEquals(2, delta.packets());
        assertEquals(3000, delta.bytes());
        assertEquals(0L, FlowDeltas.srcAddrHigh(delta));
        assertEquals(0x0000_FFFF_0A00_0001L, FlowDeltas.srcAddrLow(delta));
        assertEquals(0x0000_FFFF_C000_0202L, FlowDeltas.dstAddrLow(delta));
        assertEquals(7, delta.ifindex());
        assertEquals(40000, delta.srcPort());
        assertEquals(443, delta.dstPort());
        assertEquals(6, delta.proto());
        assertEquals(FlowDeltas.FAMILY_IPV4, delta.family());
        assertEquals(FlowDeltas.DIRECTION_OUT, delta.direction());
        assertEquals(0x12, delta.tcpFlags());
        assertEquals(FlowDeltas.REASON_FIN_RST, delta.reason());
        assertEquals(Templates.FLOW_DELTA_LENGTH, MessageHeader.encodedLength(delta));
    }

    @Test
    void shouldCopyAddressesFromAndToBuffers()
    {
        final byte[] v6 = {0x20, 0x01, 0x0d, (byte)0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Templates.FLOW_DELTA_LENGTH));
        MessageHeader.wrapAndApplyHeader(encoder, buffer, 0).putSrcAddr(v6, 0, FlowDeltas.ADDRESS_LENGTH)
            .putDstAddr(new UnsafeBuffer(v6), 0, FlowDeltas.ADDRESS_LENGTH)
            .family(FlowDeltas.FAMILY_IPV6).srcPort(0xFFFF).tcpFlags((short)0xFF).packets(-1L);

        final byte[] out = new byte[16];
        final FlowDeltaDecoder delta = MessageHeader.wrap(new FlowDeltaDecoder(), buffer, 0);
        delta.getSrcAddr(out, 0, FlowDeltas.ADDRESS_LENGTH);
        assertArrayEquals(v6, out);
        final UnsafeBuffer outBuffer = new UnsafeBuffer(new byte[16]);
        delta.getDstAddr(outBuffer, 0, FlowDeltas.ADDRESS_LENGTH);
        assertArrayEquals(v6, outBuffer.byteArray());
        assertEquals(0x20010db800000000L, FlowDeltas.srcAddrHigh(delta));
        assertEquals(2L, FlowDeltas.dstAddrLow(delta));
        assertEquals(0xFFFF, delta.srcPort());
        assertEquals(0xFF, delta.tcpFlags());
        assertEquals(-1L, delta.packets(), "u64 read back as the same bits");
    }

    private void encode(final UnsafeBuffer buffer, final int offset)
    {
        MessageHeader.wrapAndApplyHeader(encoder, buffer, offset)
            .firstNs(0x1122334455667788L)
            .lastNs(0x1122334455667799L)
            .packets(2)
            .bytes(3000);
        FlowDeltas.addressesV4(encoder, 0x0A000001, 0xC0000202)
            .ifindex(7)
            .srcPort(40000)
            .dstPort(443)
            .proto((short)6)
            .family(FlowDeltas.FAMILY_IPV4)
            .direction(FlowDeltas.DIRECTION_OUT)
            .tcpFlags((short)0x12)
            .reason(FlowDeltas.REASON_FIN_RST);
    }
}
