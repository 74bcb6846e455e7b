package dev.flowrec.journal.schema;

/** The event templates of schema {@value MessageHeader#SCHEMA_ID} and their fixed block lengths. */
public final class Templates
{
    private Templates()
    {
    }

    /** @return the template's name ("FlowDelta"), or "template N" for an unknown id. */
    public static String name(final int templateId)
    {
        return switch (templateId)
        {
            case FlowDelta.TEMPLATE_ID -> "FlowDelta";
            case RecorderStarted.TEMPLATE_ID -> "RecorderStarted";
            case InterfaceAttached.TEMPLATE_ID -> "InterfaceAttached";
            case InterfaceDetached.TEMPLATE_ID -> "InterfaceDetached";
            case LossReport.TEMPLATE_ID -> "LossReport";
            case RecorderStopped.TEMPLATE_ID -> "RecorderStopped";
            case ContainerSeen.TEMPLATE_ID -> "ContainerSeen";
            case FlowDeltaBatch.TEMPLATE_ID -> "FlowDeltaBatch";
            default -> "template " + templateId;
        };
    }

    /** @return the block length this version writes for a template, 0 for an unknown id. */
    public static int blockLength(final int templateId)
    {
        return switch (templateId)
        {
            case FlowDelta.TEMPLATE_ID -> FlowDelta.BLOCK_LENGTH;
            case RecorderStarted.TEMPLATE_ID -> RecorderStarted.BLOCK_LENGTH;
            case InterfaceAttached.TEMPLATE_ID -> InterfaceAttached.BLOCK_LENGTH;
            case InterfaceDetached.TEMPLATE_ID -> InterfaceDetached.BLOCK_LENGTH;
            case LossReport.TEMPLATE_ID -> LossReport.BLOCK_LENGTH;
            case RecorderStopped.TEMPLATE_ID -> RecorderStopped.BLOCK_LENGTH;
            case ContainerSeen.TEMPLATE_ID -> ContainerSeen.BLOCK_LENGTH;
            case FlowDeltaBatch.TEMPLATE_ID -> FlowDeltaBatch.BLOCK_LENGTH;
            default -> 0;
        };
    }

    /**
     * @return the schema version a template was introduced in, which its events carry: an older reader skips
     * and counts an event of a template it cannot know instead of ignoring it in silence.
     */
    public static int version(final int templateId)
    {
        return templateId == FlowDeltaBatch.TEMPLATE_ID ? FlowDeltaBatch.SINCE_VERSION : 1;
    }
}
