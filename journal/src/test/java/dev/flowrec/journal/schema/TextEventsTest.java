package dev.flowrec.journal.schema;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Golden bytes and decoding of the templates other than FlowDelta. */
class TextEventsTest
{
    private static final long TIME_NS = 0x0102030405060708L;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);

    @Test
    void shouldEncodeRecorderStartedGoldenBytes()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0xAA);
        final RecorderStartedEncoder started = new RecorderStartedEncoder();
        final int length = Templates.encodedLength(RecorderStartedEncoder.BLOCK_LENGTH, "h1", "6.18", "0.1", "rec é");
        MessageHeader.wrapAndApplyHeader(started, buffer, 0).timeNs(TIME_NS).bootToRealtimeOffsetNs(-2)
            .flushIntervalNs(1_000_000_000L)
            .pid(4242).maxFlows(65536).mode(Mode.PACKET)
            .host("h1").kernel("6.18").flowrecVersion("0.1").config("rec é");

        final byte[] golden = GoldenBytes.parse("""
            52 46 04 00 02 00 28 00   #  0 header: schema 0x4652, version 4, template 2, block 40
            08 07 06 05 04 03 02 01   #  8 timeNs
            fe ff ff ff ff ff ff ff   # 16 bootToRealtimeOffsetNs -2
            00 ca 9a 3b 00 00 00 00   # 24 flushIntervalNs 1e9
            92 10 00 00               # 32 pid 4242
            00 00 01 00               # 36 maxFlows 65536
            01                        # 40 mode packet
            00 00 00 00 00 00 00      # 41 pad
            02 00 68 31               # 48 host "h1"
            04 00 36 2e 31 38         # 52 kernel "6.18"
            03 00 30 2e 31            # 58 version "0.1"
            06 00 72 65 63 20 c3 a9   # 63 config "rec é" (UTF-8)
            """);
        assertEquals(71, length);
        assertEquals(length, MessageHeader.encodedLength(started));
        GoldenBytes.assertBytes(golden, buffer, 0, length);

        final RecorderStartedDecoder decoded =
            MessageHeader.wrap(new RecorderStartedDecoder(), new UnsafeBuffer(golden), 0);
        assertEquals(TIME_NS, decoded.timeNs());
        assertEquals(-2, decoded.bootToRealtimeOffsetNs());
        assertEquals(1_000_000_000L, decoded.flushIntervalNs());
        assertEquals(4242, decoded.pid());
        assertEquals(65536, decoded.maxFlows());
        assertEquals(Mode.PACKET, decoded.mode());
        assertEquals("h1", decoded.host()); // strings in declared order: each follows the one before
        assertEquals("6.18", decoded.kernel());
        assertEquals("0.1", decoded.flowrecVersion());
        assertEquals("rec é", decoded.config());
        assertEquals(length, MessageHeader.encodedLength(decoded));
    }

    @Test
    void shouldEncodeInterfaceAttachedGoldenBytes()
    {
        final InterfaceAttachedEncoder attached = new InterfaceAttachedEncoder();
        MessageHeader.wrapAndApplyHeader(attached, buffer, 0).timeNs(TIME_NS).netnsIno(0xF0000000L).ifindex(12)
            .ifname("veth1").container("");
        final byte[] golden = GoldenBytes.parse("""
            52 46 04 00 03 00 18 00   #  0 header: template 3, block 24
            08 07 06 05 04 03 02 01   #  8 timeNs
            00 00 00 f0 00 00 00 00   # 16 netnsIno 4026531840
            0c 00 00 00               # 24 ifindex 12
            00 00 00 00               # 28 pad
            05 00 76 65 74 68 31      # 32 ifname "veth1"
            00 00                     # 39 container ""
            """);
        assertEquals(41, Templates.encodedLength(InterfaceAttachedEncoder.BLOCK_LENGTH, "veth1", ""));
        GoldenBytes.assertBytes(golden, buffer, 0, MessageHeader.encodedLength(attached));

        final InterfaceAttachedDecoder decoded = 
            MessageHeader.wrap(new InterfaceAttachedDecoder(), new UnsafeBuffer(golden), 0);
        assertEquals(TIME_NS, decoded.timeNs());
        assertEquals(0xF0000000L, decoded.netnsIno());
        assertEquals(12, decoded.ifindex());
        assertEquals("veth1", decoded.ifname());
        assertEquals("", decoded.container());
    }

    @Test
    void shouldEncodeDnsAnswerGoldenBytesAtVersion6()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0xAA);
        final DnsAnswerEncoder answer = MessageHeader.wrapAndApplyHeader(new DnsAnswerEncoder(), buffer, 0)
            .timeNs(TIME_NS).ifindex(7).serverPort(53).clientPort(40000).proto((short)17).family((short)4)
            .direction((short)0).flags((short)1).rcode((short)0).netnsCookie(0x1001);
        buffer.putBytes(MessageHeader.ENCODED_LENGTH + DnsAnswerEncoder.serverAddrEncodingOffset(),
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 53});
        buffer.putBytes(MessageHeader.ENCODED_LENGTH + DnsAnswerEncoder.clientAddrEncodingOffset(),
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 2});
        answer.queryName("a.io").finalName("b.io");
        answer.putAddresses(new byte[] {60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte)192, 0, 2, 1}, 0, 20);

        final byte[] golden = GoldenBytes.parse("""
            52 46 06 00 0b 00 40 00   #  0 header: schema 0x4652, version 6, template 11, block 64
            08 07 06 05 04 03 02 01   #  8 timeNs
            00 00 00 00 00 00 00 00   # 16 serverAddr ::ffff:10.0.0.53
            00 00 ff ff 0a 00 00 35
            00 00 00 00 00 00 00 00   # 32 clientAddr ::ffff:10.0.0.2
            00 00 ff ff 0a 00 00 02
            07 00 00 00               # 48 ifindex 7
            35 00                     # 52 serverPort 53
            40 9c                     # 54 clientPort 40000
            11                        # 56 proto udp
            04                        # 57 family 4
            00                        # 58 direction in
            01                        # 59 flags: TC set by the server
            00                        # 60 rcode NOERROR
            00 00 00                  # 61 pad
            01 10 00 00 00 00 00 00   # 64 netnsCookie 0x1001
            04 00 61 2e 69 6f         # 72 queryName "a.io"
            04 00 62 2e 69 6f         # 78 finalName "b.io"
            14 00                     # 84 addresses: 20 bytes, one address
            3c 00 00 00               # 86 ttl 60
            00 00 00 00 00 00 00 00   # 90 ::ffff:192.0.2.1
            00 00 ff ff c0 00 02 01
            """);
        final int length = 106;
        assertEquals(length, MessageHeader.encodedLength(answer));
        GoldenBytes.assertBytes(golden, buffer, 0, length);
        assertEquals(6, Templates.version(DnsAnswerEncoder.TEMPLATE_ID), "a reader of version 5 skips DNS answers alone");
        assertEquals(6, Templates.version(DnsCountersEncoder.TEMPLATE_ID));
        assertEquals(5, Templates.version(SocketOwnerEncoder.TEMPLATE_ID));

        final UnsafeBuffer read = new UnsafeBuffer(golden);
        assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(read, 0, golden.length));
        final DnsAnswerDecoder decoded = MessageHeader.wrap(new DnsAnswerDecoder(), read, 0);
        assertEquals(TIME_NS, decoded.timeNs());
        assertEquals(7, decoded.ifindex());
        assertEquals(40000, decoded.clientPort());
        assertEquals(0x1001, decoded.netnsCookie());
        assertEquals("a.io", decoded.queryName());
        assertEquals("b.io", decoded.finalName());
        assertEquals(20, decoded.addressesLength());
    }

    @Test
    void shouldEncodeSocketOwnerGoldenBytesAtVersion5()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0xAA);
        final SocketOwnerEncoder owner = MessageHeader.wrapAndApplyHeader(new SocketOwnerEncoder(), buffer, 0)
            .timeNs(TIME_NS).ifindex(12).srcPort(40000).dstPort(443).proto((short)6).family((short)4)
            .direction((short)1).side((short)0).pid(4242).tid(4243).cgroupId(0x1234).netnsIno(0xF0000000L);
        buffer.putBytes(MessageHeader.ENCODED_LENGTH + SocketOwnerEncoder.srcAddrEncodingOffset(),
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 1});
        buffer.putBytes(MessageHeader.ENCODED_LENGTH + SocketOwnerEncoder.dstAddrEncodingOffset(),
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte)192, 0, 2, 80});
        owner.comm("nginx");

        final byte[] golden = GoldenBytes.parse("""
            52 46 05 00 0a 00 50 00   #  0 header: schema 0x4652, version 5, template 10, block 80
            08 07 06 05 04 03 02 01   #  8 timeNs
            00 00 00 00 00 00 00 00   # 16 srcAddr ::ffff:10.0.0.1
            00 00 ff ff 0a 00 00 01
            00 00 00 00 00 00 00 00   # 32 dstAddr ::ffff:192.0.2.80
            00 00 ff ff c0 00 02 50
            0c 00 00 00               # 48 ifindex 12
            40 9c                     # 52 srcPort 40000
            bb 01                     # 54 dstPort 443
            06                        # 56 proto tcp
            04                        # 57 family 4
            01                        # 58 direction out
            00                        # 59 side SENDER
            92 10 00 00               # 60 pid 4242
            93 10 00 00               # 64 tid 4243
            00 00 00 00               # 68 pad
            34 12 00 00 00 00 00 00   # 72 cgroupId 0x1234
            00 00 00 f0 00 00 00 00   # 80 netnsIno 4026531840
            05 00 6e 67 69 6e 78      # 88 comm "nginx"
            """);
        final int length = Templates.encodedLength(SocketOwnerEncoder.BLOCK_LENGTH, "nginx");
        assertEquals(95, length);
        assertEquals(length, MessageHeader.encodedLength(owner));
        GoldenBytes.assertBytes(golden, buffer, 0, length);
        assertEquals(5, Templates.version(SocketOwnerEncoder.TEMPLATE_ID), "a reader of version 4 skips owners alone");
        assertEquals(4, Templates.version(FlowDeltaEncoder.TEMPLATE_ID));

        final UnsafeBuffer read = new UnsafeBuffer(golden);
        assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(read, 0, golden.length));
        final SocketOwnerDecoder decoded = MessageHeader.wrap(new SocketOwnerDecoder(), read, 0);
        assertEquals(TIME_NS, decoded.timeNs());
        assertEquals(12, decoded.ifindex());
        assertEquals(40000, decoded.srcPort());
        assertEquals(443, decoded.dstPort());
        assertEquals(6, decoded.proto());
        assertEquals(4, decoded.family());
        assertEquals(1, decoded.direction());
        assertEquals(0, decoded.side());
        assertEquals(4242, decoded.pid());
        assertEquals(4243, decoded.tid());
        assertEquals(0x1234, decoded.cgroupId());
        assertEquals(0xF0000000L, decoded.netnsIno());
        assertEquals("nginx", decoded.comm());
        assertEquals(length, MessageHeader.encodedLength(decoded));
    }

    @Test
    void shouldEncodeInterfaceDetachedGoldenBytes()
    {
        final InterfaceDetachedEncoder detached = new InterfaceDetachedEncoder();
        MessageHeader.wrapAndApplyHeader(detached, buffer, 0).timeNs(TIME_NS).netnsIno(0).ifindex(-1)
            .ifname("eth0").reason("vanished");
        final byte[] golden = GoldenBytes.parse("""
            52 46 04 00 04 00 18 00   #  0 header: template 4, block 24
            08 07 06 05 04 03 02 01   #  8 timeNs
            00 00 00 00 00 00 00 00   # 16 netnsIno 0 (the recorder's own)
            ff ff ff ff               # 24 ifindex -1
            00 00 00 00               # 28 pad
            04 00 65 74 68 30         # 32 ifname "eth0"
            08 00 76 61 6e 69 73 68 65 64   # 38 reason "vanished"
            """);
        assertEquals(48, Templates.encodedLength(InterfaceDetachedEncoder.BLOCK_LENGTH, "eth0", "vanished"));
        GoldenBytes.assertBytes(golden, buffer, 0, MessageHeader.encodedLength(detached));

        final InterfaceDetachedDecoder decoded = 
            MessageHeader.wrap(new InterfaceDetachedDecoder(), new UnsafeBuffer(golden), 0);
        assertEquals(-1, decoded.ifindex());
        assertEquals("eth0", decoded.ifname());
        assertEquals("vanished", decoded.reason());
    }

    @Test
    void shouldEncodeLossReportGoldenBytes()
    {
        final LossReportEncoder report = new LossReportEncoder();
        MessageHeader.wrapAndApplyHeader(report, buffer, 0).timeNs(TIME_NS).packetsSeen(1).bytesSeen(2)
            .ringLostEvents(3)
            .ringLostPackets(4).ringLostBytes(5).ringDeferred(6).mapFull(7).nonIp(8).malformed(9)
            .journalLostEvents(0x0A0B).tooDeep(0x0C);
        final byte[] golden = GoldenBytes.parse("""
            52 46 04 00 05 00 60 00   #  0 header: template 5, block 96
            08 07 06 05 04 03 02 01   #  8 timeNs
            01 00 00 00 00 00 00 00   # 16 packetsSeen
            02 00 00 00 00 00 00 00   # 24 bytesSeen
            03 00 00 00 00 00 00 00   # 32 ringLostEvents
            04 00 00 00 00 00 00 00   # 40 ringLostPackets
            05 00 00 00 00 00 00 00   # 48 ringLostBytes
            06 00 00 00 00 00 00 00   # 56 ringDeferred
            07 00 00 00 00 00 00 00   # 64 mapFull
            08 00 00 00 00 00 00 00   # 72 nonIp
            09 00 00 00 00 00 00 00   # 80 malformed
            0b 0a 00 00 00 00 00 00   # 88 journalLostEvents
            0c 00 00 00 00 00 00 00   # 96 tooDeep
            """);
        GoldenBytes.assertBytes(golden, buffer, 0, MessageHeader.encodedLength(report));
        assertEquals(Templates.LOSS_REPORT_LENGTH, MessageHeader.encodedLength(report));

        final LossReportDecoder decoded = 
            MessageHeader.wrap(new LossReportDecoder(), new UnsafeBuffer(golden), 0);
        assertEquals(TIME_NS, decoded.timeNs());
        assertEquals(1, decoded.packetsSeen());
        assertEquals(2, decoded.bytesSeen());
        assertEquals(3, decoded.ringLostEvents());
        assertEquals(4, decoded.ringLostPackets());
        assertEquals(5, decoded.ringLostBytes());
        assertEquals(6, decoded.ringDeferred());
        assertEquals(7, decoded.mapFull());
        assertEquals(8, decoded.nonIp());
        assertEquals(9, decoded.malformed());
        assertEquals(0x0A0B, decoded.journalLostEvents());
        assertEquals(0x0C, decoded.tooDeep());
        // A report written before tooDeep existed (block 88) reads it as 0, not as the bytes that follow it.
        final byte[] older = java.util.Arrays.copyOf(golden, golden.length);
        older[6] = 88;
        assertEquals(0, Templates.tooDeep(MessageHeader.wrap(new LossReportDecoder(), new UnsafeBuffer(older), 0)));
    }

    @Test
    void shouldEncodeRecorderStoppedGoldenBytes()
    {
        final RecorderStoppedEncoder stopped = new RecorderStoppedEncoder();
        MessageHeader.wrapAndApplyHeader(stopped, buffer, 0).timeNs(TIME_NS).events(1000).reason("stopped");
        final byte[] golden = GoldenBytes.parse("""
            52 46 04 00 06 00 10 00   #  0 header: template 6, block 16
            08 07 06 05 04 03 02 01   #  8 timeNs
            e8 03 00 00 00 00 00 00   # 16 events 1000
            07 00 73 74 6f 70 70 65 64   # 24 reason "stopped"
            """);
        assertEquals(33, Templates.encodedLength(RecorderStoppedEncoder.BLOCK_LENGTH, "stopped"));
        GoldenBytes.assertBytes(golden, buffer, 0, MessageHeader.encodedLength(stopped));

        final RecorderStoppedDecoder decoded = 
            MessageHeader.wrap(new RecorderStoppedDecoder(), new UnsafeBuffer(golden), 0);
        assertEquals(1000, decoded.events());
        assertEquals("stopped", decoded.reason());
    }

    @Test
    void shouldRefuseStringsOutOfOrder()
    {
        // SBE's precedence checks, on while Agrona's bounds checks are (the default), refuse it.
        final InterfaceAttachedEncoder attached =
            MessageHeader.wrapAndApplyHeader(new InterfaceAttachedEncoder(), buffer, 0);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> attached.container("c"));
        assertTrue(ex.getMessage().startsWith("Illegal field access order. Cannot access field \"container\""),
            ex.getMessage());
        assertThrows(IllegalStateException.class, attached::checkEncodingIsComplete);
    }

    @Test
    void shouldEncodeUtf8LikeStringGetBytesAndCutLongStrings()
    {
        final String text = "a\u00e9\u20ac\uD83D\uDE00\uD800z"; // 1, 2, 3, 4-byte chars, lone surrogate
        final RecorderStoppedEncoder stopped = new RecorderStoppedEncoder();
        MessageHeader.wrapAndApplyHeader(stopped, buffer, 0).reason(Utf8.cut(text));
        final byte[] expected = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(expected.length, Templates.encodedLength(RecorderStoppedEncoder.BLOCK_LENGTH, text) - 24 - 2);
        assertEquals(new String(expected, java.nio.charset.StandardCharsets.UTF_8),
            MessageHeader.wrap(new RecorderStoppedDecoder(), buffer, 0).reason());

        final String longText = "x".repeat(65534) + "\u00e9"; // the 2-byte char does not fit in 65535
        final UnsafeBuffer big = new UnsafeBuffer(new byte[70_000]);
        assertEquals(24 + 2 + 65534, Templates.encodedLength(RecorderStoppedEncoder.BLOCK_LENGTH, longText));
        MessageHeader.wrapAndApplyHeader(stopped, big, 0).reason(Utf8.cut(longText));
        assertEquals("x".repeat(65534), MessageHeader.wrap(new RecorderStoppedDecoder(), big, 0).reason());
    }

    @Test
    void shouldEncodeContainerSeenGoldenBytes()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0xAA);
        final ContainerSeenEncoder seen = new ContainerSeenEncoder();
        final int length =
            Templates.encodedLength(ContainerSeenEncoder.BLOCK_LENGTH, "ab12", "ab", "docker", "/d", "ns1", "v1");
        MessageHeader.wrapAndApplyHeader(seen, buffer, 0).timeNs(TIME_NS).netnsIno(4026532001L).ifindex(7)
            .id("ab12").shortId("ab").runtime("docker").cgroupPath("/d").netnsName("ns1").ifname("v1");

        final byte[] golden = GoldenBytes.parse("""
            52 46 04 00 07 00 18 00   #  0 header: schema 0x4652, version 4, template 7, block 24
            08 07 06 05 04 03 02 01   #  8 timeNs
            a1 00 00 f0 00 00 00 00   # 16 netnsIno 4026532001
            07 00 00 00               # 24 ifindex 7
            00 00 00 00               # 28 pad
            04 00 61 62 31 32         # 32 id "ab12"
            02 00 61 62               # 38 shortId "ab"
            06 00 64 6f 63 6b 65 72   # 42 runtime "docker"
            02 00 2f 64               # 50 cgroupPath "/d"
            03 00 6e 73 31            # 54 netnsName "ns1"
            02 00 76 31               # 59 ifname "v1"
            """);
        assertEquals(63, length);
        GoldenBytes.assertBytes(golden, buffer, 0, length);

        final ContainerSeenDecoder decoded = 
            MessageHeader.wrap(new ContainerSeenDecoder(), new UnsafeBuffer(golden), 0);
        assertEquals(TIME_NS, decoded.timeNs());
        assertEquals(4026532001L, decoded.netnsIno());
        assertEquals(7, decoded.ifindex());
        assertEquals("ab12", decoded.id());
        assertEquals("ab", decoded.shortId());
        assertEquals("docker", decoded.runtime());
        assertEquals("/d", decoded.cgroupPath());
        assertEquals("ns1", decoded.netnsName());
        assertEquals("v1", decoded.ifname());
        assertEquals("ContainerSeen", Templates.name(ContainerSeenDecoder.TEMPLATE_ID));
    }
}
