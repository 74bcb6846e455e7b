package dev.flowrec.export;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The values of a dictionary-encoded string column: a string's index is its position in an Arrow
 * {@link VarCharVector}, which the IPC writers emit as the column's dictionary batch. Values are only ever
 * appended, so an index stays valid for the whole export. A dictionary's strings are few (hosts, interfaces,
 * containers, protocols, flag sets): a lookup is an identity hit on one of the strings last looked up (the
 * replay hands out the same String objects delta after delta), else a hash probe on a cached hash.
 */
final class StringDictionary implements AutoCloseable
{
    static final ArrowType.Int INDEX_TYPE = new ArrowType.Int(32, true);
    private static final int RECENT = 64;

    private final DictionaryEncoding encoding;
    private final VarCharVector vector;
    private final Map<String, Integer> indexes = new HashMap<>();
    /** Volatile: an export's writer thread reads the values of the indexes in the batches handed to it as this grows. */
    private volatile byte[][] bytes = new byte[16][];
    /** The strings last looked up, by their hash (cached in each String): an identity hit costs no hash probe. */
    private final String[] recent = new String[RECENT];
    private final int[] recentIndex = new int[RECENT];

    StringDictionary(final String name, final long id, final BufferAllocator allocator)
    {
        this.encoding = new DictionaryEncoding(id, false, INDEX_TYPE);
        this.vector = new VarCharVector(name + "_dictionary", FieldType.notNullable(ArrowType.Utf8.INSTANCE), allocator);
        vector.allocateNew();
    }

    /** A dictionary with fixed values in a fixed order (index i is values.get(i)). */
    static StringDictionary of(final String name, final long id, final BufferAllocator allocator, final List<String> values)
    {
        final StringDictionary dictionary = new StringDictionary(name, id, allocator);
        for (final String value : values)
        {
            dictionary.append(value);
        }
        return dictionary;
    }

    DictionaryEncoding encoding()
    {
        return encoding;
    }

    Dictionary dictionary()
    {
        return new Dictionary(vector, encoding);
    }

    int size()
    {
        return vector.getValueCount();
    }

    /** The index of the value, appending it if new. */
    int indexOf(final String value)
    {
        final int slot = value.hashCode() & RECENT - 1;
        if (recent[slot] == value)
        {
            return recentIndex[slot];
        }
        Integer index = indexes.get(value);
        if (index == null)
        {
            index = append(value);
        }
        recent[slot] = value;
        recentIndex[slot] = index;
        return index;
    }

    /** The UTF-8 bytes of the value at an index. */
    byte[] bytesAt(final int index)
    {
        return bytes[index];
    }

    String valueAt(final int index)
    {
        return new String(bytes[index], StandardCharsets.UTF_8);
    }

    private int append(final String value)
    {
        final int index = vector.getValueCount();
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        vector.setSafe(index, utf8);
        vector.setValueCount(index + 1);
        byte[][] values = bytes;
        if (index == values.length)
        {
            values = Arrays.copyOf(values, index * 2);
        }
        values[index] = utf8;
        bytes = values;
        indexes.putIfAbsent(value, index);
        return index;
    }

    @Override
    public void close()
    {
        vector.close();
    }
}
