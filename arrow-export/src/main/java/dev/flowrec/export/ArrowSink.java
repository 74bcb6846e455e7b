package dev.flowrec.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * An Arrow IPC stream (an IPC file is {@link ArrowFileSink}'s). The schema's custom metadata is written with the schema.
 * Dictionaries are written before the first batch, so the exporter knows every value before it writes (a stream could
 * send a delta of a grown dictionary, which not every reader applies).
 * Arrow's writers are made with one root and write it; an export's batches take turns (one filled while the other is
 * written), so the other root's batch is unloaded here as the writer unloads its own, after the first (its root's: the
 * dictionaries go before it).
 */
final class ArrowSink implements BatchSink
{
    private final StreamWriter writer;
    private final VectorSchemaRoot own;
    private boolean wroteOwn;

    private ArrowSink(final StreamWriter writer, final VectorSchemaRoot own) throws IOException
    {
        this.writer = writer;
        this.own = own;
        writer.start();
    }

    /** Arrow's stream writer, which keeps to itself writing a record batch unloaded from another root. */
    private static final class StreamWriter extends ArrowStreamWriter
    {
        StreamWriter(final VectorSchemaRoot root, final DictionaryProvider dictionaries, final WritableByteChannel channel)
        {
            super(root, dictionaries, channel);
        }

        void writeOther(final ArrowRecordBatch batch) throws IOException
        {
            writeRecordBatch(batch);
        }
    }

    /** A stream onto {@code out}, which is flushed, never closed (it may be stdout). */
    static ArrowSink stream(final VectorSchemaRoot root, final DictionaryProvider dictionaries, final OutputStream out)
        throws IOException
    {
        final WritableByteChannel channel = Channels.newChannel(new OutputStream()
        {
            public void write(final int b) throws IOException
            {
                out.write(b);
            }

            public void write(final byte[] b, final int off, final int len) throws IOException
            {
                out.write(b, off, len);
            }

            public void close() throws IOException
            {
                out.flush();
            }
        });
        return new ArrowSink(new StreamWriter(root, dictionaries, channel), root);
    }

    public void write(final VectorSchemaRoot root) throws IOException
    {
        if (root == own)
        {
            writer.writeBatch();
            wroteOwn = true;
            return;
        }
        if (!wroteOwn)
        {
            throw new IllegalStateException("an Arrow writer's first batch is its own root's: the dictionaries go before it");
        }
        // as ArrowWriter unloads its own root: null counts, no compression, buffers aligned
        try (ArrowRecordBatch batch = new VectorUnloader(root, true, NoCompressionCodec.INSTANCE, true).getRecordBatch())
        {
            writer.writeOther(batch);
        }
    }

    public void close() throws IOException
    {
        try
        {
            writer.end();
        }
        finally
        {
            writer.close();
        }
    }
}
