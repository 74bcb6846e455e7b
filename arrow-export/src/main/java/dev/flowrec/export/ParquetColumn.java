package dev.flowrec.export;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.BinaryStatistics;
import org.apache.parquet.column.statistics.IntStatistics;
import org.apache.parquet.column.statistics.LongStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * How one Arrow column becomes Parquet data pages (V1, required: no levels), a page per record batch, each
 * with its min/max (DuckDB prunes row groups by them). Buffers are reused page after page.
 */
sealed interface ParquetColumn
{
    VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    VarHandle BIG_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    ColumnDescriptor descriptor();

    /**
     * The working arrays of the columns of every file an export writes (one thread): a page is encoded into
     * them and copied (compressed) by parquet-java before the next, so one set serves all columns and files.
     */
    final class Scratch
    {
        private byte[] values = new byte[0];
        private byte[] data = new byte[0];
        private byte[] page = new byte[0];

        byte[] values(final int bytes)
        {
            return values = capacity(values, bytes);
        }

        byte[] data(final int bytes)
        {
            return data = capacity(data, bytes);
        }

        byte[] page(final int bytes)
        {
            return page = capacity(page, bytes);
        }

        private static byte[] capacity(final byte[] buffer, final int bytes)
        {
            return buffer.length >= bytes ? buffer : new byte[Math.max(bytes, buffer.length * 2)];
        }
    }

    /** INT32 or INT64, PLAIN: the vector's buffer is already Parquet's little-endian layout. */
    final class Fixed implements ParquetColumn
    {
        private final ColumnDescriptor descriptor;
        private final boolean wide;
        private final Scratch scratch;

        Fixed(final ColumnDescriptor descriptor, final Scratch scratch)
        {
            this.descriptor = descriptor;
            this.scratch = scratch;
            this.wide = descriptor.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT64;
        }

        public ColumnDescriptor descriptor()
        {
            return descriptor;
        }

