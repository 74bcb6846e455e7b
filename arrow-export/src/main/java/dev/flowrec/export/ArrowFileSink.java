package dev.flowrec.export;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.MetadataVersion;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.DictionaryUtility;

/**
 * An Arrow IPC file (Feather v2) written in one pass: magic, the schema message, the record batches as they fill, then
 * each dictionary once, whole, then the footer. The file format lets a dictionary batch come anywhere in the file as
 * long as every key is defined (readers load the dictionaries the footer lists before the first batch: Arrow Java,
 * C++/pyarrow, JS), so an export need not learn every interface, container or name before its first batch. The
 * metadata ({@code flowrec.coverage}) is only known at the end too: the schema message at the start is written with
 * the metadata known then and room to spare, and rewritten in place at the end with the final metadata, so that it
 * says the same as the footer's schema; when the final one does not fit, the batches are moved down to make room.
 * Arrow Java's {@code ArrowFileWriter} writes the dictionaries before the first batch and the footer's schema as
 * given at the start, hence this writer (over the same serializer). The price: the stream embedded after the magic
 * has its dictionaries after the batches, so a stream reader cannot decode it (C++ rejects it, Arrow Java reads empty
 * dictionaries); {@code --out -} writes a stream.
 */
final class ArrowFileSink implements BatchSink
{
    /** Room left in the schema message beyond what the metadata known at the start needs. */
    static final int SLACK = 4096;
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    /** The magic and its padding. */
    private static final int SCHEMA_AT = 8;
    private static final int PREFIX = 8;
    private static final IpcOption OPTION = IpcOption.DEFAULT;
    private static final int MOVE_CHUNK = 1 << 20;

    private final FileChannel file;
    private final WriteChannel out;
    private final List<Field> fields = new ArrayList<>();
    /** In the schema's order, so that the same export writes the same bytes. */
    private final Set<Long> dictionaryIds = new LinkedHashSet<>();
    private final DictionaryProvider dictionaries;
    private final Supplier<Map<String, String>> metadata;
    private final List<ArrowBlock> records = new ArrayList<>();
    private int schemaRoom;

    /**
     * @param file     the staged file, written from its start; the caller owns it (ending the file does not close it)
     * @param metadata asked for at the start (the room reserved for the schema's metadata) and at the end (the final)
     * @param slack    room left in the schema message beyond the start's metadata, {@link #SLACK} but in tests
     */
    ArrowFileSink(final Schema schema, final DictionaryProvider dictionaries, final FileChannel file,
        final Supplier<Map<String, String>> metadata, final int slack) throws IOException
    {
        this.file = file;
        this.dictionaries = dictionaries;
        this.metadata = metadata;
        for (final Field field : schema.getFields())
        {
            fields.add(DictionaryUtility.toMessageFormat(field, dictionaries, dictionaryIds));
        }
        this.out = new WriteChannel(file); // never closed here: the staged file is closed by its commit
        final ByteBuffer message = schemaMessage(metadata.get());
        schemaRoom = align8(message.remaining() + slack);
        out.write(MAGIC);
        out.align();
        writeSchema(out, message, schemaRoom);
    }

    /** Writes the root's rows as a record batch: null counts, no compression, buffers aligned (as Arrow's writers). */
    public void write(final VectorSchemaRoot root) throws IOException
    {
        try (ArrowRecordBatch batch = new VectorUnloader(root, true, NoCompressionCodec.INSTANCE, true).getRecordBatch())
        {
            records.add(MessageSerializer.serialize(out, batch, OPTION));
        }
    }

