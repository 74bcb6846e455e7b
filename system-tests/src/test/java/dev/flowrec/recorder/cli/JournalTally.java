package dev.flowrec.recorder.cli;

import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.InterfaceDetachedDecoder;
import dev.flowrec.journal.schema.LossReportDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a journal holds, read with the journal module's own reader (as an independent check of what the command
 * line answers): the first start, attachments and detachments by interface name, the last loss report (the
 * kernel's counters are cumulative, so the last one is the run's total), and UDP flow deltas counted by reason.
 */
final class JournalTally
{
    long startedNs;
    /** Interface name → time of its (last) InterfaceAttached event. */
    final Map<String, Long> attached = new LinkedHashMap<>();
    /** Interface name → reason of its (last) InterfaceDetached event. */
    final Map<String, String> detached = new LinkedHashMap<>();
    long deltas;
    /** UDP flow deltas by the reason the kernel emitted them ({@code FlowDelta.REASON_*}). */
    final long[] udpDeltasByReason = new long[16];
    boolean lossReported;
    long packetsSeen;
    long bytesSeen;
    long ringLostEvents;
    long ringLostPackets;
    long ringLostBytes;
    long ringDeferred;
    long mapFull;
    long nonIp;
    long malformed;
    long journalLostEvents;

    static JournalTally read(final Path journal)
    {
        final JournalTally t = new JournalTally();
        final RecorderStartedDecoder started = new RecorderStartedDecoder();
        final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
        final InterfaceDetachedDecoder detached = new InterfaceDetachedDecoder();
        final LossReportDecoder loss = new LossReportDecoder();
        final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                switch (templateId)
                {
                    case RecorderStartedDecoder.TEMPLATE_ID ->
                    {
                        if (t.startedNs == 0)
                        {
                            t.startedNs = MessageHeader.wrap(started, buffer, offset).timeNs();
                        }
                    }
                    case InterfaceAttachedDecoder.TEMPLATE_ID ->
                    {
                        MessageHeader.wrap(attached, buffer, offset);
                        t.attached.put(attached.ifname(), attached.timeNs());
                    }
                    case InterfaceDetachedDecoder.TEMPLATE_ID ->
                    {
                        MessageHeader.wrap(detached, buffer, offset);
                        t.detached.put(detached.ifname(), detached.reason());
                    }
                    case LossReportDecoder.TEMPLATE_ID ->
                    {
                        MessageHeader.wrap(loss, buffer, offset);
                        t.lossReported = true;
                        t.packetsSeen = loss.packetsSeen();
                        t.bytesSeen = loss.bytesSeen();
                        t.ringLostEvents = loss.ringLostEvents();
                        t.ringLostPackets = loss.ringLostPackets();
                        t.ringLostBytes = loss.ringLostBytes();
                        t.ringDeferred = loss.ringDeferred();
                        t.mapFull = loss.mapFull();
                        t.nonIp = loss.nonIp();
                        t.malformed = loss.malformed();
                        t.journalLostEvents = loss.journalLostEvents();
                    }
                    case FlowDeltaDecoder.TEMPLATE_ID ->
                    {
                        MessageHeader.wrap(delta, buffer, offset);
                        t.deltas++;
                        if (delta.proto() == 17)
                        {
                            t.udpDeltasByReason[delta.reason() & 15]++;
                        }
                    }
                    default ->
                    {
                    }
                }
            }, 65_536) > 0)
            {
                // until the end of the journal
            }
        }
        return t;
    }
}
