package dev.flowrec.ipfix;

/**
 * The information elements of flowrec's IPFIX records: IANA's (RFC 7012 and the IANA "IPFIX Information Elements"
 * registry) where one fits, else enterprise-specific under {@link #ENTERPRISE}. Each entry is {id, length, enterprise};
 * a length of {@link #VARIABLE} is a variable-length string (RFC 7011 section 7: one length byte, up to 254 here).
 */
final class Elements
{
    /**
     * flowrec has no private enterprise number of its own: 32473 is the one IANA reserves for documentation (RFC 5612).
     * A collector that does not know it skips these elements by the lengths the template gives.
     */
    static final int ENTERPRISE = 32473;
    static final int VARIABLE = 0xFFFF;

    static final int OCTET_DELTA_COUNT = 1;
    static final int PACKET_DELTA_COUNT = 2;
    static final int PROTOCOL_IDENTIFIER = 4;
    static final int TCP_CONTROL_BITS = 6;
    static final int SOURCE_TRANSPORT_PORT = 7;
    static final int SOURCE_IPV4_ADDRESS = 8;
    static final int INGRESS_INTERFACE = 10;
    static final int DESTINATION_TRANSPORT_PORT = 11;
    static final int DESTINATION_IPV4_ADDRESS = 12;
    static final int EGRESS_INTERFACE = 14;
    static final int SOURCE_IPV6_ADDRESS = 27;
    static final int DESTINATION_IPV6_ADDRESS = 28;
    static final int ICMP_TYPE_CODE_IPV4 = 32;
    static final int FLOW_DIRECTION = 61;
    static final int INTERFACE_NAME = 82;
    static final int ICMP_TYPE_CODE_IPV6 = 139;
    static final int FLOW_START_MILLISECONDS = 152;
    static final int FLOW_END_MILLISECONDS = 153;

    /** Enterprise-specific (under {@link #ENTERPRISE}): the container's id or name, a string, empty for the host. */
    static final int CONTAINER_ID = 1;
    /** Enterprise-specific: the host pid of the process owning the flow's local socket, unsigned32, 0 when unknown. */
    static final int PROCESS_ID = 2;
    /** Enterprise-specific: that process's command name, a string, empty when unknown. */
    static final int PROCESS_COMMAND = 3;

    private Elements()
    {
    }
}
