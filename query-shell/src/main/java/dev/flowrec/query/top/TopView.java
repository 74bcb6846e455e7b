package dev.flowrec.query.top;

import java.util.List;

/**
 * What one refresh of {@code flowrec top} shows, from either source: interfaces and containers with their rates, and
 * the flows of the last seconds with their bytes and packets over that span.
 *
 * @param timeNs    when it was taken (epoch ns)
 * @param spanS     the seconds the flows' bytes and packets cover (their rates are these divided by it)
 * @param note      loss, warnings or an error to show on the status line; empty when none
 */
public record TopView(long timeNs, int spanS, List<Link> interfaces, List<Link> containers, List<Flow> flows,
    String note)
{
    /** An interface or container: rx and tx in bytes and packets per second. */
    public record Link(String name, double rxBytesPerS, double txBytesPerS, double rxPacketsPerS, double txPacketsPerS)
    {
    }

    /** A one-way flow; proto as a name (an IANA keyword, or the number); pid 0 when not known. */
    public record Flow(String iface, String container, String direction, String proto, String src, int srcPort,
        String dst, int dstPort, long bytes, long packets, int pid, String comm)
    {
    }
}
