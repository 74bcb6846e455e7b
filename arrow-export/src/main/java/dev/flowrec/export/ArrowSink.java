package dev.flowrec.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;

/**
 * Arrow IPC: the file format (Feather v2: magic, stream, footer) or the stream format. The schema's custom
 * metadata is written with the schema, and again in a file's footer. Dictionaries are written before the
 * first batch; a file cannot replace them later (the IPC file format has no replacement), so the exporter
 * knows every value before it writes (a stream would re-send a grown dictionary, but gets the same treatment).
 */
final class ArrowSink implements BatchSink
{
    private final ArrowWriter writer;

    private ArrowSink(final ArrowWriter writer) throws IOException
    {
        this.writer = writer;
        writer.start();
    }

    /** An IPC file onto {@code channel}, which the caller owns: ending the file does not close it. */
    static ArrowSink file(final VectorSchemaRoot root, final DictionaryProvider dictionaries,
        final WritableByteChannel channel, final Map<String, String> metadata) throws IOException
    {
        return new ArrowSink(new ArrowFileWriter(root, dictionaries, channel, metadata));
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
        return new ArrowSink(new ArrowStreamWriter(root, dictionaries, channel));
    }

    public void write(final VectorSchemaRoot root) throws IOException
    {
        writer.writeBatch();
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
