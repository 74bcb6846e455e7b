package dev.flowrec.export;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** A record batch of journaled deltas, with the host (unless it is a partition level) and dictionary indices. */
final class DeltaBatch extends RowBatch
{
    private final Dictionaries dictionaries;
    private final AddressTextBuffer text = new AddressTextBuffer();
    private final Fixed firstSeen;
    private final Fixed lastSeen;
    private final Fixed host;
    private final Fixed iface;
    private final Fixed container;
    private final Fixed direction;
    private final Fixed proto;
    private final Text srcAddr;
    private final Fixed srcPort;
    private final Text dstAddr;
    private final Fixed dstPort;
    private final Fixed packets;
    private final Fixed bytes;
    private final Fixed tcpFlags;
    private final Fixed tcpFlagsRaw;
    private final Fixed pid;
    private final Fixed comm;
    private final Fixed srcName;
    private final Fixed dstName;
    private final Fixed[] fixed;

    DeltaBatch(final Schema schema, final Dictionaries dictionaries, final BufferAllocator allocator, final int capacity)
    {
        super(schema, allocator, capacity);
        this.dictionaries = dictionaries;
        firstSeen = Fixed.of(root().getVector("first_seen"), capacity);
        lastSeen = Fixed.of(root().getVector("last_seen"), capacity);
        host = Fixed.of(root().getVector("host"), capacity); // null when host is a partition level
        iface = Fixed.of(root().getVector("iface"), capacity);
        container = Fixed.of(root().getVector("container"), capacity);
        direction = Fixed.of(root().getVector("direction"), capacity);
        proto = Fixed.of(root().getVector("proto"), capacity);
        srcAddr = new Text((VarCharVector)root().getVector("src_addr"), capacity);
        srcPort = Fixed.of(root().getVector("src_port"), capacity);
        dstAddr = new Text((VarCharVector)root().getVector("dst_addr"), capacity);
        dstPort = Fixed.of(root().getVector("dst_port"), capacity);
        packets = Fixed.of(root().getVector("packets"), capacity);
        bytes = Fixed.of(root().getVector("bytes"), capacity);
        tcpFlags = Fixed.of(root().getVector("tcp_flags"), capacity);
        tcpFlagsRaw = Fixed.of(root().getVector("tcp_flags_raw"), capacity);
        pid = Fixed.of(root().getVector("pid"), capacity);
        comm = Fixed.of(root().getVector("comm"), capacity);
        srcName = Fixed.of(root().getVector("src_name"), capacity);
        dstName = Fixed.of(root().getVector("dst_name"), capacity);
        final List<Fixed> all = new ArrayList<>(Arrays.asList(firstSeen, lastSeen, host, iface, container, direction,
            proto, srcPort, dstPort, packets, bytes, tcpFlags, tcpFlagsRaw, pid, comm, srcName, dstName));
        all.removeIf(Objects::isNull);
        fixed = all.toArray(new Fixed[0]);
    }

    /**
     * @param pidValue   the host pid of the flow's socket owner, 0 when unknown
     * @param srcNameIndex the index of the source address's DNS name in the names dictionary; dstNameIndex likewise
     */
    void append(final FlowDeltaDecoder d, final int hostIndex, final int ifaceIndex, final int containerIndex,
        final int pidValue, final int commIndex, final int srcNameIndex, final int dstNameIndex)
    {
        final int i = nextRow();
        firstSeen.setLong(i, d.firstNs());
        lastSeen.setLong(i, d.lastNs());
        if (host != null)
        {
            host.setInt(i, hostIndex);
        }
        iface.setInt(i, ifaceIndex);
        container.setInt(i, containerIndex);
        direction.setInt(i, d.direction() == 0 ? 0 : 1);
        final int p = d.proto();
        proto.setInt(i, p);
        final int family = d.family();
        srcAddr.setAddress(i, text, family, true, d);
        srcPort.setInt(i, d.srcPort());
        dstAddr.setAddress(i, text, family, false, d);
        dstPort.setInt(i, d.dstPort());
        packets.setLong(i, d.packets());
        bytes.setLong(i, d.bytes());
        final int flags = d.tcpFlags();
        tcpFlags.setInt(i, Dictionaries.tcpFlagsIndex(p, flags));
        tcpFlagsRaw.setInt(i, flags);
        pid.setInt(i, pidValue);
        comm.setInt(i, commIndex);
        srcName.setInt(i, srcNameIndex);
        dstName.setInt(i, dstNameIndex);
    }

