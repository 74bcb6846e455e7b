package dev.flowrec.query;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.FlowDeltas;
import dev.flowrec.journal.schema.FlowTimeouts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Rolls one sealed hourly cycle of a journal up into its {@link Rollup}, in two cuts of its deltas, each in the order
 * of its parts' first deltas. Segments: runs of one key's consecutive deltas with one owner, ended before a SYN, with
 * the longest quiet spell inside any of them; a query whose inactive timeout is at least that folds one segment per
 * flow and hour. Rows: the segments cut again per minute of the last packet and before a quiet spell past the default
 * inactive timeout, for a series or a shorter timeout. Within a segment or row no delta could start a new flow
 * whatever the flow saw before ({@link FlowTimeouts}), so a reader decides each one's first delta against its own
 * table exactly as for a delta.
 * Written to a temporary file, forced, renamed over the old one, and the directory forced.
 */
public final class RollupWriter implements Replay.CycleSink
{
    /** A rollup is written as CYCLE.rollup.tmp, then renamed: one left by a writer that died is garbage. */
    public static final String TEMPORARY_SUFFIX = ".tmp";
    private static final long MINUTE_NS = 60_000_000_000L;
    private static final int TCP_SYN = 0x02;

    /** A 5-tuple with its direction and names, as a replay's table keys it (less the bucket). */
    private record Key(long srcHigh, long srcLow, long dstHigh, long dstLow, long packed, int names)
    {
    }

    /** The segment and row a key is adding to, their last packets, and the row's minute. */
    private static final class Open
    {
        int segment;
        long lastNs;
        int row;
        long rowMinute;
        long rowLastNs;
    }

    private record Naming(String iface, String container, boolean turned, boolean attached)
    {
    }

    /** A row while it is summed: 6 longs (written as {@link Rollup} lays rows out, in {@link #encodeRows}). */
    private static final int ROW_LONGS = 6;
    private static final int ROW_SEGMENT_BITS = 0;
    private static final int ROW_DECIDING_FIRST = 1;
    private static final int ROW_FIRST = 2;
    private static final int ROW_LAST = 3;
    private static final int ROW_PACKETS = 4;
    private static final int ROW_BYTES = 5;

    private final long inactiveNs;
    private final Map<Key, Open> open = new HashMap<>();
    private final Map<Naming, Integer> namings = new HashMap<>();
    private final Map<Owner, Integer> owners = new HashMap<>();
    private final List<String> strings = new ArrayList<>();
    private final Map<String, Integer> stringIds = new HashMap<>();
    private final List<long[]> losses = new ArrayList<>();
    private long[] segments = new long[1024 * Rollup.SEGMENT_LONGS];
    private int segmentCount;
    private long[] rows = new long[1024 * ROW_LONGS];
    private int rowCount;
    /** The longest quiet spell inside a segment, between a delta's first packet and the segment's last before it. */
    private long maxGapNs = Long.MIN_VALUE;
    private long deltas;
    private long minLastNs = Long.MAX_VALUE;
    private long maxLastNs = Long.MIN_VALUE;
    private boolean ownersKnown;
    private boolean namesInForce;
    private boolean turned;
    private boolean attached;

    private RollupWriter(final long inactiveNs)
    {
        this.inactiveNs = inactiveNs;
        owners.put(Owner.NONE, 0);
        string("");
    }

    /** What rolling a cycle up did: the file written (null when none was) and why not. */
    public record Outcome(Path file, long deltas, int segments, int rows, String skipped)
    {
    }

