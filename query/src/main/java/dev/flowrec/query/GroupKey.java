package dev.flowrec.query;
import dev.flowrec.journal.text.Addresses;

import java.util.ArrayList;
import java.util.List;

/**
 * A key to group flows by: a field of the flow, a network of an address (src_net/24), or the conversation
 * (both directions of a 5-tuple together).
 */
public record GroupKey(String name, Field field, int prefixBits)
{
    public enum Field
    {
        src_addr, dst_addr, src_port, dst_port, proto, iface, container, direction, conversation, src_net, dst_net,
        pid, comm, src_name, dst_name
    }

    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;

    /** The names `--group-by` accepts, for help and completion. */
    public static final List<String> NAMES = List.of("src_addr", "dst_addr", "src_port", "dst_port", "proto", "iface",
        "container", "direction", "conversation", "src_net/N", "dst_net/N", "pid", "comm", "src_name", "dst_name");

    /** Parses "src_addr,dst_port" or "src_net/24,proto"; throws IllegalArgumentException naming the bad key. */
    public static List<GroupKey> parseList(final String text)
    {
        final List<GroupKey> keys = new ArrayList<>();
        for (final String part : text.split(","))
        {
            keys.add(parse(part.trim()));
        }
        return keys;
    }

    public static GroupKey parse(final String text)
    {
        final int slash = text.indexOf('/');
        final String fieldName = slash < 0 ? text : text.substring(0, slash);
        final Field field;
        try
        {
            field = Field.valueOf(fieldName);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown group-by key '" + text + "': use " + String.join(", ", NAMES));
        }
        final boolean net = field == Field.src_net || field == Field.dst_net;
        if (net != (slash >= 0))
        {
            throw new IllegalArgumentException(net ?
                "group-by key '" + text + "' needs a prefix length, e.g. " + fieldName + "/24" :
                "group-by key '" + text + "' takes no prefix length");
        }
        int bits = 0;
        if (net)
        {
            try
            {
                bits = Integer.parseInt(text.substring(slash + 1));
            }
            catch (final NumberFormatException ex)
            {
                bits = -1;
            }
            if (bits < 0 || bits > 128)
            {
                throw new IllegalArgumentException("bad prefix length in '" + text + "': expected 0..32 (IPv4) or 0..128 (IPv6)");
            }
        }
        return new GroupKey(text, field, bits);
    }

    /** This key's value for a flow, as text. */
    public String valueOf(final FlowRow row)
    {
        return switch (field)
        {
            case src_addr -> row.srcAddr();
            case dst_addr -> row.dstAddr();
            case src_port -> Integer.toString(row.srcPort());
            case dst_port -> Integer.toString(row.dstPort());
            case proto -> row.protoName();
            case iface -> row.iface();
            case container -> row.container();
            case direction -> row.directionName();
            case conversation -> conversation(row);
            case src_net -> network(Addresses.bytes(row.srcAddrHigh(), row.srcAddrLow()), row.family(), prefixBits);
            case dst_net -> network(Addresses.bytes(row.dstAddrHigh(), row.dstAddrLow()), row.family(), prefixBits);
            case pid -> row.pid() == 0 ? "" : Integer.toString(row.pid());
            case comm -> row.comm();
            case src_name -> row.srcName();
            case dst_name -> row.dstName();
        };
    }

    /** Whether values of this key are numbers (for output alignment and JSON); an unknown pid is empty (null). */
    public boolean numeric()
    {
        return field == Field.src_port || field == Field.dst_port || field == Field.pid;
    }

    /**
     * Both directions of a 5-tuple as one, its endpoints in order. ICMP and ICMPv6 carry type and code where the
     * ports would be (the request's type differs from the reply's): their conversation is the two hosts alone.
     */
    private static String conversation(final FlowRow row)
    {
        final boolean icmp = row.proto() == ICMP || row.proto() == ICMPV6;
        final String a = icmp ? row.srcAddr() : endpoint(row.srcAddr(), row.srcPort());
        final String b = icmp ? row.dstAddr() : endpoint(row.dstAddr(), row.dstPort());
        return row.protoName() + " " + (a.compareTo(b) <= 0 ? a + " <-> " + b : b + " <-> " + a);
    }

    private static String endpoint(final String addr, final int port)
    {
        return addr.indexOf(':') >= 0 ? "[" + addr + "]:" + port : addr + ":" + port;
    }

    private static String network(final byte[] addr, final int family, final int bits)
    {
        final int offset = family == 4 ? 96 : 0;
        final int prefix = Math.min(bits, family == 4 ? 32 : 128);
        final byte[] masked = addr.clone();
        for (int bit = offset + prefix; bit < 128; bit++)
        {
            masked[bit >> 3] &= (byte)~(0x80 >>> (bit & 7));
        }
        return Addresses.format(masked, family) + "/" + prefix;
    }
}