    @Override
    void flush(final int rows)
    {
        for (final Fixed f : fixed)
        {
            f.validate(rows);
        }
        srcAddr.validate(rows);
        dstAddr.validate(rows);
    }

    /**
     * Zeroes the validity bits alone (a short last batch writes out the spare bits of its last byte): every value, offset
     * and string byte of the next batch's rows is overwritten by its append or {@link #flush}, and nothing past its rows is written
     * out, so the data buffers (megabytes a batch) are not zeroed.
     */
    @Override
    void empty(final VectorSchemaRoot root)
    {
        for (final FieldVector v : root.getFieldVectors())
        {
            final ArrowBuf validity = v.getValidityBuffer();
            validity.setZero(0, validity.capacity());
            v.setValueCount(0);
        }
    }

    Dictionaries dictionaries()
    {
        return dictionaries;
    }

    /** Sets the first {@code rows} validity bits (every column is non-null). */
    private static void markValid(final ArrowBuf validity, final int rows)
    {
        validity.setOne(0L, rows / 8);
        for (int r = rows & ~7; r < rows; r++)
        {
            BitVectorHelper.setBit(validity, r);
        }
    }

    /**
     * A fixed-width column written straight into its vector's data buffer (native order, as ArrowBuf's setters), at the address the buffer
     * keeps for the batch's life (the vectors are allocated once for the batch's capacity and never reallocated; a
     * row is below the capacity, {@link RowBatch#full}): the vectors' setters check bounds and the reference count and
     * set a validity bit for every value (every column is non-null), and a heap copy moved in once per batch cost the
     * writer's thread a second copy of every byte. The validity bits are set once per batch.
     */
    private static final class Fixed
    {
        private final BaseFixedWidthVector vector;
        private final long address;

        private Fixed(final BaseFixedWidthVector vector, final int capacity)
        {
            this.vector = vector;
            final ArrowBuf data = vector.getDataBuffer();
            if (data.capacity() < (long)capacity * vector.getTypeWidth())
            {
                throw new IllegalStateException("vector " + vector.getName() + " holds " + data.capacity() + " bytes, not "
                    + capacity + " values");
            }
            this.address = data.memoryAddress();
        }

        /** @return null for no vector (the host column when the host is a partition level) */
        static Fixed of(final FieldVector vector, final int capacity)
        {
            return vector == null ? null : new Fixed((BaseFixedWidthVector)vector, capacity);
        }

        void setInt(final int row, final int value)
        {
            MemoryUtil.putInt(address + ((long)row << 2), value);
        }

        void setLong(final int row, final long value)
        {
            MemoryUtil.putLong(address + ((long)row << 3), value);
        }

        /** Marks the first {@code rows} values valid. */
        void validate(final int rows)
        {
            markValid(vector.getValidityBuffer(), rows);
        }
    }

    /** A string column written into heap arrays (offsets, then the bytes), moved into its vector once per batch. */
    private static final class Text
    {
        private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

        private final VarCharVector vector;
        /** Row i's value ends at offset i + 1; offset 0 is always 0. */
        private final byte[] offsets;
        private byte[] data = new byte[1 << 16];
        private int end;

        Text(final VarCharVector vector, final int capacity)
        {
            this.vector = vector;
            this.offsets = new byte[(capacity + 1) * Integer.BYTES];
        }

        /** Appends row {@code row}'s address as text, formatted in place (rows are appended in order from 0). */
        void setAddress(final int row, final AddressTextBuffer text, final int family, final boolean source,
            final FlowDeltaDecoder d)
        {
            if (end + AddressTextBuffer.MAX_LENGTH > data.length)
            {
                data = Arrays.copyOf(data, Math.max(data.length * 2, end + AddressTextBuffer.MAX_LENGTH));
            }
            end += text.format(family, source, d, data, end);
            INTS.set(offsets, (row + 1) * Integer.BYTES, end);
        }

        /** Moves the first {@code rows} values into the vector, marks them valid, and starts the next batch. */
        void validate(final int rows)
        {
            while (vector.getDataBuffer().capacity() < end)
            {
                vector.reallocDataBuffer();
            }
            vector.getOffsetBuffer().setBytes(0, offsets, 0, (long)(rows + 1) * Integer.BYTES);
            vector.getDataBuffer().setBytes(0, data, 0, end);
            markValid(vector.getValidityBuffer(), rows);
            vector.setLastSet(rows - 1);
            end = 0;
        }
    }
}