    /**
     * Rolls up {@code cycle} of the journal in {@code dir} unless its rollup is already current.
     *
     * @throws UncheckedIOException when the rollup cannot be written (the journal is untouched)
     */
    public static Outcome write(final Path dir, final int cycle)
    {
        final Path cycleFile = JournalPaths.cycleFile(dir, cycle);
        final Path target = JournalPaths.rollupFile(cycleFile);
        try
        {
            final Rollup current = Rollup.open(target, cycleFile, Window.ALL).rollup();
            final boolean intact = current != null && current.rowsIntact();
            if (current != null)
            {
                current.close();
            }
            if (intact)
            {
                return new Outcome(target, 0, 0, 0, "current");
            }
            final long length = Files.size(cycleFile);
            final long mtime = Files.getLastModifiedTime(cycleFile).toMillis();
            final RollupWriter writer = new RollupWriter(FlowTimeouts.DEFAULT_INACTIVE_NS);
            if (!Replay.readCycle(dir, cycle, Timeline.of(dir, Window.ALL), writer))
            {
                return new Outcome(null, 0, 0, 0, "damaged or unreadable");
            }
            if (Files.size(cycleFile) != length || Files.getLastModifiedTime(cycleFile).toMillis() != mtime)
            {
                return new Outcome(null, 0, 0, 0, "written to while read");
            }
            writer.writeTo(target, cycle, length, mtime);
            if (!Files.exists(cycleFile))
            {
                Files.deleteIfExists(target); // retention deleted the cycle meanwhile: no rollup outlives its cycle
                return new Outcome(null, 0, 0, 0, "deleted by retention");
            }
            return new Outcome(target, writer.deltas, writer.segmentCount, writer.rowCount, null);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot roll up cycle " + cycleFile + " into " + target + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Rolls up every sealed cycle of the journal in {@code dir} that has no current rollup: every cycle but the last
     * while a recorder holds the journal (it is still being written). Returns each cycle's outcome, in order.
     */
    public static java.util.SortedMap<Integer, Outcome> writeSealed(final Path dir)
    {
        final java.util.SortedMap<Integer, Outcome> outcomes = new java.util.TreeMap<>();
        for (final int cycle : sealedCycles(dir))
        {
            outcomes.put(cycle, write(dir, cycle));
        }
        return outcomes;
    }

    /** The journal's cycles, in order, but the last while a recorder holds the journal. */
    public static int[] sealedCycles(final Path dir)
    {
        final int[] cycles = RollupPlan.cycles(dir);
        final boolean recording = dev.flowrec.journal.RecorderLockProbe.holder(dir) != dev.flowrec.journal.RecorderLockProbe.NONE;
        return recording && cycles.length > 0 ? Arrays.copyOf(cycles, cycles.length - 1) : cycles;
    }

    public void naming(final boolean turned, final boolean attached)
    {
        this.turned = turned;
        this.attached = attached;
    }

    public void loss(final long timeNs, final long ringEvents, final long ringPackets, final long ringBytes,
        final long journalEvents)
    {
        losses.add(new long[] {timeNs, ringEvents, ringPackets, ringBytes, journalEvents});
    }

    public void end(final boolean ownersKnown, final boolean namesInForce)
    {
        this.ownersKnown |= ownersKnown;
        this.namesInForce = namesInForce;
    }

    @Override
    public boolean namesEveryDelta()
    {
        return false;
    }

    public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container)
    {
        onFlow(delta, iface, container, Owner.NONE);
    }

    @Override
    public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner)
    {
        deltas++;
        final long firstNs = delta.firstNs();
        final long lastNs = delta.lastNs();
        final int flags = delta.tcpFlags();
        minLastNs = Math.min(minLastNs, lastNs);
        maxLastNs = Math.max(maxLastNs, lastNs);
        final int names = namings.computeIfAbsent(new Naming(iface, container, turned, attached), n -> namings.size());
        final Integer known = owners.get(owner);
        final int ownerId = known != null ? known : owners.computeIfAbsent(owner, o -> owners.size());
        ownersKnown |= owner.known();
        final Key key = new Key(FlowDeltas.srcAddrHigh(delta), FlowDeltas.srcAddrLow(delta),
            FlowDeltas.dstAddrHigh(delta), FlowDeltas.dstAddrLow(delta),
            FlowSumsTable.pack(delta.direction(), delta.family(), delta.proto(), delta.srcPort(), delta.dstPort()), names);
        final long minute = Math.floorDiv(lastNs, MINUTE_NS);
        Open o = open.get(key);
        if (o == null)
        {
            o = new Open();
            open.put(key, o);
        }
        else if ((flags & TCP_SYN) == 0 &&
            (int)segments[o.segment * Rollup.SEGMENT_LONGS + Rollup.NAMES_OWNER] == ownerId)
        {
            // No SYN, the same owner: the delta continues its flow unless the quiet spell before it is past the
            // query's inactive timeout (maxGapNs says the longest).
            maxGapNs = Math.max(maxGapNs, firstNs - o.lastNs);
            final int at = o.segment * Rollup.SEGMENT_LONGS;
            segments[at + Rollup.FIRST] = Math.min(segments[at + Rollup.FIRST], firstNs);
            segments[at + Rollup.LAST] = Math.max(segments[at + Rollup.LAST], lastNs);
            segments[at + Rollup.PACKETS] += delta.packets();
            segments[at + Rollup.BYTES] += delta.bytes();
            segments[at + Rollup.BITS] |= (long)(flags & 0xFFFF) << 16;
            o.lastNs = Math.max(o.lastNs, lastNs);
            if (minute == o.rowMinute && firstNs - o.rowLastNs <= inactiveNs)
            {
                final int r = o.row * ROW_LONGS;
                rows[r + ROW_FIRST] = Math.min(rows[r + ROW_FIRST], firstNs);
                rows[r + ROW_LAST] = Math.max(rows[r + ROW_LAST], lastNs);
                rows[r + ROW_PACKETS] += delta.packets();
                rows[r + ROW_BYTES] += delta.bytes();
                rows[r + ROW_SEGMENT_BITS] |= (long)(flags & 0xFFFF) << 16;
                o.rowLastNs = Math.max(o.rowLastNs, lastNs);
                return;
            }
            o.row = appendRow(o.segment, delta);
            o.rowMinute = minute;
            o.rowLastNs = lastNs;
            return;
        }
        o.segment = append(key, ownerId, delta);
        o.lastNs = lastNs;
        o.row = appendRow(o.segment, delta);
        o.rowMinute = minute;
        o.rowLastNs = lastNs;
    }

