package dev.flowrec.query.filter;

/**
 * One token of a filter text as {@link FilterLexer#tokens(String)} classifies it, for syntax highlighting and
 * completion. {@code start} and {@code end} are char offsets into the text (end exclusive).
 */
public record Token(Kind kind, int start, int end, String text)
{
    public enum Kind
    {
        /** and, or, not, src, dst, mask, any, in, out, the protocol shorthands (tcp, udp, icmp, icmpv6) and inet/inet6. */
        KEYWORD,
        /** A word that names what a term tests: ip, host, net, port, portrange, proto, iface, container, direction, flags, bytes, packets, family. */
        FIELD,
        /** = == != < > <= >= and the symbolic connectives ! && ||. */
        OPERATOR,
        /** A number, optionally with a k/M/G/T suffix (1.5M) or as a range (1024-65535). */
        NUMBER,
        /** An IPv4 or IPv6 address, or a prefix (10.0.0.0/8, 2001:db8::/32). */
        ADDRESS,
        /** Anything else: interface and container names, flag letters, misspellings. */
        WORD,
        /** ( or ). */
        PAREN,
        /** A character that can never be part of a filter: a lone &amp; or |, a control character. */
        ERROR
    }
}
