import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * An independent reader of flowrec's hive-partitioned Parquet exports: Spark (local mode, Java API), nothing
 * of flowrec's. Run by scripts/spark/check, which fetches Spark and compiles this file.
 *
 * <pre>
 *   check DIR     spark.read.parquet(DIR), partition discovery on, and print one fact a line:
 *     meta KEY VALUE                    key-value metadata of the first part file's footer (VALUE one line)
 *     parquet_column NAME PHYSICAL LOGICAL CODEC ENCODINGS
 *                                       that footer's columns, from parquet-mr (first row group)
 *     files N                           part files (*.parquet) under DIR
 *     timestamps native|nanos-as-long   nanos-as-long: the files hold TIMESTAMP(NANOS), which Spark 3.5 reads
 *                                       only as a long, with spark.sql.legacy.parquet.nanosAsLong
 *     field NAME TYPE nullable|notnull  Spark's schema, partition columns (host, date, hour) included
 *     rows N / packets N / bytes N      totals
 *     host_proto HOST PROTO ROWS FLOWS PACKETS BYTES
 *                                       FLOWS = distinct (iface, container, direction, 5-tuple)
 *     partition HOST DATE HOUR ROWS PACKETS BYTES
 *     partition_mismatch FIRST LAST     rows whose date/hour partition is not that of first_seen / last_seen
 *   sample DIR    write a tiny export-shaped hive-partitioned directory with parquet-mr alone (a check of
 *                 `check` without flowrec): hosts a and b, 3 rows, TIMESTAMP(NANOS, UTC) times
 * </pre>
 * The driver binds to 127.0.0.1 with the UI off: Spark never reaches beyond this machine.
 */
public final class FlowrecSparkCheck
{
    public static void main(final String[] args) throws Exception
    {
        if (args.length != 2 || !(args[0].equals("check") || args[0].equals("sample")))
        {
            System.err.println("usage: FlowrecSparkCheck check|sample DIR");
            System.exit(2);
        }
        if (args[0].equals("sample"))
        {
            sample(Path.of(args[1]));
        }
        else
        {
            check(args[1]);
        }
    }

