package dev.flowrec.query;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The exact rollup of one sealed hourly cycle of a journal ({@link RollupWriter}), read through a mapped buffer. All
 * little-endian, fixed width (the rows bit-packed); a CRC32C of everything before it ends the file:
 * <pre>
 *   header (128 bytes): magic "FRROLLUP", version, cycle, flags, the cycle file's length and mtime when rolled up,
 *                       min and max last packet of its deltas, the rows' inactive timeout, deltas, the counts below,
 *                       and the longest quiet spell inside a segment
 *   segments:  12 longs each: src high, src low, dst high, dst low, direction/family/proto/ports, naming id &lt;&lt; 32 |
 *              owner id, the first delta's first packet, first packet, last packet, packets, bytes,
 *              bits (first delta's TCP flags 0..15, OR of all 16..31)
 *   rows:      fixed width, bit-packed (version 3: were varints, the largest frame of a series' profile): a
 *              column table of {@link #COLUMNS} longs, each column's least value, and {@link #COLUMNS} bytes, each
 *              column's width in bits; then per row, from bit row * (the widths' sum), each column's value less its
 *              least, in that many bits, little-endian: the segment, the first delta's TCP flags, the OR of all, the
 *              last packet, the last packet less the first delta's first packet, that less the first packet, packets,
 *              bytes; then {@link #ROW_PADDING} zero bytes (all sums exact whatever their size)
 *   losses:    5 longs each: the loss report's time, ring events, packets, bytes, journal events since the one before
 *   namings:   3 ints each: interface string, container string, bit 0 turned round, bit 1 attached
 *   owners:    2 ints each: pid, comm string (owner 0 is none)
 *   strings:   length, UTF-8 bytes
 *   CRC32C of the rows (checked only by a query that reads them)
 *   CRC32C of all the above but the rows
 * </pre>
 * A rollup is trusted only for the cycle file it was made of: the same length and modification time.
 */
final class Rollup implements AutoCloseable
{
    static final long MAGIC = 0x50554C4C4F524652L; // "FRROLLUP" read little-endian
    static final int VERSION = 3;
    static final int MAGIC_AT = 0;
    static final int VERSION_AT = 8;
    static final int CYCLE_AT = 12;
    static final int FLAGS_AT = 16;
    static final int CYCLE_LENGTH_AT = 24;
    static final int CYCLE_MTIME_AT = 32;
    static final int MIN_LAST_AT = 40;
    static final int MAX_LAST_AT = 48;
    static final int INACTIVE_AT = 56;
    static final int DELTAS_AT = 64;
    static final int SEGMENTS_AT = 72;
    static final int LOSSES_AT = 76;
    static final int NAMINGS_AT = 80;
    static final int OWNERS_AT = 84;
    static final int STRINGS_AT = 88;
    static final int ROWS_AT = 92;
    static final int MAX_GAP_AT = 96;
    static final int ROW_BYTES_AT = 104;
    static final int HEADER_LENGTH = 128;

    /** Socket owners were known: a query past the cycle must read them (see {@link Replay}). */
    static final int OWNERS = 2;
    /** DNS answers named some of its deltas. */
    static final int NAMES = 4;

    static final int SEGMENT_LONGS = 12;
    static final int PACKED = 4;
    static final int NAMES_OWNER = 5;
    static final int DECIDING_FIRST = 6;
    static final int FIRST = 7;
    static final int LAST = 8;
    static final int PACKETS = 9;
    static final int BYTES = 10;
    static final int BITS = 11;
    static final int LOSS_LONGS = 5;

    /** A row's columns, in order. */
    static final int COLUMN_SEGMENT = 0;
    static final int COLUMN_FIRST_FLAGS = 1;
    static final int COLUMN_OR_FLAGS = 2;
    static final int COLUMN_LAST = 3;
    static final int COLUMN_SPAN = 4;
    static final int COLUMN_EARLIER = 5;
    static final int COLUMN_PACKETS = 6;
    static final int COLUMN_BYTES = 7;
    static final int COLUMNS = 8;
    static final int ROW_TABLE_LENGTH = COLUMNS * Long.BYTES + COLUMNS;
    /** After the packed rows: a value is read as two longs from its first byte, never past the rows' section. */
    static final int ROW_PADDING = 2 * Long.BYTES;

    private final MappedByteBuffer mapped;
    final UnsafeBuffer buffer;
    final int flags;
    final long minLastNs;
    final long maxLastNs;
    final long inactiveNs;
    final long deltas;
    final int segments;
    final int losses;
    final int segmentsAt;
    final int rowsAt;
    final int rows;
    final long maxGapNs;
    final int lossesAt;
    final String[] ifaces;
    final String[] containers;
    final boolean[] turned;
    final boolean[] attached;
    final Owner[] owners;
    /** From the losses to the rows' checksum. */
    private final int sectionsLength;
    private boolean rowsChecked;
    private boolean rowsIntact;

    /** A rollup opened, or why none could be trusted ("missing", "damaged", "stale"). */
    record Opened(Rollup rollup, String reason)
    {
    }

    private Rollup(final MappedByteBuffer mapped, final UnsafeBuffer buffer)
    {
        this.mapped = mapped;
        this.buffer = buffer;
        flags = buffer.getInt(FLAGS_AT);
        minLastNs = buffer.getLong(MIN_LAST_AT);
        maxLastNs = buffer.getLong(MAX_LAST_AT);
        inactiveNs = buffer.getLong(INACTIVE_AT);
        deltas = buffer.getLong(DELTAS_AT);
        segments = buffer.getInt(SEGMENTS_AT);
        losses = buffer.getInt(LOSSES_AT);
        final int namings = buffer.getInt(NAMINGS_AT);
        final int ownerCount = buffer.getInt(OWNERS_AT);
        final int stringCount = buffer.getInt(STRINGS_AT);
        segmentsAt = HEADER_LENGTH;
        rowsAt = segmentsAt + segments * SEGMENT_LONGS * Long.BYTES;
        rows = buffer.getInt(ROWS_AT);
        maxGapNs = buffer.getLong(MAX_GAP_AT);
        lossesAt = rowsAt + buffer.getInt(ROW_BYTES_AT);
        int at = lossesAt + losses * LOSS_LONGS * Long.BYTES;
        final int namingsAt = at;
        at += namings * 3 * Integer.BYTES;
        final int ownersAt = at;
        at += ownerCount * 2 * Integer.BYTES;
        final String[] strings = new String[stringCount];
        for (int i = 0; i < stringCount; i++)
        {
            final int length = buffer.getInt(at);
            strings[i] = buffer.getStringWithoutLengthUtf8(at + Integer.BYTES, length);
            at += Integer.BYTES + length;
        }
        ifaces = new String[namings];
        containers = new String[namings];
        turned = new boolean[namings];
        attached = new boolean[namings];
        for (int i = 0; i < namings; i++)
        {
            final int base = namingsAt + i * 3 * Integer.BYTES;
            ifaces[i] = strings[buffer.getInt(base)];
            containers[i] = strings[buffer.getInt(base + Integer.BYTES)];
            final int bits = buffer.getInt(base + 2 * Integer.BYTES);
            turned[i] = (bits & 1) != 0;
            attached[i] = (bits & 2) != 0;
        }
        sectionsLength = at - lossesAt;
        owners = new Owner[ownerCount];
        for (int i = 0; i < ownerCount; i++)
        {
            final int base = ownersAt + i * 2 * Integer.BYTES;
            final Owner owner = new Owner(buffer.getInt(base), strings[buffer.getInt(base + Integer.BYTES)]);
            owners[i] = owner.known() ? owner : Owner.NONE;
        }
    }

    /**
     * Opens the rollup at {@code file} of {@code cycleFile} if it is whole, was made of the cycle as it is now, and
     * every delta of it is in {@code window} (else "partial", found before the checksum is computed).
     */
    static Opened open(final Path file, final Path cycleFile, final Window window)
    {
        final long length;
        final long cycleLength;
        final long cycleMtime;
        try
        {
            length = Files.size(file);
            cycleLength = Files.size(cycleFile);
            cycleMtime = Files.getLastModifiedTime(cycleFile).toMillis();
        }
        catch (final NoSuchFileException ex)
        {
            return new Opened(null, "missing");
        }
        catch (final IOException ex)
        {
            return new Opened(null, "damaged");
        }
        if (length < HEADER_LENGTH + Integer.BYTES || length > Integer.MAX_VALUE)
        {
            return new Opened(null, "damaged");
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
        }
        catch (final IOException ex)
        {
            return new Opened(null, "damaged");
        }
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        final int end = (int)length - 2 * Integer.BYTES; // the rows' checksum, then the rest's
        final String reason;
        if (buffer.getLong(MAGIC_AT) != MAGIC)
        {
            reason = "damaged";
        }
        else if (buffer.getInt(VERSION_AT) != VERSION)
        {
            reason = "stale"; // another layout: never read further, written again
        }
        else if (!fits(buffer, end))
        {
            reason = "damaged";
        }
        else if (buffer.getLong(DELTAS_AT) > 0 &&
            (!window.holds(buffer.getLong(MIN_LAST_AT)) || !window.holds(buffer.getLong(MAX_LAST_AT))))
        {
            reason = "partial"; // before the checksum: a damaged header can only make the hour replayed
        }
        else
        {
            final int rowsAt = HEADER_LENGTH + buffer.getInt(SEGMENTS_AT) * SEGMENT_LONGS * Long.BYTES;
            final int lossesAt = rowsAt + buffer.getInt(ROW_BYTES_AT);
            if (buffer.getInt(end + Integer.BYTES) != crc(mapped, 0, rowsAt, lossesAt, end + Integer.BYTES))
            {
                reason = "damaged";
            }
            else
            {
                reason = buffer.getLong(CYCLE_LENGTH_AT) != cycleLength ||
                    buffer.getLong(CYCLE_MTIME_AT) != cycleMtime ? "stale" : null;
            }
        }
        if (reason != null)
        {
            IoUtil.unmap(mapped);
            return new Opened(null, reason);
        }
        return new Opened(new Rollup(mapped, buffer), null);
    }

    /** The CRC32C of {@code bytes} in [from, to) and, if given, [from2, to2). */
    static int crc(final java.nio.ByteBuffer bytes, final int... ranges)
    {
        final CRC32C crc = new CRC32C();
        for (int i = 0; i < ranges.length; i += 2)
        {
            crc.update(bytes.duplicate().limit(ranges[i + 1]).position(ranges[i]));
        }
        return (int)crc.getValue();
    }

    /** Whether the rows match their checksum: checked by a query that reads them, once. */
    boolean rowsIntact()
    {
        if (!rowsChecked)
        {
            rowsIntact = buffer.getInt(lossesAt + sectionsLength) == crc(mapped, rowsAt, lossesAt);
            rowsChecked = true;
        }
        return rowsIntact;
    }

    /** Whether the counts of a checksummed header describe sections within the file (a writer of another version). */
    private static boolean fits(final UnsafeBuffer buffer, final int end)
    {
        final long sections = HEADER_LENGTH + (long)buffer.getInt(SEGMENTS_AT) * SEGMENT_LONGS * Long.BYTES +
            (long)buffer.getInt(ROW_BYTES_AT) +
            (long)buffer.getInt(LOSSES_AT) * LOSS_LONGS * Long.BYTES + (long)buffer.getInt(NAMINGS_AT) * 3 * Integer.BYTES +
            (long)buffer.getInt(OWNERS_AT) * 2 * Integer.BYTES + (long)buffer.getInt(STRINGS_AT) * Integer.BYTES;
        return buffer.getInt(SEGMENTS_AT) >= 0 && buffer.getInt(ROWS_AT) >= 0 && buffer.getInt(ROW_BYTES_AT) >= 0 && buffer.getInt(LOSSES_AT) >= 0 && buffer.getInt(NAMINGS_AT) >= 0 &&
            buffer.getInt(OWNERS_AT) >= 0 && buffer.getInt(STRINGS_AT) >= 0 && sections <= end &&
            rowsFit(buffer, HEADER_LENGTH + buffer.getInt(SEGMENTS_AT) * SEGMENT_LONGS * Long.BYTES);
    }

    /**
     * Whether the rows' widths and count fit their section with its padding: then no value read without a bounds
     * check ({@link Rows}) reads outside it, whatever the checksums say.
     */
    private static boolean rowsFit(final UnsafeBuffer buffer, final int rowsAt)
    {
        final int rowBytes = buffer.getInt(ROW_BYTES_AT);
        if (rowBytes < ROW_TABLE_LENGTH + ROW_PADDING)
        {
            return false;
        }
        long rowBits = 0;
        for (int c = 0; c < COLUMNS; c++)
        {
            final int width = buffer.getByte(rowsAt + COLUMNS * Long.BYTES + c);
            if (width < 0 || width > Long.SIZE)
            {
                return false;
            }
            rowBits += width;
        }
        final long packedBytes = (buffer.getInt(ROWS_AT) * rowBits + Byte.SIZE - 1) / Byte.SIZE;
        return packedBytes <= rowBytes - ROW_TABLE_LENGTH - ROW_PADDING;
    }

    /**
     * Reads rows by number into its fields; one per query and hour, nothing allocated per row. A row is a fixed number
     * of bits, so a value is two unchecked reads, a shift and a mask (the varints before were the largest frame of a
     * series' profile): {@link #rowsFit} checked at open that the widths keep every read inside the rows' section.
     */
    static final class Rows
    {
        private final byte[] array;
        private final long address;
        private final long rowBits;
        private final int[] offset = new int[COLUMNS];
        private final long[] least = new long[COLUMNS];
        private final long[] mask = new long[COLUMNS];
        private long bit;
        int segment;
        int firstFlags;
        int orFlags;
        long lastNs;
        long decidingFirstNs;
        long packets;
        long bytes;

        Rows(final Rollup rollup)
        {
            final UnsafeBuffer buffer = rollup.buffer;
            array = buffer.byteArray();
            address = buffer.addressOffset() + rollup.rowsAt + ROW_TABLE_LENGTH;
            int at = 0;
            for (int c = 0; c < COLUMNS; c++)
            {
                final int width = buffer.getByte(rollup.rowsAt + COLUMNS * Long.BYTES + c);
                least[c] = buffer.getLong(rollup.rowsAt + c * Long.BYTES);
                mask[c] = width == 0 ? 0 : -1L >>> Long.SIZE - width;
                offset[c] = at;
                at += width;
            }
            rowBits = at;
        }

        /** Reads row {@code row} (its first packet by {@link #firstNs}, as only a fold per flow needs it). */
        void read(final int row)
        {
            bit = row * rowBits;
            segment = (int)value(COLUMN_SEGMENT);
            firstFlags = (int)value(COLUMN_FIRST_FLAGS);
            orFlags = (int)value(COLUMN_OR_FLAGS);
            lastNs = value(COLUMN_LAST);
            decidingFirstNs = lastNs - value(COLUMN_SPAN);
            packets = value(COLUMN_PACKETS);
            bytes = value(COLUMN_BYTES);
        }

        long firstNs()
        {
            return decidingFirstNs - value(COLUMN_EARLIER);
        }

        /** The first delta's TCP flags in bits 0..15, the OR of all in 16..31, as a segment's bits. */
        long bits()
        {
            return firstFlags | (long)orFlags << 16;
        }

        private long value(final int column)
        {
            final long at = bit + offset[column];
            final long from = address + (at >>> 3);
            final int shift = (int)at & 7;
            // The second long gives the bits past the first's 64 - shift; shifted by 64 - shift in two steps, as a
            // shift by 64 is none.
            final long bits = UnsafeApi.getLong(array, from) >>> shift |
                UnsafeApi.getLong(array, from + Long.BYTES) << 1 << Long.SIZE - 1 - shift;
            return least[column] + (bits & mask[column]);
        }
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
