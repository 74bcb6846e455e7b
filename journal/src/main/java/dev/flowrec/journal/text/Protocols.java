package dev.flowrec.journal.text;

/** Names of layer-4 protocols, TCP flags and directions as the query output and filters spell them. */
public final class Protocols
{
    private static final String TCP_FLAG_LETTERS = "UAPRSF";
    private static final String TCP_FLAG_LETTERS_ECN = "CEUAPRSF";
    /** CWR and ECE: explicit congestion notification. */
    private static final int ECN_FLAGS = 0xC0;

    private Protocols()
    {
    }

    public static String name(final int proto)
    {
        return switch (proto)
        {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "icmpv6";
            default -> Integer.toString(proto);
        };
    }

    public static String direction(final int direction)
    {
        return direction == 0 ? "in" : "out";
    }

    /** nfdump's notation: U A P R S F in that order, '.' for a flag not seen; empty for non-TCP flows. */
    public static String tcpFlags(final int proto, final int flags)
    {
        if (proto != 6)
        {
            return "";
        }
        // nfdump's notation: UAPRSF, and CEUAPRSF (its extended view) once CWR or ECE was seen on the flow.
        final String letters = (flags & ECN_FLAGS) != 0 ? TCP_FLAG_LETTERS_ECN : TCP_FLAG_LETTERS;
        final char[] out = new char[letters.length()];
        for (int i = 0; i < out.length; i++)
        {
            final int bit = 1 << (out.length - 1 - i); // C=0x80, E=0x40, U=0x20 ... F=0x01
            out[i] = (flags & bit) != 0 ? letters.charAt(i) : '.';
        }
        return new String(out);
    }
}
