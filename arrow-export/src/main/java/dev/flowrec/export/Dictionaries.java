package dev.flowrec.export;

import dev.flowrec.journal.text.Protocols;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.dictionary.DictionaryProvider;

/**
 * The dictionaries of an export, shared by every file it writes. direction, proto and tcp_flags have fixed
 * values (a protocol's index is its number; a TCP flag set's index is its flags byte, CWR and ECE included, and
 * index 256 is the empty string of a non-TCP flow); host, iface, container, comm and the DNS names grow as rows name them.
 */
final class Dictionaries implements AutoCloseable
{
    static final int NOT_TCP_FLAGS = 256;

    final StringDictionary host;
    final StringDictionary iface;
    final StringDictionary container;
    final StringDictionary direction;
    final StringDictionary proto;
    final StringDictionary tcpFlags;
    final StringDictionary comm;
    /** DNS names, shared by src_name and dst_name. */
    final StringDictionary names;
    private final DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider();

    Dictionaries(final BufferAllocator allocator)
    {
        host = new StringDictionary("host", 1, allocator);
        iface = new StringDictionary("iface", 2, allocator);
        container = new StringDictionary("container", 3, allocator);
        direction = StringDictionary.of("direction", 4, allocator, List.of(Protocols.direction(0), Protocols.direction(1)));
        final List<String> protos = new ArrayList<>(256);
        for (int p = 0; p < 256; p++)
        {
            protos.add(Protocols.name(p));
        }
        proto = StringDictionary.of("proto", 5, allocator, protos);
        final List<String> flags = new ArrayList<>(NOT_TCP_FLAGS + 1);
        for (int f = 0; f < NOT_TCP_FLAGS; f++)
        {
            flags.add(Protocols.tcpFlags(6, f));
        }
        flags.add("");
        tcpFlags = StringDictionary.of("tcp_flags", 6, allocator, flags);
        comm = new StringDictionary("comm", 7, allocator);
        names = new StringDictionary("names", 8, allocator);
        for (final StringDictionary d : List.of(host, iface, container, direction, proto, tcpFlags, comm, names))
        {
            provider.put(d.dictionary());
        }
    }

    DictionaryProvider provider()
    {
        return provider;
    }

    StringDictionary byId(final long id)
    {
        return switch ((int)id)
        {
            case 1 -> host;
            case 2 -> iface;
            case 3 -> container;
            case 4 -> direction;
            case 5 -> proto;
            case 6 -> tcpFlags;
            case 7 -> comm;
            case 8 -> names;
            default -> throw new IllegalArgumentException("no dictionary " + id);
        };
    }

    static int tcpFlagsIndex(final int proto, final int flags)
    {
        return proto == 6 ? flags & 0xFF : NOT_TCP_FLAGS;
    }

    @Override
    public void close()
    {
        host.close();
        iface.close();
        container.close();
        direction.close();
        proto.close();
        tcpFlags.close();
        comm.close();
        names.close();
    }
}
