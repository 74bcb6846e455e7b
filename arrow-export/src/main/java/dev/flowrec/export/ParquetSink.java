package dev.flowrec.export;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Parquet from Arrow record batches, a column at a time: every column required; timestamps INT64
 * TIMESTAMP(NANOS, UTC), Int32/Int64 as such (PLAIN, straight from the vectors' little-endian buffers),
 * dictionary-encoded strings BINARY STRING with a dictionary page per column chunk (the Arrow indexes
 * renumbered to the values the chunk uses, RLE/bit-packed), plain strings PLAIN. Each batch becomes one page
 * per column, with its min/max statistics; parquet-java's {@link ColumnChunkPageWriteStore} compresses the
 * pages and keeps them until the row group is complete, and {@link ParquetFileWriter} lays out the file
 * (footer, column and offset indexes). parquet-java's row-at-a-time writer cost four times as much: a
 * RecordConsumer call per value and a hash of every string for a dictionary the export already has.
 * The key-value metadata is asked for when the file is closed, so it can say what the whole export found
 * (coverage). A row group ends at {@code rowGroupBytes} of uncompressed pages (a fraction of the heap: the
 * compressed pages are held until then) or {@link #ROW_GROUP_ROWS} rows, whichever comes first.
 */
final class ParquetSink implements BatchSink
{
    /** Readers parallelize by row group (DuckDB, Spark): about a million rows, as pyarrow's writer does. */
    static final int ROW_GROUP_ROWS = 1 << 20;

    private final MessageType parquetSchema;
    private final ParquetFileWriter file;
    private final CompressionCodecName codec;
    private final ParquetCodecs codecs = new ParquetCodecs();
    private final Supplier<Map<String, String>> metadata;
    private final long rowGroupBytes;
    private final ParquetColumn[] columns;
    private ColumnChunkPageWriteStore store;
    private long groupRows;
    private long groupBytes;

    ParquetSink(final Schema schema, final Dictionaries dictionaries, final OutputFile out, final Compression compression,
        final Supplier<Map<String, String>> metadata, final long rowGroupBytes, final ParquetColumn.Scratch scratch)
        throws IOException
    {
        this.parquetSchema = parquetSchema(schema);
        this.codec = ParquetCodecs.codecOf(compression);
        this.metadata = metadata;
        this.rowGroupBytes = rowGroupBytes;
        final List<Field> fields = schema.getFields();
        final List<ColumnDescriptor> descriptors = parquetSchema.getColumns();
        columns = new ParquetColumn[fields.size()];
        for (int i = 0; i < columns.length; i++)
        {
            final Field f = fields.get(i);
            final ColumnDescriptor d = descriptors.get(i);
            columns[i] = f.getDictionary() != null ?
                new ParquetColumn.Dictionary(d, dictionaries.byId(f.getDictionary().getId()), scratch) :
                f.getType() instanceof ArrowType.Utf8 ? new ParquetColumn.Text(d, scratch) : new ParquetColumn.Fixed(d, scratch);
        }
        file = new ParquetFileWriter(out, parquetSchema, ParquetFileWriter.Mode.OVERWRITE, rowGroupBytes, 0,
            ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH, ParquetProperties.DEFAULT_STATISTICS_TRUNCATE_LENGTH,
            ParquetProperties.DEFAULT_PAGE_WRITE_CHECKSUM_ENABLED);
        file.start();
    }

    public void write(final VectorSchemaRoot root) throws IOException
    {
        final int rows = root.getRowCount();
        if (rows == 0)
        {
            return;
        }
        if (store == null)
        {
            store = new ColumnChunkPageWriteStore(codecs.getCompressor(codec), parquetSchema,
                HeapByteBufferAllocator.getInstance(), ParquetProperties.DEFAULT_COLUMN_INDEX_TRUNCATE_LENGTH,
                ParquetProperties.DEFAULT_PAGE_WRITE_CHECKSUM_ENABLED);
        }
        final List<FieldVector> vectors = root.getFieldVectors();
        for (int i = 0; i < columns.length; i++)
        {
            final FieldVector v = vectors.get(i);
            final PageWriter pages = store.getPageWriter(columns[i].descriptor());
            groupBytes += switch (columns[i])
            {
                case ParquetColumn.Dictionary c -> c.page((IntVector)v, rows, pages);
                case ParquetColumn.Text c -> c.page((VarCharVector)v, rows, pages);
                case ParquetColumn.Fixed c -> c.page((BaseFixedWidthVector)v, rows, pages);
            };
        }
        groupRows += rows;
        if (groupRows >= ROW_GROUP_ROWS || groupBytes >= rowGroupBytes)
        {
            endRowGroup();
        }
    }

    public void close() throws IOException
    {
        try
        {
            if (store != null)
            {
                endRowGroup();
            }
            file.end(metadata.get());
        }
        finally
        {
            if (store != null)
            {
                store.close();
            }
            codecs.release();
        }
    }

    private void endRowGroup() throws IOException
    {
        for (final ParquetColumn c : columns)
        {
            if (c instanceof ParquetColumn.Dictionary d)
            {
                d.endChunk(store.getPageWriter(c.descriptor()));
            }
        }
        file.startBlock(groupRows);
        store.flushToFileWriter(file);
        file.endBlock();
        store.close();
        store = null;
        groupRows = 0;
        groupBytes = 0;
    }

    /** The Parquet schema of an Arrow schema (required columns, in order). */
    static MessageType parquetSchema(final Schema schema)
    {
        final Types.MessageTypeBuilder builder = Types.buildMessage();
        for (final Field f : schema.getFields())
        {
            if (f.getDictionary() != null || f.getType() instanceof ArrowType.Utf8)
            {
                builder.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(f.getName());
            }
            else if (f.getType() instanceof ArrowType.Timestamp)
            {
                builder.required(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.NANOS)).named(f.getName());
            }
            else if (f.getType() instanceof ArrowType.Int i && i.getBitWidth() == 32)
            {
                builder.required(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(32, true)).named(f.getName());
            }
            else if (f.getType() instanceof ArrowType.Int i && i.getBitWidth() == 64)
            {
                builder.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.intType(64, true)).named(f.getName());
            }
            else
            {
                throw new IllegalArgumentException("no Parquet type for column " + f);
            }
        }
        return builder.named("flow");
    }
}
