package dev.flowrec.journal.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Template 8 (schema version 2; version 3 adds ringPosition): the flow deltas of one or a few drain passes,
 * packed. Every delta in it is exactly a FlowDelta event ({@link FlowDeltaDecoder}): {@link #expand} rebuilds
 * that event byte for byte, so readers see FlowDelta events and nothing else changes. A delta that cannot be
 * packed ({@link #packable}) goes in whole, as a {@link #KIND_WIDE} entry: every delta the recorder drains is
 * in a batch, so that every one is covered by a batch's ring position.
 * <p>
 * Why: a FlowDelta is 88 bytes plus Chronicle's 4-byte document header, mostly zeros (v4-mapped addresses,
 * u64 counters that the kernel keeps in 63 bits, absolute times a second apart). Here an IPv4 delta is 36
 * bytes and the document, header and time base are paid once per batch. Offsets from the event start,
 * little-endian:
 * <pre>
 *   0       2       4       6       8
 *   +-------+-------+-------+-------+
 *   |schema |version|templ. |blockLen|  header: 0x4652, 3, 8, 28 (version 2: 0x4652, 2, 8, 20)
 *   +-------+-------+-------+-------+-------------------------------+
 *   8  timeNs u64                   | 16 baseNs u64                 |
 *   +---------------+---------------+-------------------------------+
 *  24  count u32    | 28 ringPosition u64 (version 3 on)            | 36 count entries, back to back ...
 *   +---------------+-----------------------------------------------+--------------------------------
 * </pre>
 * ringPosition (version 3 on): the kernel ring buffer's consumer position just after the last ring record whose
 * delta is in this batch or was consumed before it. The recorder hands ring space back to the kernel only up to
 * the position of a committed batch, so after a kill -9 the journal's last ringPosition says which records of an
 * adopted ring it already holds (DESIGN: exactly once). Version 2 batches have no such field (block 20): the
 * entries start after the block, whatever its length.
 * timeNs: the largest firstNs of the entries, the event's time for a seek (a seek for T lands on the first
 * batch holding a delta that starts at or after T); baseNs: the first entry's lastNs, from which entries
 * count their own. An entry, offsets from its start:
 * <pre>
 *   0     1             4     5     6       8       10                    18                    26      28
 *   +-----+-------------+-----+-----+-------+-------+---------------------+---------------------+-------+
 *   |shape|ifindex u24  |proto|flags|srcPort|dstPort| packets:24|bytes:40 | span:24|lastOffset:40|span:16|
 *   +-----+-------------+-----+-----+-------+-------+---------------------+---------------------+-------+
 *  28  srcAddr, dstAddr in network order: 4 bytes each (IPv4 entry, 36 bytes) or 16 each (IPv6, 60 bytes)
 * </pre>
 * shape: direction (bit 7), kind (bits 4..6: {@link #KIND_IPV4}, {@link #KIND_IPV6}, {@link #KIND_WIDE}; 0 is
 * never an entry),
 * reason (bits 0..3). packets:24|bytes:40 is one u64 with packets in the top 24 bits, as the kernel packs
 * its counter (23 bits of packets). lastOffset is lastNs − baseNs, signed 40 bits (±549 s); span is
 * lastNs − firstNs, unsigned 40 bits (18 min), its low 24 bits in the top of the u64 at 18, its high 16 bits
 * at 26. Entries are multiples of 4 bytes: batches keep Chronicle's document headers 4-byte aligned.
 * <p>
 * A wide entry (84 bytes) is a shape word (kind {@link #KIND_WIDE} in bits 4..6, every other bit 0) followed by
 * the FlowDelta's 80-byte block as it was: the deltas a compact entry cannot carry (a cgroup's pseudo-ifindex
 * 0x4000_0000 and up, counters or spans beyond their widths) cost 48 bytes more, and stay exact.
 * <p>
 * Encode with {@link #wrapAndApplyHeader} then {@link #tryAppend}; decode with {@link #wrap}, {@link #verify}
 * and {@link #expand}. Not thread-safe; allocates nothing. Written by hand: SBE has no packed variable layout.
 */
public final class FlowDeltaBatch
{
    public static final ByteOrder BYTE_ORDER = MessageHeader.BYTE_ORDER;
    public static final int TEMPLATE_ID = 8;
    public static final int SINCE_VERSION = 2;
    /** The version batches are written with: the one that added ringPosition. */
    public static final int RING_POSITION_SINCE_VERSION = 3;
    public static final int BLOCK_LENGTH = 28;
    /** The block of a version 2 batch, without ringPosition. */
    public static final int V2_BLOCK_LENGTH = 20;
    public static final int HEADER_LENGTH = MessageHeader.ENCODED_LENGTH + BLOCK_LENGTH;

    public static final int TIME_NS_OFFSET = 8;
    public static final int BASE_NS_OFFSET = 16;
    public static final int COUNT_OFFSET = 24;
    public static final int RING_POSITION_OFFSET = 28;
    /** {@link #ringPosition()} of a batch that has none (version 2). */
    public static final long NO_RING_POSITION = -1;

    public static final int KIND_IPV4 = 1;
    public static final int KIND_IPV6 = 2;
    public static final int KIND_WIDE = 3;
    public static final int IPV4_ENTRY_LENGTH = 36;
    public static final int IPV6_ENTRY_LENGTH = 60;
    public static final int WIDE_ENTRY_LENGTH = 4 + FlowDeltaDecoder.BLOCK_LENGTH;

    static final int SHAPE_OFFSET = 0;
    static final int PROTO_OFFSET = 4;
    static final int TCP_FLAGS_OFFSET = 5;
    static final int SRC_PORT_OFFSET = 6;
    static final int DST_PORT_OFFSET = 8;
    static final int COUNTS_OFFSET = 10;
    static final int TIMES_OFFSET = 18;
    static final int SPAN_HIGH_OFFSET = 26;
    static final int ADDRESSES_OFFSET = 28;
    /** FlowDelta's 3 bytes of padding after reason, from its block's start: zero in a packable delta. */
    static final int PAD_OFFSET = FlowDeltaDecoder.reasonEncodingOffset() + 1;

    /** {@link #verify} verdicts. */
    public static final int VALID = 0;
    public static final int EMPTY = 1;
    public static final int BAD_ENTRY = 2;
    public static final int COUNT_MISMATCH = 3;

    private static final int PACKETS_SHIFT = 40;
    private static final long MAX_PACKETS = (1L << 24) - 1;
    private static final long FORTY_BITS = (1L << 40) - 1;
    private static final long MIN_OFFSET = -(1L << 39);
    private static final long MAX_OFFSET = (1L << 39) - 1;
    private static final int MAX_IFINDEX = (1 << 24) - 1;
    private static final int MAX_REASON = 0xF;
    private static final long V4_MAPPED_LOW_PREFIX = 0x0000_FFFF_0000_0000L;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;
    private int limit;
    private int capacity;
    private int count;
    private boolean hasBase;
    private long baseNs;
    private long maxFirstNs;

    // ---- encoding

    /**
     * Writes the header of an empty batch at {@code offset} and wraps it for appending, in at most
     * {@code capacity} bytes (the batch's header included).
     */
    public FlowDeltaBatch wrapAndApplyHeader(final MutableDirectBuffer buffer, final int offset, final int capacity)
    {
        if (capacity < HEADER_LENGTH + WIDE_ENTRY_LENGTH)
        {
            throw new IllegalArgumentException(
                "FlowDeltaBatch capacity " + capacity + " is below one entry: " + (HEADER_LENGTH + WIDE_ENTRY_LENGTH));
        }
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        this.capacity = capacity;
        this.limit = offset + HEADER_LENGTH;
        this.count = 0;
        this.hasBase = false;
        this.maxFirstNs = Long.MIN_VALUE;
        MessageHeader.apply(buffer, offset, TEMPLATE_ID, BLOCK_LENGTH);
        buffer.setMemory(offset + MessageHeader.ENCODED_LENGTH, BLOCK_LENGTH, (byte)0);
        return this;
    }

    /**
     * Whether a batch can carry the delta exactly, whatever its time base: IPv4 with v4-mapped addresses or
     * IPv6; direction 0 or 1; reason up to 15; ifindex, packets and bytes within their widths; first at or
     * before last, less than 18 minutes apart; padding zero. The kernel's deltas always are, but for a span
     * stretched by a very long flush interval, an ifindex beyond 16 M, or counters the kernel never makes.
     */
    public static boolean packable(final FlowDeltaDecoder delta)
    {
        final int family = delta.family();
        final boolean v4 = family == FlowDeltas.FAMILY_IPV4 &&
            isV4Mapped(FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta)) &&
            isV4Mapped(FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta));
        final long firstNs = delta.firstNs();
        final long lastNs = delta.lastNs();
        return (v4 || family == FlowDeltas.FAMILY_IPV6) &&
            delta.direction() <= 1 &&
            delta.reason() <= MAX_REASON &&
            delta.ifindex() >= 0 && delta.ifindex() <= MAX_IFINDEX &&
            Long.compareUnsigned(delta.packets(), MAX_PACKETS) <= 0 &&
            Long.compareUnsigned(delta.bytes(), FORTY_BITS) <= 0 &&
            firstNs <= lastNs && ((lastNs - firstNs) & ~FORTY_BITS) == 0 &&
            delta.buffer().getShort(delta.offset() + PAD_OFFSET, BYTE_ORDER) == 0 &&
            delta.buffer().getByte(delta.offset() + PAD_OFFSET + 2) == 0;
    }

    /** Sets the batch's ring position (encoding): see the class comment. */
    public FlowDeltaBatch ringPosition(final long position)
    {
        mutableBuffer.putLong(offset + RING_POSITION_OFFSET, position, BYTE_ORDER);
        return this;
    }

    /** @return the batch's ring position, {@link #NO_RING_POSITION} for a version 2 batch, which has none. */
    public long ringPosition()
    {
        return hasRingPosition(buffer, offset) ? buffer.getLong(offset + RING_POSITION_OFFSET, BYTE_ORDER) : NO_RING_POSITION;
    }

    /** Whether the batch event at {@code offset} carries a ring position: version 3 on, its block long enough. */
    public static boolean hasRingPosition(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getShort(offset + MessageHeader.VERSION_OFFSET, BYTE_ORDER) & 0xFFFF) >= RING_POSITION_SINCE_VERSION &&
            MessageHeader.blockLength(buffer, offset) >= BLOCK_LENGTH;
    }

    /**
     * Appends any delta: a {@link #packable} one as a compact entry, any other as a {@link #KIND_WIDE} one.
     *
     * @return false when it does not fit: no room left, or its lastNs more than 549 s from the batch's base.
     * Start a new batch for it then.
     */
    public boolean tryAppend(final FlowDeltaDecoder delta)
    {
        if (!packable(delta))
        {
            return tryAppendWide(delta);
        }
        final boolean v4 = delta.family() == FlowDeltas.FAMILY_IPV4;
        final int length = v4 ? IPV4_ENTRY_LENGTH : IPV6_ENTRY_LENGTH;
        if (limit + length > offset + capacity)
        {
            return false;
        }
        final long lastNs = delta.lastNs();
        if (!hasBase)
        {
            hasBase = true;
            baseNs = lastNs;
            mutableBuffer.putLong(offset + BASE_NS_OFFSET, lastNs, BYTE_ORDER);
        }
        final long lastOffset = lastNs - baseNs;
        if (((lastNs ^ baseNs) & (lastNs ^ lastOffset)) < 0 || lastOffset < MIN_OFFSET || lastOffset > MAX_OFFSET)
        {
            return false; // overflowed, or beyond 40 bits
        }
        final long span = lastNs - delta.firstNs();
        final int at = limit;
        final int shape = delta.direction() << 7 | (v4 ? KIND_IPV4 : KIND_IPV6) << 4 | delta.reason();
        mutableBuffer.putInt(at + SHAPE_OFFSET, shape | delta.ifindex() << 8, BYTE_ORDER);
        mutableBuffer.putByte(at + PROTO_OFFSET, (byte)delta.proto());
        mutableBuffer.putByte(at + TCP_FLAGS_OFFSET, (byte)delta.tcpFlags());
        mutableBuffer.putShort(at + SRC_PORT_OFFSET, (short)delta.srcPort(), BYTE_ORDER);
        mutableBuffer.putShort(at + DST_PORT_OFFSET, (short)delta.dstPort(), BYTE_ORDER);
        mutableBuffer.putLong(at + COUNTS_OFFSET, delta.packets() << PACKETS_SHIFT | delta.bytes(), BYTE_ORDER);
        mutableBuffer.putLong(at + TIMES_OFFSET, span << 40 | (lastOffset & FORTY_BITS), BYTE_ORDER);
        mutableBuffer.putShort(at + SPAN_HIGH_OFFSET, (short)(span >>> 24), BYTE_ORDER);
        if (v4)
        {
            mutableBuffer.putInt(at + ADDRESSES_OFFSET, (int)FlowDeltas.srcAddrLow(delta), BIG_ENDIAN);
            mutableBuffer.putInt(at + ADDRESSES_OFFSET + 4, (int)FlowDeltas.dstAddrLow(delta), BIG_ENDIAN);
        }
        else
        {
            delta.getSrcAddr(mutableBuffer, at + ADDRESSES_OFFSET, FlowDeltas.ADDRESS_LENGTH);
            delta.getDstAddr(
                mutableBuffer, at + ADDRESSES_OFFSET + FlowDeltas.ADDRESS_LENGTH, FlowDeltas.ADDRESS_LENGTH);
        }
        appended(at + length, delta.firstNs());
        return true;
    }

    /** The delta's FlowDelta block, whole, after a shape word that says only its kind. */
    private boolean tryAppendWide(final FlowDeltaDecoder delta)
    {
        if (limit + WIDE_ENTRY_LENGTH > offset + capacity)
        {
            return false;
        }
        final int at = limit;
        mutableBuffer.putInt(at + SHAPE_OFFSET, KIND_WIDE << 4, BYTE_ORDER);
        mutableBuffer.putBytes(at + 4, delta.buffer(), delta.offset(), FlowDeltaDecoder.BLOCK_LENGTH);
        appended(at + WIDE_ENTRY_LENGTH, delta.firstNs());
        return true;
    }

    private void appended(final int newLimit, final long firstNs)
    {
        limit = newLimit;
        count++;
        mutableBuffer.putInt(offset + COUNT_OFFSET, count, BYTE_ORDER);
        if (firstNs > maxFirstNs)
        {
            maxFirstNs = firstNs;
            mutableBuffer.putLong(offset + TIME_NS_OFFSET, maxFirstNs, BYTE_ORDER);
        }
    }

    /** @return entries appended (encoding) or in the header (decoding). */
    public int count()
    {
        return buffer.getInt(offset + COUNT_OFFSET, BYTE_ORDER);
    }

    /** @return the batch's length so far: header, block and entries (encoding). */
    public int encodedLength()
    {
        return limit - offset;
    }

    // ---- decoding

    /** Wraps the batch event of {@code length} bytes at {@code offset} (as the journal delivers it) for reading. */
    public FlowDeltaBatch wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.mutableBuffer = null;
        this.offset = offset;
        this.capacity = length;
        this.limit = offset + length;
        return this;
    }

    public long timeNs()
    {
        return buffer.getLong(offset + TIME_NS_OFFSET, BYTE_ORDER);
    }

    public long baseNs()
    {
        return buffer.getLong(offset + BASE_NS_OFFSET, BYTE_ORDER);
    }

    /** @return where the first entry starts: after the block, whose length the event's header gives. */
    public int firstEntry()
    {
        return offset + MessageHeader.ENCODED_LENGTH + MessageHeader.blockLength(buffer, offset);
    }

    /** @return where the wrapped event ends: the entry at this offset is past the last one. */
    public int end()
    {
        return limit;
    }

    /**
     * Checks, before anything is delivered, that the entries fill the event exactly, each of a known kind,
     * and that there are as many as the header says: a damaged batch is refused whole, never half-read.
     *
     * @return {@link #VALID}, {@link #EMPTY}, {@link #BAD_ENTRY} or {@link #COUNT_MISMATCH}.
     */
    public int verify()
    {
        buffer.getByte(limit - 1); // a cycle file cut inside the batch fails here, before delivery starts
        int entries = 0;
        int at = firstEntry();
        while (at < limit)
        {
            final int length = entryLength(at);
            if (length == 0 || at + length > limit)
            {
                return BAD_ENTRY;
            }
            at += length;
            entries++;
        }
        return entries == 0 ? EMPTY : entries != count() ? COUNT_MISMATCH : VALID;
    }

    /** A sentence saying why {@link #verify} refused the batch (allocates: for the rare damaged batch). */
    public String describe(final int verdict)
    {
        return switch (verdict)
        {
            case VALID -> "valid FlowDeltaBatch of " + count() + " deltas";
            case EMPTY -> "corrupt FlowDeltaBatch: no entries";
            case BAD_ENTRY -> "corrupt FlowDeltaBatch: an entry of unknown kind or cut short in " +
                (limit - offset) + " bytes (its header says " + count() + " deltas)";
            case COUNT_MISMATCH -> "corrupt FlowDeltaBatch: its header says " + count() +
                " deltas, its entries are a different number";
            default -> "unknown verdict " + verdict;
        };
    }

    /**
     * Writes the entry at {@code entryOffset} as the FlowDelta event it was packed from, byte for byte, into
     * {@code into} at {@code intoOffset}, with {@code delta} (left wrapped over it).
     *
     * @return the offset of the next entry.
     */
    public int expand(
        final int entryOffset, final MutableDirectBuffer into, final int intoOffset, final FlowDeltaEncoder delta)
    {
        final int word = buffer.getInt(entryOffset + SHAPE_OFFSET, BYTE_ORDER);
        if ((word >>> 4 & 0x7) == KIND_WIDE)
        {
            MessageHeader.apply(into, intoOffset, FlowDeltaDecoder.TEMPLATE_ID, FlowDeltaDecoder.BLOCK_LENGTH);
            into.putBytes(intoOffset + MessageHeader.ENCODED_LENGTH, buffer, entryOffset + 4, FlowDeltaDecoder.BLOCK_LENGTH);
            delta.wrap(into, intoOffset + MessageHeader.ENCODED_LENGTH);
            return entryOffset + WIDE_ENTRY_LENGTH;
        }
        final boolean v4 = (word >>> 4 & 0x7) == KIND_IPV4;
        final long times = buffer.getLong(entryOffset + TIMES_OFFSET, BYTE_ORDER);
        final long lastNs = baseNs() + (times << 24 >> 24);
        final long span = times >>> 40 | (buffer.getShort(entryOffset + SPAN_HIGH_OFFSET, BYTE_ORDER) & 0xFFFFL) << 24;
        final long counts = buffer.getLong(entryOffset + COUNTS_OFFSET, BYTE_ORDER);
        MessageHeader.wrapAndApplyHeader(delta, into, intoOffset)
            .firstNs(lastNs - span)
            .lastNs(lastNs)
            .packets(counts >>> PACKETS_SHIFT)
            .bytes(counts & FORTY_BITS)
            .ifindex(word >>> 8)
            .srcPort(buffer.getShort(entryOffset + SRC_PORT_OFFSET, BYTE_ORDER) & 0xFFFF)
            .dstPort(buffer.getShort(entryOffset + DST_PORT_OFFSET, BYTE_ORDER) & 0xFFFF)
            .proto((short)(buffer.getByte(entryOffset + PROTO_OFFSET) & 0xFF))
            .family(v4 ? FlowDeltas.FAMILY_IPV4 : FlowDeltas.FAMILY_IPV6)
            .direction((short)(word >>> 7 & 1))
            .tcpFlags((short)(buffer.getByte(entryOffset + TCP_FLAGS_OFFSET) & 0xFF))
            .reason((short)(word & MAX_REASON));
        if (v4)
        {
            FlowDeltas.addressesV4(delta, buffer.getInt(entryOffset + ADDRESSES_OFFSET, BIG_ENDIAN),
                buffer.getInt(entryOffset + ADDRESSES_OFFSET + 4, BIG_ENDIAN));
            return entryOffset + IPV4_ENTRY_LENGTH;
        }
        delta.putSrcAddr(buffer, entryOffset + ADDRESSES_OFFSET, FlowDeltas.ADDRESS_LENGTH)
            .putDstAddr(buffer, entryOffset + ADDRESSES_OFFSET + FlowDeltas.ADDRESS_LENGTH, FlowDeltas.ADDRESS_LENGTH);
        return entryOffset + IPV6_ENTRY_LENGTH;
    }

    /** @return the length of the entry at {@code at} by its kind, 0 for no known kind. */
    private int entryLength(final int at)
    {
        return switch (buffer.getByte(at + SHAPE_OFFSET) >>> 4 & 0x7)
        {
            case KIND_IPV4 -> IPV4_ENTRY_LENGTH;
            case KIND_IPV6 -> IPV6_ENTRY_LENGTH;
            case KIND_WIDE -> WIDE_ENTRY_LENGTH;
            default -> 0;
        };
    }

    private static boolean isV4Mapped(final long high, final long low)
    {
        return high == 0 && (low & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED_LOW_PREFIX;
    }
}
