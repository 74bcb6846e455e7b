package dev.flowrec.export;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * The export's Parquet writer before issue 20, kept as the reference {@link ParquetSink} is measured against
 * (ParquetSinkBench) and compared with (ParquetSinkTest): a row at a time through parquet-java's RecordConsumer,
 * which dictionary-encodes every column by hashing each value. The key-value metadata is asked for when the file is closed, so it can say
 * what the whole export found (coverage). Rows are buffered by parquet-java up to a row group: its size is
 * kept to a fraction of the heap, so that an export runs in a small heap.
 */
final class RowParquetSink implements BatchSink
{
    private final ParquetWriter<VectorSchemaRoot[]> writer;
    private final RowWriteSupport support;
    private final VectorSchemaRoot[] current = new VectorSchemaRoot[1];

    RowParquetSink(final Schema schema, final Dictionaries dictionaries, final OutputFile file, final Compression compression,
        final Supplier<Map<String, String>> metadata, final long rowGroupBytes) throws IOException
    {
        support = new RowWriteSupport(schema, dictionaries, metadata);
        writer = new Builder(file, support)
            .withConf(new PlainParquetConfiguration())
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCodecFactory(new ParquetCodecs())
            .withCompressionCodec(ParquetCodecs.codecOf(compression))
            .withRowGroupSize(rowGroupBytes)
            .withDictionaryEncoding(true)
            .build();
    }

    public void write(final VectorSchemaRoot root) throws IOException
    {
        current[0] = root;
        support.bind(root);
        final int rows = root.getRowCount();
        for (int r = 0; r < rows; r++)
        {
            support.row = r;
            writer.write(current);
        }
    }

    public void close() throws IOException
    {
        writer.close();
    }

    private interface ColumnWriter
    {
        void write(RecordConsumer consumer, int row);
    }

    /** Writes row {@link #row} of the bound root; the record passed to the writer is only a token. */
    private static final class RowWriteSupport extends WriteSupport<VectorSchemaRoot[]>
    {
        private final Schema schema;
        private final MessageType parquetSchema;
        private final Dictionaries dictionaries;
        private final Supplier<Map<String, String>> metadata;
        private final String[] names;
        private ColumnWriter[] columns;
        private VectorSchemaRoot bound;
        private RecordConsumer consumer;
        int row;

        RowWriteSupport(final Schema schema, final Dictionaries dictionaries, final Supplier<Map<String, String>> metadata)
        {
            this.schema = schema;
            this.parquetSchema = ParquetSink.parquetSchema(schema);
            this.dictionaries = dictionaries;
            this.metadata = metadata;
            final List<Field> fields = schema.getFields();
            names = new String[fields.size()];
            for (int i = 0; i < names.length; i++)
            {
                names[i] = fields.get(i).getName();
            }
        }

        @Override
        public WriteContext init(final ParquetConfiguration configuration)
        {
            return new WriteContext(parquetSchema, new HashMap<>());
        }

        @Override
        public WriteContext init(final org.apache.hadoop.conf.Configuration configuration)
        {
            return new WriteContext(parquetSchema, new HashMap<>());
        }

        @Override
        public void prepareForWrite(final RecordConsumer recordConsumer)
        {
            this.consumer = recordConsumer;
        }

        @Override
        public FinalizedWriteContext finalizeWrite()
        {
            return new FinalizedWriteContext(metadata.get());
        }

        void bind(final VectorSchemaRoot root)
        {
            if (root == bound)
            {
                return;
            }
            bound = root;
            final List<Field> fields = schema.getFields();
            columns = new ColumnWriter[fields.size()];
            for (int i = 0; i < columns.length; i++)
            {
                columns[i] = writerOf(fields.get(i), root.getVector(i));
            }
        }

        private ColumnWriter writerOf(final Field field, final FieldVector vector)
        {
            if (field.getDictionary() != null)
            {
                final StringDictionary dictionary = dictionaries.byId(field.getDictionary().getId());
                final IntVector indexes = (IntVector)vector;
                final Binary[][] cache = {new Binary[0]};
                return (c, r) ->
                {
                    final int index = indexes.get(r);
                    Binary[] binaries = cache[0];
                    if (index >= binaries.length)
                    {
                        binaries = new Binary[dictionary.size()];
                        for (int k = 0; k < binaries.length; k++)
                        {
                            binaries[k] = Binary.fromConstantByteArray(dictionary.bytesAt(k));
                        }
                        cache[0] = binaries;
                    }
                    c.addBinary(binaries[index]);
                };
            }
            if (vector instanceof VarCharVector text)
            {
                return (c, r) -> c.addBinary(Binary.fromConstantByteArray(text.get(r)));
            }
            if (vector instanceof TimeStampNanoTZVector time)
            {
                return (c, r) -> c.addLong(time.get(r));
            }
            if (vector instanceof IntVector ints)
            {
                return (c, r) -> c.addInteger(ints.get(r));
            }
            if (vector instanceof BigIntVector longs)
            {
                return (c, r) -> c.addLong(longs.get(r));
            }
            throw new IllegalArgumentException("no Parquet writer for column " + field);
        }

        @Override
        public void write(final VectorSchemaRoot[] ignored)
        {
            consumer.startMessage();
            for (int i = 0; i < columns.length; i++)
            {
                consumer.startField(names[i], i);
                columns[i].write(consumer, row);
                consumer.endField(names[i], i);
            }
            consumer.endMessage();
        }
    }

    private static final class Builder extends ParquetWriter.Builder<VectorSchemaRoot[], Builder>
    {
        private final WriteSupport<VectorSchemaRoot[]> support;

        Builder(final OutputFile file, final WriteSupport<VectorSchemaRoot[]> support)
        {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder self()
        {
            return this;
        }

        @Override
        protected WriteSupport<VectorSchemaRoot[]> getWriteSupport(final org.apache.hadoop.conf.Configuration conf)
        {
            return support;
        }

        @Override
        protected WriteSupport<VectorSchemaRoot[]> getWriteSupport(final ParquetConfiguration conf)
        {
            return support;
        }
    }
}
