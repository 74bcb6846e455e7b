package dev.flowrec.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The columnar {@link ParquetSink} against the row-at-a-time writer it replaced ({@link RowParquetSink}) on the
 * same random batches: DuckDB reads the same rows with the same types from both, for every compression, and each
 * row group's statistics are the min and max of the rows in it (DuckDB prunes by them). Batches of odd sizes and
 * a small row group size make several row groups, so dictionary pages are renumbered chunk after chunk.
 */
class ParquetSinkTest
{
    private static final int[] BATCHES = {20_000, 1, 1_000, 30_000, 7, 20_000, 3};

    @TempDir
    Path tmp;

    @Test
    void shouldWriteWhatTheRowWriterWroteWithEachRowGroupsMinAndMax() throws Exception
    {
        try (BufferAllocator allocator = new RootAllocator(); Dictionaries dictionaries = new Dictionaries(allocator))
        {
            final SplittableRandom random = new SplittableRandom(20);
            for (final String s : List.of("alpha", "beta"))
            {
                dictionaries.host.indexOf(s);
            }
            for (final String s : List.of("eth0", "lo", "veth1", "wlan0"))
            {
                dictionaries.iface.indexOf(s);
            }
            dictionaries.container.indexOf("");
            dictionaries.container.indexOf("c1");
            dictionaries.comm.indexOf("");
            dictionaries.comm.indexOf("curl");
            dictionaries.comm.indexOf("nginx: worker");
            for (int i = 0; i < 3_000; i++)
            {
                dictionaries.names.indexOf(i == 0 ? "" : "host" + i + ".example.org");
            }
            final Schema schema = FlowSchema.deltas(dictionaries, true, Map.of("k", "v"));
            final List<Field> fields = schema.getFields();
            final List<Object[]> batches = new ArrayList<>();
            for (final int rows : BATCHES)
            {
                final Object[] columns = new Object[fields.size()];
                for (int c = 0; c < columns.length; c++)
                {
                    columns[c] = column(fields.get(c), dictionaries, rows, random);
                }
                batches.add(columns);
            }
            for (final Compression compression : Compression.values())
            {
                final Path rows = tmp.resolve("rows-" + compression + ".parquet");
                final Path columns = tmp.resolve("columns-" + compression + ".parquet");
                try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
                    BatchSink before = new RowParquetSink(schema, dictionaries, new LocalOutputFile(rows), compression,
                        () -> Map.of("k", "v"), 128L << 20);
                    BatchSink after = new ParquetSink(schema, dictionaries, new LocalOutputFile(columns), compression,
                        () -> Map.of("k", "v"), 1L << 20, new ParquetColumn.Scratch()))
                {
                    for (final Object[] batch : batches)
                    {
                        fill(root, batch);
                        before.write(root);
                        after.write(root);
                    }
                }
                assertSameRows(rows, columns);
                assertStatistics(columns, fields, batches, dictionaries);
            }
        }
    }

    private static Object column(final Field field, final Dictionaries dictionaries, final int rows, final SplittableRandom random)
    {
        if (field.getDictionary() != null)
        {
            final int size = dictionaries.byId(field.getDictionary().getId()).size();
            final int[] values = new int[rows];
            final int used = 1 + random.nextInt(size); // a chunk uses some of the dictionary
            for (int r = 0; r < rows; r++)
            {
                values[r] = random.nextInt(used);
            }
            return values;
        }
        return switch (field.getName())
        {
            case "src_addr", "dst_addr" ->
            {
                final byte[][] values = new byte[rows][];
                for (int r = 0; r < rows; r++)
                {
                    values[r] = (random.nextInt(10) == 0 ? "2001:db8::" + Integer.toHexString(random.nextInt(65_536)) :
                        "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256))
                        .getBytes(StandardCharsets.US_ASCII);
                }
                yield values;
            }
            case "first_seen", "last_seen", "packets", "bytes" ->
            {
                final long[] values = new long[rows];
                for (int r = 0; r < rows; r++)
                {
                    values[r] = random.nextInt(100) == 0 ? random.nextLong() : 1_700_000_000_000_000_000L + random.nextLong(1L << 40);
                }
                yield values;
            }
            default ->
            {
                final int[] values = new int[rows];
                for (int r = 0; r < rows; r++)
                {
                    values[r] = random.nextInt(50) == 0 ? random.nextInt() : random.nextInt(65_536);
                }
                yield values;
            }
        };
    }

    private static void fill(final VectorSchemaRoot root, final Object[] batch)
    {
        int rows = 0;
        for (int c = 0; c < batch.length; c++)
        {
            final FieldVector v = root.getVector(c);
            v.reset();
            switch (batch[c])
            {
                case int[] ints ->
                {
                    rows = ints.length;
                    for (int r = 0; r < rows; r++)
                    {
                        ((IntVector)v).setSafe(r, ints[r]);
                    }
                }
                case long[] longs ->
                {
                    rows = longs.length;
                    for (int r = 0; r < rows; r++)
                    {
                        if (v instanceof TimeStampNanoTZVector t)
                        {
                            t.setSafe(r, longs[r]);
                        }
                        else
                        {
                            ((BigIntVector)v).setSafe(r, longs[r]);
                        }
                    }
                }
                case byte[][] texts ->
                {
                    rows = texts.length;
                    for (int r = 0; r < rows; r++)
                    {
                        ((VarCharVector)v).setSafe(r, texts[r]);
                    }
                }
                default -> throw new IllegalStateException("no column " + batch[c]);
            }
        }
        root.setRowCount(rows);
    }

    private static void assertSameRows(final Path expected, final Path actual) throws Exception
    {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement())
        {
            assertEquals(rows(s, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '" + expected + "')"),
                rows(s, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '" + actual + "')"));
            assertEquals(List.of(Arrays.stream(BATCHES).sum() + ""), rows(s, "SELECT count(*) FROM '" + actual + "'"));
            assertEquals(List.of("0"), rows(s, "SELECT count(*) FROM (SELECT * FROM '" + expected
                + "' EXCEPT ALL SELECT * FROM '" + actual + "')"));
            assertEquals(List.of("0"), rows(s, "SELECT count(*) FROM (SELECT * FROM '" + actual
                + "' EXCEPT ALL SELECT * FROM '" + expected + "')"));
            assertEquals(List.of("k=v"), rows(s, "SELECT decode(key) || '=' || decode(value) FROM parquet_kv_metadata('"
                + actual + "') WHERE decode(key) = 'k'"));
        }
    }

    private static List<String> rows(final Statement s, final String sql) throws Exception
    {
        final List<String> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery(sql))
        {
            while (r.next())
            {
                final StringBuilder row = new StringBuilder();
                for (int c = 1; c <= r.getMetaData().getColumnCount(); c++)
                {
                    row.append(c > 1 ? "|" : "").append(r.getString(c));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /** Each row group's statistics, column by column, against the min and max of the rows it holds. */
    private static void assertStatistics(final Path file, final List<Field> fields, final List<Object[]> batches,
        final Dictionaries dictionaries) throws Exception
    {
        {
            final List<BlockMetaData> groups = footer(file).getBlocks();
            assertTrue(groups.size() > 1, "several row groups: " + groups.size());
            int batch = 0;
            for (final BlockMetaData group : groups)
            {
                final List<Object[]> in = new ArrayList<>();
                long rows = 0;
                while (rows < group.getRowCount())
                {
                    final Object[] b = batches.get(batch++);
                    in.add(b);
                    rows += length(b[0]);
                }
                assertEquals(group.getRowCount(), rows, "row groups end where batches end");
                for (int c = 0; c < fields.size(); c++)
                {
                    final Statistics<?> statistics = group.getColumns().get(c).getStatistics();
                    assertEquals(0, statistics.getNumNulls());
                    final Field field = fields.get(c);
                    Comparable<?>[] minMax = null;
                    for (final Object[] b : in)
                    {
                        minMax = minMax(minMax, b[c], field, dictionaries);
                    }
                    assertEquals(minMax[0], normal(statistics.genericGetMin()), field.getName() + " min");
                    assertEquals(minMax[1], normal(statistics.genericGetMax()), field.getName() + " max");
                }
            }
            assertEquals(batches.size(), batch);
        }
    }

    /** The footer, read without parquet-java's reader (its options want Hadoop's mapreduce classes). */
    private static ParquetMetadata footer(final Path file) throws Exception
    {
        final byte[] bytes = Files.readAllBytes(file);
        final int length = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return new ParquetMetadataConverter().readParquetMetadata(
            new ByteArrayInputStream(bytes, bytes.length - 8 - length, length), ParquetMetadataConverter.NO_FILTER);
    }

    private static int length(final Object column)
    {
        return switch (column)
        {
            case int[] a -> a.length;
            case long[] a -> a.length;
            case byte[][] a -> a.length;
            default -> throw new IllegalStateException();
        };
    }

    /** Strings as Java strings (UTF-8 byte order is code point order, as String.compareTo is for these ASCII values). */
    private static Comparable<?> normal(final Object value)
    {
        return value instanceof Binary b ? b.toStringUsingUTF8() : (Comparable<?>)value;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparable<?>[] minMax(final Comparable<?>[] given, final Object column, final Field field,
        final Dictionaries dictionaries)
    {
        Comparable[] minMax = given;
        for (int r = 0; r < length(column); r++)
        {
            final Comparable value = switch (column)
            {
                case int[] a when field.getDictionary() != null -> dictionaries.byId(field.getDictionary().getId()).valueAt(a[r]);
                case int[] a -> a[r];
                case long[] a -> a[r];
                case byte[][] a -> new String(a[r], StandardCharsets.US_ASCII);
                default -> throw new IllegalStateException();
            };
            if (minMax == null)
            {
                minMax = new Comparable[] {value, value};
            }
            minMax[0] = value.compareTo(minMax[0]) < 0 ? value : minMax[0];
            minMax[1] = value.compareTo(minMax[1]) > 0 ? value : minMax[1];
        }
        return minMax;
    }
}
