package dev.flowrec.query;

/**
 * What a filter or a fold can ask of a flow: its key (interface, container, direction, 5-tuple) and its
 * counters. Implemented over one journaled delta (no allocation) and over a flow summed in a window.
 * Addresses are 16 bytes (IPv4 v4-mapped, ::ffff:a.b.c.d) as two big-endian halves, so prefix tests are
 * two masked compares.
 */
public interface FlowView
{
    String iface();

    String container();

    /** 0 in, 1 out. */
    int direction();

    /** 4 or 6. */
    int family();

    int proto();

    int srcPort();

    int dstPort();

    long srcAddrHigh();

    long srcAddrLow();

    long dstAddrHigh();

    long dstAddrLow();

    long packets();

    long bytes();

    /** OR of the TCP flags seen (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20). */
    int tcpFlags();

    /** The host pid of the process owning the flow's local socket; 0 when unknown (no local socket, or not found). */
    int pid();

    /** That process's command name, as ps shows it; "" when unknown. */
    String comm();

    /** The name the host's resolver was given for the source address when the flow began; "" when none. */
    default String srcName()
    {
        return "";
    }

    /** The name the host's resolver was given for the destination address when the flow began; "" when none. */
    default String dstName()
    {
        return "";
    }
}