    private int appendRow(final int segment, final FlowDeltaDecoder delta)
    {
        if ((rowCount + 1) * ROW_LONGS > rows.length)
        {
            rows = Arrays.copyOf(rows, rows.length * 2);
        }
        final int r = rowCount * ROW_LONGS;
        final int flags = delta.tcpFlags() & 0xFFFF;
        rows[r + ROW_SEGMENT_BITS] = (long)segment << 32 | flags | (long)flags << 16;
        rows[r + ROW_DECIDING_FIRST] = delta.firstNs();
        rows[r + ROW_FIRST] = delta.firstNs();
        rows[r + ROW_LAST] = delta.lastNs();
        rows[r + ROW_PACKETS] = delta.packets();
        rows[r + ROW_BYTES] = delta.bytes();
        return rowCount++;
    }

    private int append(final Key key, final int ownerId, final FlowDeltaDecoder delta)
    {
        if ((segmentCount + 1) * Rollup.SEGMENT_LONGS > segments.length)
        {
            segments = Arrays.copyOf(segments, segments.length * 2);
        }
        final int at = segmentCount * Rollup.SEGMENT_LONGS;
        segments[at] = key.srcHigh();
        segments[at + 1] = key.srcLow();
        segments[at + 2] = key.dstHigh();
        segments[at + 3] = key.dstLow();
        segments[at + Rollup.PACKED] = key.packed();
        segments[at + Rollup.NAMES_OWNER] = (long)key.names() << 32 | ownerId;
        segments[at + Rollup.DECIDING_FIRST] = delta.firstNs();
        segments[at + Rollup.FIRST] = delta.firstNs();
        segments[at + Rollup.LAST] = delta.lastNs();
        segments[at + Rollup.PACKETS] = delta.packets();
        segments[at + Rollup.BYTES] = delta.bytes();
        final int flags = delta.tcpFlags() & 0xFFFF;
        segments[at + Rollup.BITS] = flags | (long)flags << 16;
        return segmentCount++;
    }

