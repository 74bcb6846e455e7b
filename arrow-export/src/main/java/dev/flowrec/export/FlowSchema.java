package dev.flowrec.export;

import dev.flowrec.query.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow schemas of an export (README.md, "Schema of a delta export", has the table). A delta listing is the CSV contract of DESIGN.md
 * with {@code host} after the times, then the raw flag byte, the owner's pid (0 when unknown) and comm, then src_name and dst_name (the DNS names; "" for none); a grouped answer is {@code host}, the
 * engine's columns, then flows, packets, bytes. Low-cardinality strings are dictionary-encoded (Int32 indexes).
 */
final class FlowSchema
{
    static final ArrowType TIMESTAMP = new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC");
    static final ArrowType INT32 = new ArrowType.Int(32, true);
    static final ArrowType INT64 = new ArrowType.Int(64, true);

    private FlowSchema()
    {
    }

    /** The delta listing; without {@code host} when the host is a partition level (hive puts it in the path). */
    static Schema deltas(final Dictionaries d, final boolean withHost, final Map<String, String> metadata)
    {
        final List<Field> fields = new ArrayList<>();
        fields.add(plain("first_seen", TIMESTAMP));
        fields.add(plain("last_seen", TIMESTAMP));
        if (withHost)
        {
            fields.add(encoded("host", d.host));
        }
        fields.add(encoded("iface", d.iface));
        fields.add(encoded("container", d.container));
        fields.add(encoded("direction", d.direction));
        fields.add(encoded("proto", d.proto));
        fields.add(plain("src_addr", ArrowType.Utf8.INSTANCE));
        fields.add(plain("src_port", INT32));
        fields.add(plain("dst_addr", ArrowType.Utf8.INSTANCE));
        fields.add(plain("dst_port", INT32));
        fields.add(plain("packets", INT64));
        fields.add(plain("bytes", INT64));
        fields.add(encoded("tcp_flags", d.tcpFlags));
        fields.add(plain("tcp_flags_raw", INT32));
        fields.add(plain("pid", INT32));
        fields.add(encoded("comm", d.comm));
        fields.add(encoded("src_name", d.names));
        fields.add(encoded("dst_name", d.names));
        return new Schema(fields, metadata);
    }

    /** A grouped (or top-N, or --at) answer of the engine, with {@code host} first unless it is a partition level. */
    static Schema answer(final Dictionaries d, final List<Column> columns, final boolean withHost,
        final Map<String, String> metadata)
    {
        final List<Field> fields = new ArrayList<>();
        if (withHost)
        {
            fields.add(encoded("host", d.host));
        }
        for (final Column c : columns)
        {
            fields.add(plain(c.name(), switch (c.type())
            {
                case TIME -> TIMESTAMP;
                case TEXT -> ArrowType.Utf8.INSTANCE;
                case NUMBER -> INT32;
                case COUNT, BYTES -> INT64;
            }));
        }
        return new Schema(fields, metadata);
    }

    private static Field plain(final String name, final ArrowType type)
    {
        return new Field(name, FieldType.notNullable(type), null);
    }

    private static Field encoded(final String name, final StringDictionary dictionary)
    {
        return new Field(name, new FieldType(false, StringDictionary.INDEX_TYPE, dictionary.encoding()), null);
    }
}
