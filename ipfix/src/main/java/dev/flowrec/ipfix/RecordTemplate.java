package dev.flowrec.ipfix;

import static dev.flowrec.ipfix.Elements.*;

/**
 * The four templates of flowrec's data records, one per address family and direction (the interface is an
 * ingressInterface for a flow coming in, an egressInterface for one going out), each field in record order:
 * <pre>
 *   IPv4 (256 in, 257 out)              IPv6 (258 in, 259 out)
 *   sourceIPv4Address(8)         4      sourceIPv6Address(27)        16
 *   destinationIPv4Address(12)   4      destinationIPv6Address(28)   16
 *   sourceTransportPort(7)       2      (the same from here on, but icmpTypeCodeIPv6(139))
 *   destinationTransportPort(11) 2
 *   protocolIdentifier(4)        1
 *   tcpControlBits(6)            2
 *   icmpTypeCodeIPv4(32)         2
 *   packetDeltaCount(2)          8
 *   octetDeltaCount(1)           8
 *   flowStartMilliseconds(152)   8
 *   flowEndMilliseconds(153)     8
 *   ingressInterface(10) | egressInterface(14)  4
 *   flowDirection(61)            1      0 ingress, 1 egress
 *   interfaceName(82)            var
 *   32473/containerId(1)         var
 *   32473/processId(2)           4
 *   32473/processCommand(3)      var
 * </pre>
 * Milliseconds are the precision nfdump keeps; the journal's nanoseconds are cut (floor) to them.
 */
enum RecordTemplate
{
    V4_IN(256, 4, 0), V4_OUT(257, 4, 1), V6_IN(258, 6, 0), V6_OUT(259, 6, 1);

    /** Bytes of a record before its first variable-length field. */
    final int fixedLength;
    final int id;
    final int family;
    final int direction;
    final int[][] fields;

    RecordTemplate(final int id, final int family, final int direction)
    {
        this.id = id;
        this.family = family;
        this.direction = direction;
        final int address = family == 4 ? 4 : 16;
        fields = new int[][]{
            {family == 4 ? SOURCE_IPV4_ADDRESS : SOURCE_IPV6_ADDRESS, address, 0},
            {family == 4 ? DESTINATION_IPV4_ADDRESS : DESTINATION_IPV6_ADDRESS, address, 0},
            {SOURCE_TRANSPORT_PORT, 2, 0},
            {DESTINATION_TRANSPORT_PORT, 2, 0},
            {PROTOCOL_IDENTIFIER, 1, 0},
            {TCP_CONTROL_BITS, 2, 0},
            {family == 4 ? ICMP_TYPE_CODE_IPV4 : ICMP_TYPE_CODE_IPV6, 2, 0},
            {PACKET_DELTA_COUNT, 8, 0},
            {OCTET_DELTA_COUNT, 8, 0},
            {FLOW_START_MILLISECONDS, 8, 0},
            {FLOW_END_MILLISECONDS, 8, 0},
            {direction == 0 ? INGRESS_INTERFACE : EGRESS_INTERFACE, 4, 0},
            {FLOW_DIRECTION, 1, 0},
            {INTERFACE_NAME, VARIABLE, 0},
            {CONTAINER_ID, VARIABLE, ENTERPRISE},
            {PROCESS_ID, 4, ENTERPRISE},
            {PROCESS_COMMAND, VARIABLE, ENTERPRISE},
        };
        fixedLength = 2 * address + 2 + 2 + 1 + 2 + 2 + 8 + 8 + 8 + 8 + 4 + 1;
    }

    static RecordTemplate of(final int family, final int direction)
    {
        return family == 4 ? (direction == 0 ? V4_IN : V4_OUT) : (direction == 0 ? V6_IN : V6_OUT);
    }

    /** Bytes of this template's record in a template set: {id, field count} then 4 or 8 bytes per field. */
    int templateRecordLength()
    {
        int length = 4;
        for (final int[] field : fields)
        {
            length += field[2] != 0 ? 8 : 4;
        }
        return length;
    }
}