    /** The rows as {@link Rollup} lays them out (bit-packed, each column less its least); returns their length. */
    private int encodeRows(final ExpandableArrayBuffer out)
    {
        final long[] least = new long[Rollup.COLUMNS];
        final long[] most = new long[Rollup.COLUMNS];
        Arrays.fill(least, rowCount == 0 ? 0 : Long.MAX_VALUE);
        Arrays.fill(most, rowCount == 0 ? 0 : Long.MIN_VALUE);
        final long[] values = new long[Rollup.COLUMNS];
        for (int r = 0; r < rowCount; r++)
        {
            rowValues(r, values);
            for (int c = 0; c < Rollup.COLUMNS; c++)
            {
                least[c] = Math.min(least[c], values[c]);
                most[c] = Math.max(most[c], values[c]);
            }
        }
        final int[] width = new int[Rollup.COLUMNS];
        int rowBits = 0;
        for (int c = 0; c < Rollup.COLUMNS; c++)
        {
            width[c] = Long.SIZE - Long.numberOfLeadingZeros(most[c] - least[c]); // unsigned: any range fits 64
            rowBits += width[c];
            out.putLong(c * Long.BYTES, least[c]);
            out.putByte(Rollup.COLUMNS * Long.BYTES + c, (byte)width[c]);
        }
        final int packedAt = Rollup.ROW_TABLE_LENGTH;
        final long packedBits = (long)rowCount * rowBits;
        final long length = packedAt + (packedBits + Byte.SIZE - 1) / Byte.SIZE + Rollup.ROW_PADDING;
        if (length > Integer.MAX_VALUE - Byte.SIZE)
        {
            throw new IllegalStateException("rollup rows too long: " + length + " bytes");
        }
        out.setMemory(packedAt, (int)length - packedAt, (byte)0);
        long bit = 0;
        for (int r = 0; r < rowCount; r++)
        {
            rowValues(r, values);
            for (int c = 0; c < Rollup.COLUMNS; c++)
            {
                final long v = values[c] - least[c];
                final int at = packedAt + (int)(bit >>> 3);
                final int shift = (int)bit & 7;
                out.putLong(at, out.getLong(at) | v << shift);
                if (shift + width[c] > Long.SIZE)
                {
                    out.putLong(at + Long.BYTES, out.getLong(at + Long.BYTES) | v >>> Long.SIZE - shift);
                }
                bit += width[c];
            }
        }
        return (int)length;
    }

    /** Row {@code r}'s column values, in {@link Rollup}'s order. */
    private void rowValues(final int r, final long[] values)
    {
        final int at = r * ROW_LONGS;
        final long segmentBits = rows[at + ROW_SEGMENT_BITS];
        values[Rollup.COLUMN_SEGMENT] = segmentBits >>> 32;
        values[Rollup.COLUMN_FIRST_FLAGS] = segmentBits & 0xFFFF;
        values[Rollup.COLUMN_OR_FLAGS] = segmentBits >>> 16 & 0xFFFF;
        values[Rollup.COLUMN_LAST] = rows[at + ROW_LAST];
        values[Rollup.COLUMN_SPAN] = rows[at + ROW_LAST] - rows[at + ROW_DECIDING_FIRST];
        values[Rollup.COLUMN_EARLIER] = rows[at + ROW_DECIDING_FIRST] - rows[at + ROW_FIRST];
        values[Rollup.COLUMN_PACKETS] = rows[at + ROW_PACKETS];
        values[Rollup.COLUMN_BYTES] = rows[at + ROW_BYTES];
    }

    private int string(final String s)
    {
        return stringIds.computeIfAbsent(s, k ->
        {
            strings.add(k);
            return strings.size() - 1;
        });
    }

