package dev.flowrec.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    static ArrowSink file(final VectorSchemaRoot root, final DictionaryProvider dictionaries, final Path path,
        final Map<String, String> metadata) throws IOException
    {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        try
        {
            return new ArrowSink(new ArrowFileWriter(root, dictionaries, channel, metadata));
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
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
