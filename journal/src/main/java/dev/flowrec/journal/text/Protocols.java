package dev.flowrec.journal.text;

/** Names of layer-4 protocols, TCP flags and directions as the query output and filters spell them. */
public final class Protocols
{
    private static final String TCP_FLAG_LETTERS = "UAPRSF";
    private static final String TCP_FLAG_LETTERS_ECN = "CEUAPRSF";
    /** CWR and ECE: explicit congestion notification. */
    private static final int ECN_FLAGS = 0xC0;

    /**
     * IANA's protocol keywords (protocol-numbers registry, 0-145), lower-cased as nfdump and tcpdump filters take
     * them, spaces as '-'; 58 is {@code icmpv6}, as flowrec always named it. Numbers IANA leaves without a keyword
     * (61, 63, 68, 99, 114, 146-255) are null.
     */
    private static final String[] KEYWORDS = {
        "hopopt", "icmp", "igmp", "ggp", "ipv4", "st", "tcp", "cbt", "egp", "igp", "bbn-rcc-mon", "nvp-ii", "pup",
        "argus", "emcon", "xnet", "chaos", "udp", "mux", "dcn-meas", "hmp", "prm", "xns-idp", "trunk-1", "trunk-2",
        "leaf-1", "leaf-2", "rdp", "irtp", "iso-tp4", "netblt", "mfe-nsp", "merit-inp", "dccp", "3pc", "idpr", "xtp",
        "ddp", "idpr-cmtp", "tp++", "il", "ipv6", "sdrp", "ipv6-route", "ipv6-frag", "idrp", "rsvp", "gre", "dsr",
        "bna", "esp", "ah", "i-nlsp", "swipe", "narp", "min-ipv4", "tlsp", "skip", "icmpv6", "ipv6-nonxt",
        "ipv6-opts", null, "cftp", null, "sat-expak", "kryptolan", "rvd", "ippc", null, "sat-mon", "visa", "ipcv",
        "cpnx", "cphb", "wsn", "pvp", "br-sat-mon", "sun-nd", "wb-mon", "wb-expak", "iso-ip", "vmtp", "secure-vmtp",
        "vines", "ttp", "nsfnet-igp", "dgp", "tcf", "eigrp", "ospfigp", "sprite-rpc", "larp", "mtp", "ax.25", "ipip",
        "micp", "scc-sp", "etherip", "encap", null, "gmtp", "ifmp", "pnni", "pim", "aris", "scps", "qnx", "a/n",
        "ipcomp", "snp", "compaq-peer", "ipx-in-ip", "vrrp", "pgm", null, "l2tp", "ddx", "iatp", "stp", "srp", "uti",
        "smp", "sm", "ptp", "isis-over-ipv4", "fire", "crtp", "crudp", "sscopmce", "iplt", "sps", "pipe", "sctp",
        "fc", "rsvp-e2e-ignore", "mobility-header", "udplite", "mpls-in-ip", "manet", "hip", "shim6", "wesp", "rohc",
        "ethernet", "aggfrag", "nsh"
    };

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

    /**
     * The protocol's IANA keyword ({@code gre}, {@code esp}, {@code sctp}, ...), or the number when IANA has none:
     * for people (tables, charts, the terminal view) and filters. CSV, JSON and exports keep {@link #name(int)},
     * whose contract names only tcp, udp, icmp and icmpv6.
     */
    public static String keyword(final int proto)
    {
        final String keyword = proto >= 0 && proto < KEYWORDS.length ? KEYWORDS[proto] : null;
        return keyword != null ? keyword : Integer.toString(proto);
    }

    /** The number of a protocol keyword as {@link #keyword(int)} spells it (any case; {@code icmp6}, {@code ipv6-icmp} and {@code ospf} too), or -1. */
    public static int number(final String keyword)
    {
        final String lower = keyword.toLowerCase(java.util.Locale.ROOT);
        switch (lower)
        {
            case "icmp6", "ipv6-icmp":
                return 58;
            case "ospf":
                return 89;
            default:
                break;
        }
        for (int i = 0; i < KEYWORDS.length; i++)
        {
            if (lower.equals(KEYWORDS[i]))
            {
                return i;
            }
        }
        return -1;
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