    private void writeTo(final Path target, final int cycle, final long cycleLength, final long cycleMtimeMs)
        throws IOException
    {
        final Naming[] namingById = new Naming[namings.size()];
        namings.forEach((n, id) -> namingById[id] = n);
        final Owner[] ownerById = new Owner[owners.size()];
        owners.forEach((o, id) -> ownerById[id] = o);
        final int[] namingInts = new int[namingById.length * 3];
        for (int i = 0; i < namingById.length; i++)
        {
            namingInts[i * 3] = string(namingById[i].iface());
            namingInts[i * 3 + 1] = string(namingById[i].container());
            namingInts[i * 3 + 2] = (namingById[i].turned() ? 1 : 0) | (namingById[i].attached() ? 2 : 0);
        }
        final int[] ownerInts = new int[ownerById.length * 2];
        for (int i = 0; i < ownerById.length; i++)
        {
            ownerInts[i * 2] = ownerById[i].pid();
            ownerInts[i * 2 + 1] = string(ownerById[i].comm());
        }
        final byte[][] encoded = new byte[strings.size()][];
        for (int i = 0; i < encoded.length; i++)
        {
            encoded[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
        }
        // grown to the rows' length by encodeRows
        final ExpandableArrayBuffer rowBytes = new ExpandableArrayBuffer(Rollup.ROW_TABLE_LENGTH + Rollup.ROW_PADDING);
        final int rowLength = encodeRows(rowBytes);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[Rollup.HEADER_LENGTH]); // the rest through RollupOutput
        out.putLong(Rollup.MAGIC_AT, Rollup.MAGIC);
        out.putInt(Rollup.VERSION_AT, Rollup.VERSION);
        out.putInt(Rollup.CYCLE_AT, cycle);
        out.putInt(Rollup.FLAGS_AT, (ownersKnown ? Rollup.OWNERS : 0) |
            (namesInForce ? Rollup.NAMES : 0));
        out.putLong(Rollup.CYCLE_LENGTH_AT, cycleLength);
        out.putLong(Rollup.CYCLE_MTIME_AT, cycleMtimeMs);
        out.putLong(Rollup.MIN_LAST_AT, minLastNs);
        out.putLong(Rollup.MAX_LAST_AT, maxLastNs);
        out.putLong(Rollup.INACTIVE_AT, inactiveNs);
        out.putLong(Rollup.DELTAS_AT, deltas);
        out.putInt(Rollup.SEGMENTS_AT, segmentCount);
        out.putInt(Rollup.ROWS_AT, rowCount);
        out.putInt(Rollup.ROW_BYTES_AT, rowLength);
        out.putLong(Rollup.MAX_GAP_AT, maxGapNs);
        out.putInt(Rollup.LOSSES_AT, losses.size());
        out.putInt(Rollup.NAMINGS_AT, namingById.length);
        out.putInt(Rollup.OWNERS_AT, ownerById.length);
        out.putInt(Rollup.STRINGS_AT, encoded.length);
        Files.createDirectories(target.getParent());
        final Path temporary = target.resolveSibling(target.getFileName() + TEMPORARY_SUFFIX);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final RollupOutput file = new RollupOutput(channel);
            file.put(out, 0, Rollup.HEADER_LENGTH);
            for (int i = 0; i < segmentCount * Rollup.SEGMENT_LONGS; i++)
            {
                file.putLong(segments[i]);
            }
            file.rows(true);
            file.put(rowBytes, 0, rowLength);
            file.rows(false);
            for (final long[] loss : losses)
            {
                for (final long v : loss)
                {
                    file.putLong(v);
                }
            }
            for (final int v : namingInts)
            {
                file.putInt(v);
            }
            for (final int v : ownerInts)
            {
                file.putInt(v);
            }
            for (final byte[] s : encoded)
            {
                file.putInt(s.length);
                file.put(s);
            }
            // The rows have a checksum of their own, checked only by a query that reads them; the other covers the rest.
            file.putInt(file.rowsCrc());
            file.putInt(file.restCrc());
            file.flush();
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(target.getParent(), StandardOpenOption.READ))
        {
            directory.force(true);
        }
    }
}
