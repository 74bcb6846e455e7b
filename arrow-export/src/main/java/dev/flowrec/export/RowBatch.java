package dev.flowrec.export;

import org.apache.arrow.vector.VectorSchemaRoot;

/** A record batch being filled, reused after each write. */
interface RowBatch extends AutoCloseable
{
    VectorSchemaRoot root();

    int rows();

    boolean full();

    /** Makes the rows appended so far the root's content. */
    VectorSchemaRoot seal();

    void clear();

    @Override
    void close();
}
