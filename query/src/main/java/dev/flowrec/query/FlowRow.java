package dev.flowrec.query;

import dev.flowrec.journal.text.Addresses;
import dev.flowrec.journal.text.Protocols;

/**
 * One flow of an answer: interface, container, direction and 5-tuple (and the time bucket of a series) with its
 * deltas summed, made once per flow from the {@link FlowSumsTable} the deltas were summed in. Addresses are held as
 * the table holds them, two big-endian halves of the 16 bytes each; text is made only when asked for.
 *
 * @param bucketNs start of the time bucket this flow is summed in (time series), 0 otherwise
 * @param owner    the process owning the flow's local socket: its latest delta's that had one
 * @param srcName  the name the host's resolver was given for the source address at the flow's first delta ("": none)
 * @param dstName  the same for the destination address
 */
public record FlowRow(String iface, String container, int direction, int family, int proto, int srcPort, int dstPort,
    long srcAddrHigh, long srcAddrLow, long dstAddrHigh, long dstAddrLow, long bucketNs,
    long firstNs, long lastNs, long packets, long bytes, int tcpFlags, Owner owner, String srcName, String dstName)
    implements FlowView
{
    public int pid()
    {
        return owner.pid();
    }

    public String comm()
    {
        return owner.comm();
    }

    public String directionName()
    {
        return Protocols.direction(direction);
    }

    public String protoName()
    {
        return Protocols.name(proto);
    }

    public String srcAddr()
    {
        return Addresses.format(srcAddrHigh, srcAddrLow, family);
    }

    public String dstAddr()
    {
        return Addresses.format(dstAddrHigh, dstAddrLow, family);
    }
}
