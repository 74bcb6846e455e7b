package dev.flowrec.export;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A record batch of an engine answer's rows (values as {@code Answer} holds them: Long, Integer, String), with the host
 * first. A null (the pid of a flow without a known owner) is written as 0 (every column is required).
 */
final class AnswerBatch extends RowBatch
{
    private final IntVector host;
    private final FieldVector[] values;

    AnswerBatch(final Schema schema, final BufferAllocator allocator, final int capacity)
    {
        super(schema, allocator, capacity);
        this.host = (IntVector)root().getVector("host");
        final int offset = host == null ? 0 : 1;
        values = new FieldVector[root().getFieldVectors().size() - offset];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = root().getVector(i + offset);
        }
    }

    void append(final int hostIndex, final Object[] row)
    {
        final int r = nextRow();
        if (host != null)
        {
            host.set(r, hostIndex);
        }
        for (int i = 0; i < values.length; i++)
        {
            final Object value = row[i];
            switch (values[i])
            {
                case TimeStampNanoTZVector v -> v.set(r, ((Number)value).longValue());
                case BigIntVector v -> v.set(r, ((Number)value).longValue());
                case IntVector v -> v.set(r, value == null ? 0 : ((Number)value).intValue());
                case VarCharVector v -> v.setSafe(r, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
                default -> throw new IllegalStateException("unexpected column " + values[i].getField());
            }
        }
    }
}
