package dev.flowrec.export;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Schema;

/** A record batch of journaled deltas, with the host (unless it is a partition level) and dictionary indices. */
final class DeltaBatch extends RowBatch
{
    private final Dictionaries dictionaries;
    private final AddressTextBuffer text = new AddressTextBuffer();
    private final TimeStampNanoTZVector firstSeen;
    private final TimeStampNanoTZVector lastSeen;
    private final IntVector host;
    private final IntVector iface;
    private final IntVector container;
    private final IntVector direction;
    private final IntVector proto;
    private final VarCharVector srcAddr;
    private final IntVector srcPort;
    private final VarCharVector dstAddr;
    private final IntVector dstPort;
    private final BigIntVector packets;
    private final BigIntVector bytes;
    private final IntVector tcpFlags;
    private final IntVector tcpFlagsRaw;
    private final IntVector pid;
    private final IntVector comm;
    private final IntVector srcName;
    private final IntVector dstName;

    DeltaBatch(final Schema schema, final Dictionaries dictionaries, final BufferAllocator allocator, final int capacity)
    {
        super(schema, allocator, capacity);
        this.dictionaries = dictionaries;
        firstSeen = (TimeStampNanoTZVector)root().getVector("first_seen");
        lastSeen = (TimeStampNanoTZVector)root().getVector("last_seen");
        host = (IntVector)root().getVector("host"); // null when host is a partition level
        iface = (IntVector)root().getVector("iface");
        container = (IntVector)root().getVector("container");
        direction = (IntVector)root().getVector("direction");
        proto = (IntVector)root().getVector("proto");
        srcAddr = (VarCharVector)root().getVector("src_addr");
        srcPort = (IntVector)root().getVector("src_port");
        dstAddr = (VarCharVector)root().getVector("dst_addr");
        dstPort = (IntVector)root().getVector("dst_port");
        packets = (BigIntVector)root().getVector("packets");
        bytes = (BigIntVector)root().getVector("bytes");
        tcpFlags = (IntVector)root().getVector("tcp_flags");
        tcpFlagsRaw = (IntVector)root().getVector("tcp_flags_raw");
        pid = (IntVector)root().getVector("pid");
        comm = (IntVector)root().getVector("comm");
        srcName = (IntVector)root().getVector("src_name");
        dstName = (IntVector)root().getVector("dst_name");
    }

    /**
     * @param pidValue   the host pid of the flow's socket owner, 0 when unknown
     * @param srcNameIndex the index of the source address's DNS name in the names dictionary; dstNameIndex likewise
     */
    void append(final FlowDeltaDecoder d, final int hostIndex, final int ifaceIndex, final int containerIndex,
        final int pidValue, final int commIndex, final int srcNameIndex, final int dstNameIndex)
    {
        final int i = nextRow();
        firstSeen.set(i, d.firstNs());
        lastSeen.set(i, d.lastNs());
        if (host != null)
        {
            host.set(i, hostIndex);
        }
        iface.set(i, ifaceIndex);
        container.set(i, containerIndex);
        direction.set(i, d.direction() == 0 ? 0 : 1);
        final int p = d.proto();
        proto.set(i, p);
        final int family = d.family();
        srcAddr.setSafe(i, text.text, 0, text.format(family, true, d));
        srcPort.set(i, d.srcPort());
        dstAddr.setSafe(i, text.text, 0, text.format(family, false, d));
        dstPort.set(i, d.dstPort());
        packets.set(i, d.packets());
        bytes.set(i, d.bytes());
        tcpFlags.set(i, Dictionaries.tcpFlagsIndex(p, d.tcpFlags()));
        tcpFlagsRaw.set(i, d.tcpFlags());
        pid.set(i, pidValue);
        comm.set(i, commIndex);
        srcName.set(i, srcNameIndex);
        dstName.set(i, dstNameIndex);
    }

    Dictionaries dictionaries()
    {
        return dictionaries;
    }
}
