package dev.flowrec.journal.schema;

/**
 * The event templates of schema {@value MessageHeaderDecoder#SCHEMA_ID}: their names, block lengths and
 * versions, the encoded lengths a writer claims, and the one field that a block's length decides.
 */
public final class Templates
{
    /** A FlowDelta event, header included: fixed length, no strings. */
    public static final int FLOW_DELTA_LENGTH = MessageHeader.ENCODED_LENGTH + FlowDeltaEncoder.BLOCK_LENGTH;
    /** A LossReport event, header included: fixed length, no strings. */
    public static final int LOSS_REPORT_LENGTH = MessageHeader.ENCODED_LENGTH + LossReportEncoder.BLOCK_LENGTH;
    /**
     * Longest string: the schema's u16 length whose 0xFFFF SBE keeps as its null value (the hand-written flyweights
     * took 0xFFFF bytes). A longer one is cut at a character boundary ({@link Utf8#cut}).
     */
    public static final int MAX_STRING_BYTES = 0xFFFE;

    /** The schema version that added a CRC32C trailer to every event, and that every template but SocketOwner is written at. */
    public static final int CHECKSUM_VERSION = 4;

    /** The schema version that introduced SocketOwner (template 10), which it is written at. */
    public static final int SOCKET_OWNER_VERSION = 5;

    /** The schema version ExportLoss (template 13) is written at: the version that added it. */
    public static final int EXPORT_LOSS_VERSION = 6;

    /** The schema version that introduced DnsAnswer (template 11) and DnsCounters (12), which they are written at. */
    public static final int DNS_VERSION = 6;

    /** Bytes of one address of a DnsAnswer: {ttl u32 little-endian, address 16}. */
    public static final int DNS_ADDRESS_LENGTH = 20;

    /** The schema version that introduced PinnedState (template 9). */
    public static final int PINNED_STATE_SINCE_VERSION = 3;

    /** LossReport's block before tooDeep was added at its end (without a new version). */
    private static final int LOSS_REPORT_BLOCK_LENGTH_BEFORE_TOO_DEEP = 88;
    private static final int STRING_LENGTH_SIZE = 2;

    private Templates()
    {
    }

    /** @return the template's name ("FlowDelta"), or "template N" for an unknown id. */
    public static String name(final int templateId)
    {
        return switch (templateId)
        {
            case FlowDeltaDecoder.TEMPLATE_ID -> "FlowDelta";
            case RecorderStartedDecoder.TEMPLATE_ID -> "RecorderStarted";
            case InterfaceAttachedDecoder.TEMPLATE_ID -> "InterfaceAttached";
            case InterfaceDetachedDecoder.TEMPLATE_ID -> "InterfaceDetached";
            case LossReportDecoder.TEMPLATE_ID -> "LossReport";
            case RecorderStoppedDecoder.TEMPLATE_ID -> "RecorderStopped";
            case ContainerSeenDecoder.TEMPLATE_ID -> "ContainerSeen";
            case FlowDeltaBatch.TEMPLATE_ID -> "FlowDeltaBatch";
            case PinnedStateDecoder.TEMPLATE_ID -> "PinnedState";
            case SocketOwnerDecoder.TEMPLATE_ID -> "SocketOwner";
            case ExportLossDecoder.TEMPLATE_ID -> "ExportLoss";
            case DnsAnswerDecoder.TEMPLATE_ID -> "DnsAnswer";
            case DnsCountersDecoder.TEMPLATE_ID -> "DnsCounters";
            default -> "template " + templateId;
        };
    }

