package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.Retention;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The recorder's own writing path (JournalEvents) opened to the benchmarks, which live in another package:
 * what they measure is what a recording writes, whatever encoding JournalEvents chooses.
 */
public final class RecordingPath
{
    private final JournalEvents events;

    /**
     * @param bootToRealtimeNs added to the kernel's boot-clock times, as the recorder does
     * @param flushIntervalNs  the recording's flush interval, which sets how long a batch of deltas lingers
     */
    public RecordingPath(final JournalWriter writer, final long bootToRealtimeNs, final long flushIntervalNs)
    {
        this.events = new JournalEvents(writer, (templateId, buffer, offset, length) -> { }, bootToRealtimeNs,
            JournalEvents.lingerNs(flushIntervalNs));
    }

    /** The end of a drain pass at {@code nowNs} (any monotonic clock): the open batch commits once it has lingered. */
    public void endOfPass(final long nowNs)
    {
        events.endOfPass(nowNs);
    }

    public void recorderStarted(final long flushIntervalNs, final String commandLine)
    {
        events.recorderStarted(new Recorder.Config(new Selection(Set.of(), true, true, List.of()), Path.of("journal"),
            flushIntervalNs, 65_536, 1 << 24, Optional.empty(), false, Retention.Policy.FOREVER, 64L << 20, commandLine));
    }

    public void interfaceAttached(final int ifindex, final String ifname, final String container)
    {
        events.interfaceAttached(ifindex, ifname, container);
    }

    public void flowDelta(final FlowEventDecoder ringRecord)
    {
        events.flowDelta(ringRecord);
    }

    public void lossReport(final long[] kernelCounters)
    {
        events.lossReport(kernelCounters, 0);
    }
}
