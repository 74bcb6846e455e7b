package dev.flowrec.journal.schema;

import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowDeltaBatchTest
{
    private static final long BASE_NS = 0x1122334455667799L;
    private static final long V6_LAST_NS = BASE_NS - 1_000_000_000L;
    private static final long V6_SPAN_NS = 0x1_0000_0005L; // beyond 32 bits: the span's high part is used

    /** Every byte of a version 2 batch (no ring position) of an IPv4 and an IPv6 delta: still read. */
    private static final String GOLDEN = """
        52 46                    #   0 schemaId 0x4652
        02 00                    #   2 version 2 (FlowDeltaBatch came with it)
        08 00                    #   4 templateId 8
        14 00                    #   6 blockLength 20
        88 77 66 55 44 33 22 11  #   8 timeNs: the largest firstNs, the IPv4 delta's
        99 77 66 55 44 33 22 11  #  16 baseNs: the first delta's lastNs
        02 00 00 00              #  24 count 2
                                 #  28 entry 1, IPv4, 36 bytes
        93                       #     shape: direction out (0x80) | kind IPv4 (0x10) | reason FIN/RST (3)
        07 00 00                 #     ifindex 7 (u24)
        06                       #     proto tcp
        12                       #     tcpFlags SYN|ACK
        40 9c                    #     srcPort 40000
        bb 01                    #     dstPort 443
        b8 0b 00 00 00 02 00 00  #     packets 2 << 40 | bytes 3000
        00 00 00 00 00 11 00 00  #     span 17 (low 24 bits, top) | lastOffset 0 (40 bits)
        00 00                    #     span bits 24..39: 0
        0a 00 00 01              #     srcAddr 10.0.0.1
        c0 00 02 02              #     dstAddr 192.0.2.2
                                 #  64 entry 2, IPv6, 60 bytes
        24                       #     shape: direction in | kind IPv6 (0x20) | reason idle (4)
        ef cd ab                 #     ifindex 0xabcdef
        11                       #     proto udp
        00                       #     tcpFlags
        35 00                    #     srcPort 53
        e9 14                    #     dstPort 5353
        ff ff ff ff ff ff ff ff  #     packets 2^24-1, bytes 2^40-1: the widest counts
        00 36 65 c4 ff 05 00 00  #     span low 24 bits 5 | lastOffset -1 s (0xffc4653600)
        00 01                    #     span bits 24..39: 0x100 (span 0x1_0000_0005 ns)
        20 01 0d b8 00 00 00 00  #     srcAddr 2001:db8::1
        00 00 00 00 00 00 00 01
        20 01 0d b8 00 00 00 00  #     dstAddr 2001:db8::2
        00 00 00 00 00 00 00 02
        """;

    /** Every byte of a version 3 batch (ringPosition), the same two deltas and a wide one: still read. */
    private static final String GOLDEN_V3 = """
        52 46                    #   0 schemaId 0x4652
        03 00                    #   2 version 3 (ringPosition)
        08 00                    #   4 templateId 8
        1c 00                    #   6 blockLength 28
        88 77 66 55 44 33 22 11  #   8 timeNs: the largest firstNs, the IPv4 delta's
        99 77 66 55 44 33 22 11  #  16 baseNs: the first compact delta's lastNs
        03 00 00 00              #  24 count 3
        10 32 54 76 98 ba dc 0e  #  28 ringPosition 0x0edcba9876543210
                                 #  36 entry 1, IPv4, 36 bytes
        93 07 00 00 06 12 40 9c bb 01
        b8 0b 00 00 00 02 00 00
        00 00 00 00 00 11 00 00
        00 00 0a 00 00 01 c0 00 02 02
                                 #  72 entry 2, IPv6, 60 bytes
        24 ef cd ab 11 00 35 00 e9 14
        ff ff ff ff ff ff ff ff
        00 36 65 c4 ff 05 00 00
        00 01
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
                                 # 132 entry 3, wide, 84 bytes: a cgroup's pseudo-ifindex needs 31 bits
        30 00 00 00              #     shape: kind wide (0x30), nothing else
        00 00 00 00 00 00 00 00  #     the FlowDelta block as it was: firstNs 0
        01 00 00 00 00 00 00 00  #     lastNs 1
        01 00 00 00 00 00 00 00  #     packets 1
        2a 00 00 00 00 00 00 00  #     bytes 42
        00 00 00 00 00 00 00 00 00 00 ff ff 0a 00 00 01  # srcAddr ::ffff:10.0.0.1
        00 00 00 00 00 00 00 00 00 00 ff ff 0a 00 00 02  # dstAddr ::ffff:10.0.0.2
        05 00 00 40              #     ifindex 0x40000005
        35 00 35 00              #     srcPort 53, dstPort 53
        11 04 01 00              #     proto udp, family 4, direction out, tcpFlags 0
        04 00 00 00              #     reason idle, 3 bytes of padding
        """;

    /**
     * A batch as written now: version 3's bytes at version 4, which changes no layout but says that a checksum
     * trailer follows the event in its journal document (outside the event: DocumentChecksum).
     */
    private static final String GOLDEN_V4 = GOLDEN_V3.replace(
        "03 00                    #   2 version 3 (ringPosition)",
        "04 00                    #   2 version 4 (a checksum trailer follows in the journal)");

    private final FlowDeltaBatch batch = new FlowDeltaBatch();
    private final FlowDeltaEncoder delta = new FlowDeltaEncoder();
    private final UnsafeBuffer deltaBuffer = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
    private final FlowDeltaDecoder decoder = new FlowDeltaDecoder();

    @Test
    void shouldEncodeGoldenBytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        buffer.setMemory(0, 512, (byte)0xAA);
        batch.wrapAndApplyHeader(buffer, 16, 256).ringPosition(0x0EDCBA9876543210L);
        assertTrue(batch.tryAppend(decoded(v4())));
        assertTrue(batch.tryAppend(decoded(v6())));
        assertFalse(FlowDeltaBatch.packable(decoded(wide())));
        assertTrue(batch.tryAppend(decoded(wide())));

        assertEquals(3, batch.count());
        assertEquals(216, batch.encodedLength());
        GoldenBytes.assertBytes(GoldenBytes.parse(GOLDEN_V4), buffer, 16, batch.encodedLength());
        assertEquals((byte)0xAA, buffer.getByte(15));
        assertEquals((byte)0xAA, buffer.getByte(16 + 216));
    }

    @Test
    void shouldExpandVersion3GoldenBytesWithItsRingPositionAndWideEntry()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(GoldenBytes.parse(GOLDEN_V3));
        assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(buffer, 0, buffer.capacity()));
        batch.wrap(buffer, 0, buffer.capacity());
        assertEquals(FlowDeltaBatch.VALID, batch.verify());
        assertEquals(0x0EDCBA9876543210L, batch.ringPosition());

        final UnsafeBuffer out = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        int at = batch.expand(batch.firstEntry(), out, 0, new FlowDeltaEncoder());
        assertArrayEquals(bytesOf(v4()), out.byteArray(), "IPv4 entry");
        at = batch.expand(at, out, 0, new FlowDeltaEncoder());
        assertArrayEquals(bytesOf(v6()), out.byteArray(), "IPv6 entry");
        at = batch.expand(at, out, 0, new FlowDeltaEncoder());
        assertArrayEquals(bytesOf(wide()), out.byteArray(), "wide entry");
        assertEquals(batch.end(), at);
    }

    @Test
    void shouldRoundTripWhatNoCompactEntryCarriesByteForByte()
    {
        final SplittableRandom random = new SplittableRandom(13);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        final byte[][] expected = new byte[500][];
        batch.wrapAndApplyHeader(buffer, 0, buffer.capacity());
        for (int i = 0; i < expected.length; i++)
        {
            final FlowDeltaEncoder d = random(random, BASE_NS);
            switch (i % 4)
            {
                case 0 -> d.ifindex(0x4000_0000 | random.nextInt(1 << 20)); // a cgroup's pseudo-ifindex
                case 1 -> d.packets(random.nextLong() | 1L << 63); // beyond any compact width
                case 2 -> d.firstNs(decoded(d).lastNs() - (1L << 41)); // a span of 36 minutes
                default -> d.direction((short)7); // a direction no compact entry knows
            }
            assertFalse(FlowDeltaBatch.packable(decoded(d)));
            expected[i] = bytesOf(d);
            assertTrue(batch.tryAppend(decoded(d)));
        }
        batch.wrap(buffer, 0, batch.encodedLength());
        assertEquals(FlowDeltaBatch.VALID, batch.verify());
        int at = batch.firstEntry();
        for (final byte[] e : expected)
        {
            at = batch.expand(at, out, 0, new FlowDeltaEncoder());
            assertArrayEquals(e, out.byteArray());
        }
        assertEquals(batch.end(), at);
    }

    @Test
    void shouldExpandGoldenBytesToTheFlowDeltasItWasPackedFrom()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(GoldenBytes.parse(GOLDEN));
        assertEquals(MessageHeader.SUPPORTED, MessageHeader.check(buffer, 0, buffer.capacity()), "version 2 still reads");
        batch.wrap(buffer, 0, buffer.capacity());
        assertEquals(FlowDeltaBatch.VALID, batch.verify());
        assertEquals(FlowDeltaBatch.NO_RING_POSITION, batch.ringPosition());
        assertEquals(0x1122334455667788L, batch.timeNs());
        assertEquals(BASE_NS, batch.baseNs());

        final UnsafeBuffer out = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        int at = batch.expand(batch.firstEntry(), out, 0, new FlowDeltaEncoder());
        assertArrayEquals(bytesOf(v4()), out.byteArray(), "IPv4 entry");
        at = batch.expand(at, out, 0, new FlowDeltaEncoder());
        assertArrayEquals(bytesOf(v6()), out.byteArray(), "IPv6 entry");
        assertEquals(batch.end(), at);
    }

    @Test
    void shouldRoundTripRandomDeltasByteForByte()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128 * 1024]);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
        final byte[][] expected = new byte[2000][];
        final long base = random.nextLong(Long.MAX_VALUE / 2);
        batch.wrapAndApplyHeader(buffer, 0, buffer.capacity());
        long maxFirstNs = Long.MIN_VALUE;
        for (int i = 0; i < expected.length; i++)
        {
            final FlowDeltaEncoder d = random(random, base);
            if (i == 0)
            {
                final long spanNs = decoded(d).lastNs() - decoded(d).firstNs();
                d.firstNs(base - spanNs).lastNs(base); // the batch's base: the others within 2^39 of it
            }
            assertTrue(FlowDeltaBatch.packable(decoded(d)), "packable: " + i);
            assertTrue(batch.tryAppend(decoded(d)), "appended: " + i);
            expected[i] = bytesOf(d);
            maxFirstNs = Math.max(maxFirstNs, decoded(d).firstNs());
        }
        final int length = batch.encodedLength();

        batch.wrap(buffer, 0, length);
        assertEquals(FlowDeltaBatch.VALID, batch.verify());
        assertEquals(maxFirstNs, batch.timeNs());
        int at = batch.firstEntry();
        for (int i = 0; i < expected.length; i++)
        {
            at = batch.expand(at, out, 0, delta);
            assertArrayEquals(expected[i], out.byteArray(), "delta " + i);
        }
        assertEquals(length, at);
    }

    @Test
    void shouldRefuseWhatItCannotCarryExactly()
    {
        assertTrue(FlowDeltaBatch.packable(decoded(v4())));
        assertFalse(FlowDeltaBatch.packable(decoded(v4().firstNs(BASE_NS + 1))), "first after last");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().firstNs(BASE_NS - (1L << 40)))), "span beyond 40 bits");
        assertTrue(FlowDeltaBatch.packable(decoded(v4().firstNs(BASE_NS - (1L << 40) + 1))), "span of 40 bits");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().firstNs(Long.MIN_VALUE).lastNs(Long.MAX_VALUE))),
            "span overflows");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().packets(1L << 24))), "packets beyond 24 bits");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().packets(-1))), "packets u64 max");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().bytes(1L << 40))), "bytes beyond 40 bits");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().ifindex(1 << 24))), "ifindex beyond 24 bits");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().ifindex(-1))), "ifindex negative");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().reason((short)16))), "reason beyond 4 bits");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().direction((short)2))), "direction beyond 1 bit");
        assertFalse(FlowDeltaBatch.packable(decoded(v4().family((short)0))), "family 0");
        final FlowDeltaEncoder unmapped = FlowDeltas.addresses(v4(), 0, 0x0A000001L, 0, 0x0000_FFFF_C000_0202L);
        assertFalse(FlowDeltaBatch.packable(decoded(unmapped)), "family 4, address not v4-mapped");
        final FlowDeltaEncoder padded = v4();
        deltaBuffer.putByte(MessageHeader.ENCODED_LENGTH + FlowDeltaEncoder.reasonEncodingOffset() + 2, (byte)1);
        assertFalse(FlowDeltaBatch.packable(decoded(padded)), "non-zero padding");
    }

    @Test
    void shouldRefuseADeltaTooFarFromItsBaseOrBeyondItsCapacity()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        batch.wrapAndApplyHeader(buffer, 0, FlowDeltaBatch.HEADER_LENGTH + 2 * FlowDeltaBatch.IPV6_ENTRY_LENGTH);
        assertTrue(batch.tryAppend(decoded(v4())));
        assertFalse(batch.tryAppend(decoded(v4().lastNs(BASE_NS + (1L << 39)).firstNs(BASE_NS + (1L << 39)))),
            "549 s later");
        assertFalse(batch.tryAppend(decoded(v4().lastNs(BASE_NS - (1L << 39) - 1).firstNs(BASE_NS - (1L << 39) - 1))),
            "earlier");
        assertTrue(batch.tryAppend(decoded(v4().lastNs(BASE_NS - (1L << 39)).firstNs(BASE_NS - (1L << 39)))),
            "549 s earlier");
        assertTrue(batch.tryAppend(decoded(v4())));
        assertFalse(batch.tryAppend(decoded(v6())), "full: " + batch.encodedLength());
        assertEquals(3, batch.count());
    }

    @Test
    void shouldFindDamageBeforeDeliveringAnything()
    {
        final byte[] golden = GoldenBytes.parse(GOLDEN);
        final UnsafeBuffer buffer = new UnsafeBuffer(golden.clone());
        buffer.putByte(64, (byte)0x04); // entry 2: kind 0
        assertEquals(FlowDeltaBatch.BAD_ENTRY, batch.wrap(buffer, 0, buffer.capacity()).verify());
        assertEquals("corrupt FlowDeltaBatch: an entry of unknown kind or cut short in 124 bytes (its header says 2 deltas)",
            batch.describe(FlowDeltaBatch.BAD_ENTRY));

        assertEquals(FlowDeltaBatch.BAD_ENTRY, batch.wrap(new UnsafeBuffer(golden), 0, 120).verify(), "cut short");

        final UnsafeBuffer miscounted = new UnsafeBuffer(golden.clone());
        miscounted.putInt(FlowDeltaBatch.COUNT_OFFSET, 3, MessageHeader.BYTE_ORDER);
        assertEquals(FlowDeltaBatch.COUNT_MISMATCH, batch.wrap(miscounted, 0, miscounted.capacity()).verify());

        assertEquals(FlowDeltaBatch.EMPTY, batch.wrap(new UnsafeBuffer(golden), 0,
            MessageHeader.ENCODED_LENGTH + FlowDeltaBatch.V2_BLOCK_LENGTH).verify()); // GOLDEN is of version 2
    }

    @Test
    void shouldBeReadByOlderReadersAsANewerVersionToSkipAndCount()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(GoldenBytes.parse(GOLDEN));
        assertEquals(2, new MessageHeaderDecoder().wrap(buffer, 0).version());
        assertEquals(4, Templates.version(FlowDeltaDecoder.TEMPLATE_ID), "every event is written at version 4: its trailer follows");
        assertEquals("FlowDeltaBatch", Templates.name(FlowDeltaBatch.TEMPLATE_ID));
        buffer.putShort(MessageHeader.BLOCK_LENGTH_OFFSET, (short)16, MessageHeader.BYTE_ORDER);
        assertEquals(MessageHeader.SHORT_BLOCK, MessageHeader.check(buffer, 0, buffer.capacity()));
    }

    private FlowDeltaEncoder v4()
    {
        MessageHeader.wrapAndApplyHeader(delta, deltaBuffer, 0);
        FlowDeltas.addressesV4(delta, 0x0A000001, 0xC0000202);
        return delta.firstNs(0x1122334455667788L).lastNs(BASE_NS).packets(2).bytes(3000).ifindex(7).srcPort(40000)
            .dstPort(443).proto((short)6).family(FlowDeltas.FAMILY_IPV4).direction(FlowDeltas.DIRECTION_OUT)
            .tcpFlags((short)0x12).reason(FlowDeltas.REASON_FIN_RST);
    }

    private FlowDeltaEncoder v6()
    {
        MessageHeader.wrapAndApplyHeader(delta, deltaBuffer, 0);
        FlowDeltas.addresses(delta, 0x20010db8_00000000L, 1, 0x20010db8_00000000L, 2);
        return delta.firstNs(V6_LAST_NS - V6_SPAN_NS).lastNs(V6_LAST_NS).packets((1L << 24) - 1).bytes((1L << 40) - 1)
            .ifindex(0xABCDEF).srcPort(53).dstPort(5353).proto((short)17).family(FlowDeltas.FAMILY_IPV6)
            .direction(FlowDeltas.DIRECTION_IN).reason(FlowDeltas.REASON_IDLE);
    }

    /** A cgroup's delta: its pseudo-ifindex does not fit a compact entry's 24 bits. */
    private FlowDeltaEncoder wide()
    {
        MessageHeader.wrapAndApplyHeader(delta, deltaBuffer, 0);
        FlowDeltas.addressesV4(delta, 0x0A000001, 0x0A000002);
        return delta.firstNs(0).lastNs(1).packets(1).bytes(42).ifindex(0x4000_0005).srcPort(53).dstPort(53)
            .proto((short)17).family(FlowDeltas.FAMILY_IPV4).direction(FlowDeltas.DIRECTION_OUT)
            .reason(FlowDeltas.REASON_IDLE);
    }

    /** A packable delta with every field drawn over its whole packable range. */
    private FlowDeltaEncoder random(final SplittableRandom random, final long base)
    {
        final long lastNs = base + random.nextLong(-(1L << 39), 1L << 39);
        final boolean v4 = random.nextBoolean();
        MessageHeader.wrapAndApplyHeader(delta, deltaBuffer, 0)
            .lastNs(lastNs).firstNs(lastNs - random.nextLong(1L << 40))
            .packets(random.nextLong(1L << 24)).bytes(random.nextLong(1L << 40))
            .ifindex(random.nextInt(1 << 24)).srcPort(random.nextInt(1 << 16)).dstPort(random.nextInt(1 << 16))
            .proto((short)random.nextInt(256)).direction((short)random.nextInt(2)).tcpFlags((short)random.nextInt(256))
            .reason((short)random.nextInt(16));
        if (v4)
        {
            FlowDeltas.addressesV4(delta.family(FlowDeltas.FAMILY_IPV4), random.nextInt(), random.nextInt());
        }
        else
        {
            FlowDeltas.addresses(delta.family(FlowDeltas.FAMILY_IPV6),
                random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        }
        return delta;
    }

    /** The delta just encoded, for reading. */
    private FlowDeltaDecoder decoded(final FlowDeltaEncoder encoded)
    {
        return MessageHeader.wrap(decoder, encoded.buffer(), encoded.offset() - MessageHeader.ENCODED_LENGTH);
    }

    private static byte[] bytesOf(final FlowDeltaEncoder d)
    {
        final byte[] bytes = new byte[Templates.FLOW_DELTA_LENGTH];
        d.buffer().getBytes(d.offset() - MessageHeader.ENCODED_LENGTH, bytes);
        return bytes;
    }
}
