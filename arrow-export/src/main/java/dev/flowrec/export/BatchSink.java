package dev.flowrec.export;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Where sealed record batches go: one Arrow IPC file or stream, or one Parquet file. Made with the first batch's root;
 * the roots of the batches written are that one or another of the same schema, the first written being that one.
 */
interface BatchSink extends AutoCloseable
{
    void write(VectorSchemaRoot root) throws IOException;

    /** Ends the file (footer, metadata) and closes it. */
    @Override
    void close() throws IOException;
}