    private static SparkSession session(final boolean nanosAsLong)
    {
        return SparkSession.builder()
            .appName("flowrec-spark-check")
            .master("local[2]")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.catalogImplementation", "in-memory")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.legacy.parquet.nanosAsLong", String.valueOf(nanosAsLong))
            .getOrCreate();
    }

    private static void check(final String dir) throws IOException
    {
        final StringBuilder out = new StringBuilder();
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of(dir)))
        {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                .filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        // The footer first, with parquet-mr: Spark 3.5 refuses TIMESTAMP(NANOS) as a timestamp (it reads it
        // as a long only with spark.sql.legacy.parquet.nanosAsLong), so look before asking Spark.
        boolean nanos = false;
        if (!files.isEmpty())
        {
            final ParquetMetadata footer = footer(files.get(0));
            footer.getFileMetaData().getKeyValueMetaData().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append("meta ").append(e.getKey()).append(' ')
                    .append(e.getValue().replace("\\", "\\\\").replace("\n", "\\n")).append('\n'));
            for (final ColumnDescriptor c : footer.getFileMetaData().getSchema().getColumns())
            {
                final PrimitiveType t = c.getPrimitiveType();
                nanos |= t.getLogicalTypeAnnotation() instanceof TimestampLogicalTypeAnnotation ts
                    && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.NANOS;
                final ColumnChunkMetaData chunk = footer.getBlocks().isEmpty() ? null : footer.getBlocks().get(0)
                    .getColumns().stream().filter(m -> m.getPath().equals(ColumnPath.get(c.getPath()))).findFirst().orElse(null);
                out.append("parquet_column ").append(String.join(".", c.getPath())).append(' ')
                    .append(t.getPrimitiveTypeName()).append(' ')
                    .append(t.getLogicalTypeAnnotation() == null ? "-" : t.getLogicalTypeAnnotation().toString().replace(" ", ""))
                    .append(' ').append(chunk == null ? "-" : chunk.getCodec())
                    .append(' ').append(chunk == null ? "-" : chunk.getEncodings().stream().map(Object::toString).sorted()
                        .reduce((a, b) -> a + "," + b).orElse("-"))
                    .append('\n');
            }
        }
        out.append("files ").append(files.size()).append('\n');
        out.append("timestamps ").append(nanos ? "nanos-as-long" : "native").append('\n');

        final SparkSession spark = session(nanos);
        final Dataset<Row> df = spark.read().parquet(dir);
        for (final StructField f : df.schema().fields())
        {
            out.append("field ").append(f.name()).append(' ').append(f.dataType().simpleString())
                .append(f.nullable() ? " nullable" : " notnull").append('\n');
        }
        final boolean nanosAsLong = nanos;

        final Row totals = df.agg(count(lit(1)), sum("packets"), sum("bytes")).first();
        out.append("rows ").append(totals.getLong(0)).append('\n');
        out.append("packets ").append(totals.isNullAt(1) ? 0 : totals.getLong(1)).append('\n');
        out.append("bytes ").append(totals.isNullAt(2) ? 0 : totals.getLong(2)).append('\n');

        final Column flowKey = concat_ws("|", col("iface"), col("container"), col("direction"),
            col("src_addr"), col("src_port").cast("string"), col("dst_addr"), col("dst_port").cast("string"));
        for (final Row r : df.groupBy("host", "proto")
            .agg(count(lit(1)), countDistinct(flowKey), sum("packets"), sum("bytes"))
            .orderBy("host", "proto").collectAsList())
        {
            out.append("host_proto ").append(r.get(0)).append(' ').append(r.get(1)).append(' ').append(r.getLong(2))
                .append(' ').append(r.getLong(3)).append(' ').append(r.getLong(4)).append(' ').append(r.getLong(5))
                .append('\n');
        }

        final boolean partitioned = List.of(df.columns()).containsAll(List.of("host", "date", "hour"));
        if (partitioned)
        {
            for (final Row r : df.groupBy("host", "date", "hour").agg(count(lit(1)), sum("packets"), sum("bytes"))
                .orderBy("host", "date", "hour").collectAsList())
            {
                out.append("partition ").append(r.get(0)).append(' ').append(r.get(1)).append(' ')
                    .append(String.format("%02d", ((Number)r.get(2)).intValue())).append(' ').append(r.getLong(3))
                    .append(' ').append(r.getLong(4)).append(' ').append(r.getLong(5)).append('\n');
            }
            final Column partition = concat_ws(" ", col("date").cast("string"),
                lpad(col("hour").cast("string"), 2, "0"));
            final Row mismatch = df.agg(
                sum(when(partition.notEqual(dayHour("first_seen", nanosAsLong)), 1).otherwise(0)),
                sum(when(partition.notEqual(dayHour("last_seen", nanosAsLong)), 1).otherwise(0))).first();
            out.append("partition_mismatch ").append(mismatch.isNullAt(0) ? 0 : mismatch.getLong(0)).append(' ')
                .append(mismatch.isNullAt(1) ? 0 : mismatch.getLong(1)).append('\n');
        }
        System.out.print(out);
        System.out.flush();
        spark.stop();
    }

    /** "yyyy-MM-dd HH" of a timestamp column, or of epoch nanoseconds read as a long (integer division: exact). */
    private static Column dayHour(final String time, final boolean nanosAsLong)
    {
        return date_format(nanosAsLong ? expr("timestamp_seconds(" + time + " div 1000000000)") : col(time), "yyyy-MM-dd HH");
    }

    private static ParquetMetadata footer(final Path file) throws IOException
    {
        try (ParquetFileReader reader = ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration())))
        {
            return reader.getFooter();
        }
    }

    // --- sample: the export's shape, written by parquet-mr's example writer --------------------------------

    private static final MessageType SAMPLE_SCHEMA = MessageTypeParser.parseMessageType("""
        message flow {
          required int64 first_seen (TIMESTAMP(NANOS,true));
          required int64 last_seen (TIMESTAMP(NANOS,true));
          required binary iface (STRING);
          required binary container (STRING);
          required binary direction (STRING);
          required binary proto (STRING);
          required binary src_addr (STRING);
          required binary dst_addr (STRING);
          required int32 src_port;
          required int32 dst_port;
          required int64 packets;
          required int64 bytes;
          required binary tcp_flags (STRING);
        }
        """);

    private static void sample(final Path dir) throws IOException
    {
        final long t = 1767225600L * 1_000_000_000L; // 2026-01-01T00:00:00Z
        write(dir.resolve("host=a/date=2026-01-01/hour=00/part-0.parquet"),
            new Object[][] {{t, t + 10, "tcp", 3L, 300L}, {t + 1, t + 11, "tcp", 4L, 400L}});
        write(dir.resolve("host=b/date=2026-01-01/hour=01/part-0.parquet"),
            new Object[][] {{t + 3_600_000_000_000L, t + 3_600_000_000_010L, "udp", 5L, 500L}});
    }

    private static void write(final Path file, final Object[][] rows) throws IOException
    {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        final SimpleGroupFactory groups = new SimpleGroupFactory(SAMPLE_SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withType(SAMPLE_SCHEMA).withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .withExtraMetaData(Map.of("flowrec.version", "sample")).build())
        {
            int port = 1000;
            for (final Object[] r : rows)
            {
                writer.write(groups.newGroup()
                    .append("first_seen", (long)r[0]).append("last_seen", (long)r[1])
                    .append("iface", "eth0").append("container", "").append("direction", "out")
                    .append("proto", (String)r[2]).append("src_addr", "10.0.0.1").append("dst_addr", "10.0.0.2")
                    .append("src_port", port++).append("dst_port", 80)
                    .append("packets", (long)r[3]).append("bytes", (long)r[4]).append("tcp_flags", ""));
            }
        }
    }

    private FlowrecSparkCheck()
    {
    }
}
