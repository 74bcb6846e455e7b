package dev.flowrec.export;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A record batch being filled: its vectors allocated once for {@code capacity} rows and reused batch after batch,
 * so that an export of any length holds one batch per open file. Subclasses append rows in their own terms.
 */
abstract class RowBatch implements AutoCloseable
{
    private final VectorSchemaRoot root;
    private final int capacity;
    private int rows;

    RowBatch(final Schema schema, final BufferAllocator allocator, final int capacity)
    {
        this.root = VectorSchemaRoot.create(schema, allocator);
        this.capacity = capacity;
        for (final FieldVector v : root.getFieldVectors())
        {
            v.setInitialCapacity(capacity);
            v.allocateNew();
        }
    }

    /** @return the index of the row being appended. */
    final int nextRow()
    {
        return rows++;
    }

    final VectorSchemaRoot root()
    {
        return root;
    }

    final int rows()
    {
        return rows;
    }

    final boolean full()
    {
        return rows == capacity;
    }

    /** Makes the rows appended so far the root's content, ready for a writer. */
    final VectorSchemaRoot seal()
    {
        flush(rows);
        root.setRowCount(rows);
        return root;
    }

    /** Moves values a subclass holds outside the vectors into them, before the row count is set. */
    void flush(final int rows)
    {
    }

    /** Empties the batch for reuse; buffers keep their capacity. */
    final void clear()
    {
        empty(root);
        rows = 0;
    }

    /** Empties the vectors: zeroed, for a subclass that leaves values unset (a null's slot). */
    void empty(final VectorSchemaRoot root)
    {
        for (final FieldVector v : root.getFieldVectors())
        {
            v.reset();
        }
    }

    @Override
    public final void close()
    {
        root.close();
    }
}