    /** Writes the dictionaries, the final schema message (in place), the end of stream and the footer. */
    public void close() throws IOException
    {
        final List<ArrowBlock> dictionaryBlocks = new ArrayList<>();
        for (final long id : dictionaryIds)
        {
            dictionaryBlocks.add(writeDictionary(dictionaries.lookup(id)));
        }
        final Map<String, String> finalMetadata = metadata.get();
        final Schema schema = new Schema(fields, finalMetadata);
        final ByteBuffer message = schemaMessage(finalMetadata);
        long shift = 0;
        if (message.remaining() > schemaRoom)
        {
            final int room = align8(message.remaining());
            shift = room - schemaRoom;
            final long from = SCHEMA_AT + PREFIX + schemaRoom;
            move(from, from + shift, file.position() - from);
            file.position(file.position() + shift);
            schemaRoom = room;
        }
        final ByteArrayOutputStream head = new ByteArrayOutputStream(PREFIX + schemaRoom);
        writeSchema(new WriteChannel(Channels.newChannel(head)), message, schemaRoom);
        writeFully(ByteBuffer.wrap(head.toByteArray()), SCHEMA_AT);
        out.writeIntLittleEndian(MessageSerializer.IPC_CONTINUATION_TOKEN);
        out.writeIntLittleEndian(0);
        final long footerStart = out.getCurrentPosition();
        out.write(new ArrowFooter(schema, shifted(dictionaryBlocks, shift), shifted(records, shift), finalMetadata,
            MetadataVersion.DEFAULT), false);
        out.writeIntLittleEndian((int)(out.getCurrentPosition() - footerStart));
        out.write(MAGIC);
    }

    /** A dictionary's values, whole (never a delta: each is written once). */
    private ArrowBlock writeDictionary(final Dictionary dictionary) throws IOException
    {
        final FieldVector vector = dictionary.getVector();
        final VectorSchemaRoot values = new VectorSchemaRoot(List.of(vector.getField()), List.of(vector),
            vector.getValueCount());
        try (ArrowDictionaryBatch batch = new ArrowDictionaryBatch(dictionary.getEncoding().getId(),
            new VectorUnloader(values, true, NoCompressionCodec.INSTANCE, true).getRecordBatch(), false))
        {
            return MessageSerializer.serialize(out, batch, OPTION);
        }
    }

    private ByteBuffer schemaMessage(final Map<String, String> metadata)
    {
        return MessageSerializer.serializeMetadata(new Schema(fields, metadata), OPTION);
    }

    /** An encapsulated message of {@code room} bytes of metadata: the flatbuffer, then zeros (readers allow padding). */
    private static void writeSchema(final WriteChannel out, final ByteBuffer message, final int room) throws IOException
    {
        final int length = message.remaining();
        out.writeIntLittleEndian(MessageSerializer.IPC_CONTINUATION_TOKEN);
        out.writeIntLittleEndian(room);
        out.write(message);
        out.writeZeros(room - length);
    }

    /** Moves {@code length} bytes of the file from {@code from} to {@code to} (later), last chunk first. */
    private void move(final long from, final long to, final long length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect((int)Math.min(MOVE_CHUNK, Math.max(length, 1)));
        long left = length;
        while (left > 0)
        {
            final int n = (int)Math.min(buffer.capacity(), left);
            left -= n;
            buffer.clear().limit(n);
            while (buffer.hasRemaining())
            {
                if (file.read(buffer, from + left + buffer.position()) < 0)
                {
                    throw new EOFException("moving the record batches of an Arrow file: end of file at "
                        + (from + left + buffer.position()));
                }
            }
            writeFully(buffer.flip(), to + left);
        }
    }

    private void writeFully(final ByteBuffer buffer, final long at) throws IOException
    {
        long position = at;
        while (buffer.hasRemaining())
        {
            position += file.write(buffer, position);
        }
    }

    private static List<ArrowBlock> shifted(final List<ArrowBlock> blocks, final long shift)
    {
        if (shift == 0)
        {
            return blocks;
        }
        final List<ArrowBlock> moved = new ArrayList<>(blocks.size());
        for (final ArrowBlock b : blocks)
        {
            moved.add(new ArrowBlock(b.getOffset() + shift, b.getMetadataLength(), b.getBodyLength()));
        }
        return moved;
    }

    private static int align8(final int n)
    {
        return (n + 7) & ~7;
    }
}