    /** @return the block length this version writes for a template, 0 for an unknown id. */
    public static int blockLength(final int templateId)
    {
        return switch (templateId)
        {
            case FlowDeltaDecoder.TEMPLATE_ID -> FlowDeltaDecoder.BLOCK_LENGTH;
            case RecorderStartedDecoder.TEMPLATE_ID -> RecorderStartedDecoder.BLOCK_LENGTH;
            case InterfaceAttachedDecoder.TEMPLATE_ID -> InterfaceAttachedDecoder.BLOCK_LENGTH;
            case InterfaceDetachedDecoder.TEMPLATE_ID -> InterfaceDetachedDecoder.BLOCK_LENGTH;
            case LossReportDecoder.TEMPLATE_ID -> LossReportDecoder.BLOCK_LENGTH;
            case RecorderStoppedDecoder.TEMPLATE_ID -> RecorderStoppedDecoder.BLOCK_LENGTH;
            case ContainerSeenDecoder.TEMPLATE_ID -> ContainerSeenDecoder.BLOCK_LENGTH;
            case FlowDeltaBatch.TEMPLATE_ID -> FlowDeltaBatch.BLOCK_LENGTH;
            case PinnedStateDecoder.TEMPLATE_ID -> PinnedStateDecoder.BLOCK_LENGTH;
            case SocketOwnerDecoder.TEMPLATE_ID -> SocketOwnerDecoder.BLOCK_LENGTH;
            case ExportLossDecoder.TEMPLATE_ID -> ExportLossDecoder.BLOCK_LENGTH;
            case DnsAnswerDecoder.TEMPLATE_ID -> DnsAnswerDecoder.BLOCK_LENGTH;
            case DnsCountersDecoder.TEMPLATE_ID -> DnsCountersDecoder.BLOCK_LENGTH;
            default -> 0;
        };
    }

    /**
     * @return the shortest block an event of this template and version may have: this version's block, but for a
     * FlowDeltaBatch of version 2, written before ringPosition (block 20), which still reads.
     */
    public static int minBlockLength(final int templateId, final int version)
    {
        return templateId == FlowDeltaBatch.TEMPLATE_ID && version < FlowDeltaBatch.RING_POSITION_SINCE_VERSION ?
            FlowDeltaBatch.V2_BLOCK_LENGTH : blockLength(templateId);
    }

    /**
     * @return the schema version an event of the template is written at: {@link #CHECKSUM_VERSION} for every
     * template older than SocketOwner, since version 4 means "a CRC32C trailer follows the event" (a reader of
     * version 3 or older skips and counts such events instead of reading the trailer as part of them); SocketOwner,
     * new in version 5, at 5, so that a reader of version 4 still reads every other event of a newer journal;
     * ExportLoss, new in version 6, at 6.
     * Journals written before version 4 keep the version each template was introduced in (1; FlowDeltaBatch 2, or 3
     * with ringPosition; PinnedState 3) and have no trailer. DnsAnswer and DnsCounters, new in version 6, at 6.
     */
    public static int version(final int templateId)
    {
        return switch (templateId)
        {
            case SocketOwnerDecoder.TEMPLATE_ID -> SOCKET_OWNER_VERSION;
            case ExportLossDecoder.TEMPLATE_ID -> EXPORT_LOSS_VERSION;
            case DnsAnswerDecoder.TEMPLATE_ID, DnsCountersDecoder.TEMPLATE_ID -> DNS_VERSION;
            default -> CHECKSUM_VERSION;
        };
    }

    /** @return the length of an event with this block and these strings (cut as {@link Utf8#cut}), to size a claim. */
    public static int encodedLength(final int blockLength, final CharSequence... strings)
    {
        int length = MessageHeader.ENCODED_LENGTH + blockLength;
        for (final CharSequence s : strings)
        {
            length += STRING_LENGTH_SIZE + Utf8.encodedLength(s, MAX_STRING_BYTES);
        }
        return length;
    }

    /**
     * @return the report's tooDeep, or 0 for a report written before it existed: tooDeep was added at the end
     * of the block without a new version, so the event's block length, not its version, says whether it is there.
     */
    public static long tooDeep(final LossReportDecoder report)
    {
        return report.actingBlockLength > LOSS_REPORT_BLOCK_LENGTH_BEFORE_TOO_DEEP ? report.tooDeep() : 0;
    }
}
