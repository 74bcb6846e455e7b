package dev.flowrec.ipfix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Every byte of an IPFIX message of one IPv4 record, and the template set that describes it. */
class MessageEncoderTest
{
    private static final byte[] V4_MAPPED_SRC = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xFF, (byte)0xFF, 10, 0, 0, 1};
    private static final byte[] V4_MAPPED_DST = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)0xFF, (byte)0xFF, (byte)192, (byte)168, 0, 2};

    private static FlowDeltaDecoder delta(final int direction)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), buffer, 0)
            .firstNs(1_700_000_000_123_456_789L).lastNs(1_700_000_001_999_999_999L).packets(3).bytes(180)
            .putSrcAddr(V4_MAPPED_SRC, 0, 16).putDstAddr(V4_MAPPED_DST, 0, 16).ifindex(7).srcPort(40001).dstPort(443)
            .proto((short)6).family((short)4).direction((short)direction).tcpFlags((short)0x12).reason((short)0);
        return MessageHeader.wrap(new FlowDeltaDecoder(), buffer, 0);
    }

    @Test
    void shouldEncodeAnIpv4RecordByte()
    {
        final MessageEncoder encoder = new MessageEncoder();
        assertTrue(encoder.add(delta(1), "eth0", "", 4242, "curl", 0));
        final int length = encoder.finish(1_700_000_005L, 77, 0x01020304);
        final String expected =
            "000a" + "0059" + "6553f105" + "0000004d" + "01020304" + // version 10, length 89, export time, sequence 77, domain
            "0101" + "0049" +                                          // data set of template 257 (IPv4, out), 73 bytes
            "0a000001" + "c0a80002" +                                  // sourceIPv4Address, destinationIPv4Address
            "9c41" + "01bb" + "06" + "0012" + "0000" +                 // ports 40001 443, TCP, flags SYN|ACK, no ICMP type
            "0000000000000003" + "00000000000000b4" +                  // packetDeltaCount 3, octetDeltaCount 180
            "0000018bcfe5687b" + "0000018bcfe56fcf" +                  // flowStart/EndMilliseconds (ns cut to ms)
            "00000007" + "01" +                                        // egressInterface 7, flowDirection egress
            "04657468" + "30" + "00" +                                 // interfaceName "eth0", containerId ""
            "00001092" + "0463" + "75726c";                            // processId 4242, processCommand "curl"
        assertEquals(expected, HexFormat.of().formatHex(encoder.buffer().byteArray(), 0, length));
    }

    @Test
    void shouldDescribeEveryFieldInTheTemplateSet()
    {
        final MessageEncoder encoder = new MessageEncoder();
        encoder.templates();
        final int length = encoder.finish(0, 0, 0);
        final UnsafeBuffer b = encoder.buffer();
        assertEquals(2, b.getShort(16, java.nio.ByteOrder.BIG_ENDIAN), "template set id");
        assertEquals(length - 16, b.getShort(18, java.nio.ByteOrder.BIG_ENDIAN), "one set, the whole message");
        int at = 20;
        for (final RecordTemplate t : RecordTemplate.values())
        {
            assertEquals(t.id, b.getShort(at, java.nio.ByteOrder.BIG_ENDIAN));
            assertEquals(17, b.getShort(at + 2, java.nio.ByteOrder.BIG_ENDIAN), "fields of template " + t.id);
            at += t.templateRecordLength();
        }
        assertEquals(length, at);
        // the enterprise-specific containerId: id with the enterprise bit, variable length, PEN 32473
        final int container = 20 + 4 + 14 * 4;
        assertEquals("8001ffff00007ed9", HexFormat.of().formatHex(b.byteArray(), container, container + 8));
    }

    @Test
    void shouldRefuseARecordThatDoesNotFitAndLeaveTheMessageAsItWas()
    {
        final MessageEncoder encoder = new MessageEncoder();
        int records = 0;
        while (encoder.add(delta(records % 2), "veth" + records, "c".repeat(300), 1, "x", 0))
        {
            records++;
        }
        final int before = encoder.length();
        assertFalse(encoder.add(delta(records % 2), "veth" + records, "c".repeat(300), 1, "x", 0));
        assertEquals(before, encoder.length());
        assertTrue(encoder.finish(0, 0, 0) <= MessageEncoder.MAX_MESSAGE_LENGTH);
        assertEquals(records, encoder.records());
    }

    @Test
    void shouldCutLongStringsAtACharacterBoundary()
    {
        final byte[] cut = MessageEncoder.cut("é".repeat(200).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(254, cut.length);
        assertArrayEquals("é".repeat(127).getBytes(java.nio.charset.StandardCharsets.UTF_8), cut);
    }
}