        /** @return the page's uncompressed size */
        int page(final BaseFixedWidthVector vector, final int rows, final PageWriter pages) throws IOException
        {
            final int length = rows * (wide ? Long.BYTES : Integer.BYTES);
            final byte[] bytes = scratch.values(length);
            vector.getDataBuffer().getBytes(0, bytes, 0, length);
            final Statistics<?> statistics = Statistics.createStats(descriptor.getPrimitiveType());
            if (wide)
            {
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (int at = 0; at < length; at += Long.BYTES)
                {
                    final long v = (long)LONGS.get(bytes, at);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                ((LongStatistics)statistics).setMinMax(min, max);
            }
            else
            {
                int min = Integer.MAX_VALUE;
                int max = Integer.MIN_VALUE;
                for (int at = 0; at < length; at += Integer.BYTES)
                {
                    final int v = (int)INTS.get(bytes, at);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                ((IntStatistics)statistics).setMinMax(min, max);
            }
            pages.writePage(BytesInput.from(bytes, 0, length), rows, rows, statistics, Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
            return length;
        }
    }

    /** A plain string column (addresses), PLAIN: each value's length, then its bytes. */
    final class Text implements ParquetColumn
    {
        private final ColumnDescriptor descriptor;
        private final Scratch scratch;

        Text(final ColumnDescriptor descriptor, final Scratch scratch)
        {
            this.descriptor = descriptor;
            this.scratch = scratch;
        }

        public ColumnDescriptor descriptor()
        {
            return descriptor;
        }

        int page(final VarCharVector vector, final int rows, final PageWriter pages) throws IOException
        {
            final byte[] offsets = scratch.values((rows + 1) * Integer.BYTES);
            vector.getOffsetBuffer().getBytes(0, offsets, 0, (rows + 1) * Integer.BYTES);
            final int end = (int)INTS.get(offsets, rows * Integer.BYTES);
            final byte[] data = scratch.data(end + 2 * Long.BYTES); // a prefix is read 8 bytes at a time, two of them
            vector.getDataBuffer().getBytes(0, data, 0, end);
            final byte[] bytes = scratch.page(end + rows * Integer.BYTES);
            int minStart = 0;
            int minEnd = (int)INTS.get(offsets, Integer.BYTES);
            int maxStart = minStart;
            int maxEnd = minEnd;
            long minHigh = prefix(data, minStart, minEnd);
            long minLow = prefix(data, minStart + Long.BYTES, minEnd);
            long maxHigh = minHigh;
            long maxLow = minLow;
            int at = 0;
            int start = 0;
            for (int r = 0; r < rows; r++)
            {
                final int stop = (int)INTS.get(offsets, (r + 1) * Integer.BYTES);
                final int length = stop - start;
                INTS.set(bytes, at, length);
                System.arraycopy(data, start, bytes, at + Integer.BYTES, length);
                at += Integer.BYTES + length;
                final long high = prefix(data, start, stop);
                final long low = prefix(data, start + Long.BYTES, stop);
                if (compare(data, start, stop, high, low, minStart, minEnd, minHigh, minLow) < 0)
                {
                    minStart = start;
                    minEnd = stop;
                    minHigh = high;
                    minLow = low;
                }
                else if (compare(data, start, stop, high, low, maxStart, maxEnd, maxHigh, maxLow) > 0)
                {
                    maxStart = start;
                    maxEnd = stop;
                    maxHigh = high;
                    maxLow = low;
                }
                start = stop;
            }
            final BinaryStatistics statistics = (BinaryStatistics)Statistics.createStats(descriptor.getPrimitiveType());
            statistics.setMinMax(Binary.fromConstantByteArray(Arrays.copyOfRange(data, minStart, minEnd)),
                Binary.fromConstantByteArray(Arrays.copyOfRange(data, maxStart, maxEnd)));
            pages.writePage(BytesInput.from(bytes, 0, at), rows, rows, statistics, Encoding.RLE, Encoding.RLE, Encoding.PLAIN);
            return at;
        }

        /**
         * Bytes {@code from} to {@code from + 8} of the value that ends at {@code stop}, as an unsigned big-endian
         * number, zero-padded: values whose first 16 bytes differ compare as these two numbers do (byte order), so an
         * address (IPv4 text is at most 15 bytes) is compared in two steps, and only longer values may need a full
         * compare.
         */
        private static long prefix(final byte[] data, final int from, final int stop)
        {
            final int length = stop - from;
            final long bytes = (long)BIG_LONGS.get(data, from);
            return length >= Long.BYTES ? bytes : length <= 0 ? 0 : bytes & -1L << 8 * (Long.BYTES - length);
        }

        /** Compares {@code [start, stop)} with {@code [otherStart, otherStop)}, given their prefixes. */
        private static int compare(final byte[] data, final int start, final int stop, final long high, final long low,
            final int otherStart, final int otherStop, final long otherHigh, final long otherLow)
        {
            final int byHigh = Long.compareUnsigned(high, otherHigh);
            if (byHigh != 0)
            {
                return byHigh;
            }
            final int byLow = Long.compareUnsigned(low, otherLow);
            final int length = stop - start;
            if (byLow != 0 || length == otherStop - otherStart && length <= 2 * Long.BYTES)
            {
                return byLow;
            }
            return Arrays.compareUnsigned(data, start, stop, data, otherStart, otherStop);
        }
    }

    /**
     * A dictionary-encoded string column: the chunk's dictionary holds only the values its rows use, numbered
     * in order of first use (a names dictionary may be large, a chunk uses few), written when the chunk ends
     * (parquet-java puts it before the data pages).
     */
    final class Dictionary implements ParquetColumn
    {
        private final ColumnDescriptor descriptor;
        private final StringDictionary dictionary;
        /** The chunk's number of a dictionary index, plus one; 0 when the chunk has not used it. */
        private int[] localOf = new int[0];
        /** The dictionary index of a chunk's number. */
        private int[] globalOf = new int[16];
        /** The page a chunk's number was last seen in, to compare each page's distinct values only. */
        private int[] seenInPage = new int[16];
        private int used;
        private int page;
        private final Scratch scratch;

        Dictionary(final ColumnDescriptor descriptor, final StringDictionary dictionary, final Scratch scratch)
        {
            this.descriptor = descriptor;
            this.scratch = scratch;
            this.dictionary = dictionary;
        }

        public ColumnDescriptor descriptor()
        {
            return descriptor;
        }

        int page(final IntVector vector, final int rows, final PageWriter pages) throws IOException
        {
            if (localOf.length < dictionary.size())
            {
                localOf = Arrays.copyOf(localOf, dictionary.size());
            }
            final byte[] indexes = scratch.values(rows * Integer.BYTES);
            vector.getDataBuffer().getBytes(0, indexes, 0, rows * Integer.BYTES);
            page++;
            int min = -1;
            int max = -1;
            final int first = local((int)INTS.get(indexes, 0));
            boolean constant = true;
            for (int at = 0; at < rows * Integer.BYTES; at += Integer.BYTES)
            {
                final int global = (int)INTS.get(indexes, at);
                final int local = local(global);
                constant &= local == first;
                if (seenInPage[local] != page)
                {
                    seenInPage[local] = page;
                    if (min < 0 || Arrays.compareUnsigned(dictionary.bytesAt(global), dictionary.bytesAt(min)) < 0)
                    {
                        min = global;
                    }
                    if (max < 0 || Arrays.compareUnsigned(dictionary.bytesAt(global), dictionary.bytesAt(max)) > 0)
                    {
                        max = global;
                    }
                }
                INTS.set(indexes, at, local);
            }
            final int bitWidth = 32 - Integer.numberOfLeadingZeros(used - 1);
            final int length = constant ? rle(indexes, rows, bitWidth) : bitPacked(indexes, rows, bitWidth);
            final BinaryStatistics statistics = (BinaryStatistics)Statistics.createStats(descriptor.getPrimitiveType());
            statistics.setMinMax(Binary.fromConstantByteArray(dictionary.bytesAt(min)),
                Binary.fromConstantByteArray(dictionary.bytesAt(max)));
            pages.writePage(BytesInput.from(scratch.page, 0, length), rows, rows, statistics, Encoding.RLE, Encoding.RLE,
                Encoding.PLAIN_DICTIONARY);
            return length;
        }

        /** One RLE run of the page's only value: the bit width, the run's header (length, 0), the value. */
        private int rle(final byte[] indexes, final int rows, final int bitWidth)
        {
            final byte[] bytes = scratch.page(16);
            bytes[0] = (byte)bitWidth;
            int at = varint(bytes, 1, rows << 1);
            final int value = (int)INTS.get(indexes, 0);
            for (int b = 0; b < (bitWidth + 7) / 8; b++)
            {
                bytes[at++] = (byte)(value >>> 8 * b);
            }
            return at;
        }

        /**
         * One bit-packed run of the whole page: the bit width, the run's header (groups of 8 values, 1), the
         * values packed from the least significant bit up, the last group padded with zeros.
         */
        private int bitPacked(final byte[] indexes, final int rows, final int bitWidth)
        {
            final int groups = (rows + 7) / 8;
            final byte[] bytes = scratch.page(8 + groups * bitWidth + 8);
            bytes[0] = (byte)bitWidth;
            final int data = varint(bytes, 1, groups << 1 | 1);
            int at = data;
            long pending = 0;
            int bits = 0;
            final int end = rows * Integer.BYTES;
            for (int i = 0; i < end; i += Integer.BYTES)
            {
                pending |= (long)(int)INTS.get(indexes, i) << bits;
                bits += bitWidth;
                if (bits >= 32)
                {
                    INTS.set(bytes, at, (int)pending);
                    at += Integer.BYTES;
                    pending >>>= 32;
                    bits -= 32;
                }
            }
            for (; bits > 0; bits -= 8)
            {
                bytes[at++] = (byte)pending;
                pending >>>= 8;
            }
            Arrays.fill(bytes, at, data + groups * bitWidth, (byte)0);
            return data + groups * bitWidth;
        }

        private static int varint(final byte[] to, final int from, final int value)
        {
            int at = from;
            int v = value;
            while ((v & ~0x7F) != 0)
            {
                to[at++] = (byte)(v & 0x7F | 0x80);
                v >>>= 7;
            }
            to[at++] = (byte)v;
            return at;
        }

        /** The chunk's number of a dictionary index, numbering it if the chunk had not used it. */
        private int local(final int global)
        {
            final int local = localOf[global] - 1;
            return local >= 0 ? local : add(global);
        }

        private int add(final int global)
        {
            final int local = used++;
            if (local == globalOf.length)
            {
                globalOf = Arrays.copyOf(globalOf, local * 2);
                seenInPage = Arrays.copyOf(seenInPage, local * 2);
            }
            globalOf[local] = global;
            seenInPage[local] = 0;
            localOf[global] = local + 1;
            return local;
        }

        /** Writes the chunk's dictionary page and forgets the chunk's numbering. */
        void endChunk(final PageWriter pages) throws IOException
        {
            int length = 0;
            for (int l = 0; l < used; l++)
            {
                length += Integer.BYTES + dictionary.bytesAt(globalOf[l]).length;
            }
            final byte[] bytes = scratch.page(length);
            int at = 0;
            for (int l = 0; l < used; l++)
            {
                final byte[] value = dictionary.bytesAt(globalOf[l]);
                INTS.set(bytes, at, value.length);
                System.arraycopy(value, 0, bytes, at + Integer.BYTES, value.length);
                at += Integer.BYTES + value.length;
                localOf[globalOf[l]] = 0;
            }
            pages.writeDictionaryPage(new DictionaryPage(BytesInput.from(bytes, 0, at), used, Encoding.PLAIN_DICTIONARY));
            used = 0;
        }
    }
}
