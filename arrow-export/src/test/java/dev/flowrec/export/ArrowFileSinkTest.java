package dev.flowrec.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Arrow file written in one pass reads back with Arrow Java: dictionary values first named after a batch was
 * written, and metadata known only at the end, in the footer and in the schema message at the start alike, whether the
 * final metadata fits the room the start reserved or the batches must move down for it.
 */
class ArrowFileSinkTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldWriteTheFinalMetadataInPlaceWhenItFits() throws Exception
    {
        roundTrip(tmp.resolve("fits.arrow"), ArrowFileSink.SLACK, "x".repeat(3000), 1000);
    }

    @Test
    void shouldMoveTheBatchesDownWhenTheFinalMetadataDoesNotFit() throws Exception
    {
        // 3 batches of 50,000 rows: 1.8 MB of batches and dictionaries to move, more than one move chunk
        roundTrip(tmp.resolve("moved.arrow"), 0, "y".repeat(3_000_000), 50_000);
    }

    private static void roundTrip(final Path path, final int slack, final String finalValue, final int rows)
        throws Exception
    {
        final AtomicReference<Map<String, String>> metadata = new AtomicReference<>(Map.of("flowrec.coverage", "[]"));
        final List<List<Object>> written = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
            StringDictionary iface = new StringDictionary("iface", 2, allocator);
            FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ))
        {
            final DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider();
            provider.put(iface.dictionary());
            final Schema schema = new Schema(List.of(
                new Field("iface", new FieldType(false, StringDictionary.INDEX_TYPE, iface.encoding()), null),
                new Field("bytes", FieldType.notNullable(new ArrowType.Int(64, true)), null)), metadata.get());
            try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator))
            {
                final ArrowFileSink sink = new ArrowFileSink(schema, provider, file, metadata::get, slack);
                for (int batch = 0; batch < 3; batch++)
                {
                    final IntVector indexes = (IntVector)root.getVector("iface");
                    final BigIntVector bytes = (BigIntVector)root.getVector("bytes");
                    root.allocateNew();
                    for (int r = 0; r < rows; r++)
                    {
                        final String name = "eth" + (batch * 2 + r % 2); // two new names a batch
                        indexes.setSafe(r, iface.indexOf(name));
                        bytes.setSafe(r, (long)batch * rows + r);
                        written.add(List.of(name, (long)batch * rows + r));
                    }
                    root.setRowCount(rows);
                    sink.write(root);
                }
                metadata.set(Map.of("flowrec.coverage", finalValue, "flowrec.rows", "deltas"));
                sink.close();
            }
        }
        try (BufferAllocator allocator = new RootAllocator(); FileChannel channel = FileChannel.open(path);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            assertEquals(written, ArrowRoundTripTest.readAll(reader), "rows, dictionaries decoded");
            assertEquals(metadata.get(), reader.getVectorSchemaRoot().getSchema().getCustomMetadata(), "footer schema");
            assertEquals(metadata.get(), reader.getMetaData(), "footer metadata");
        }
        final byte[] bytes = Files.readAllBytes(path);
        try (BufferAllocator allocator = new RootAllocator(); ArrowStreamReader head = new ArrowStreamReader(
            new ByteArrayInputStream(bytes, 8, bytes.length - 8), allocator))
        {
            assertEquals(metadata.get(), head.getVectorSchemaRoot().getSchema().getCustomMetadata(),
                "the schema message at the start says what the footer says");
        }
    }
}
