package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.recorder.live.LiveView;

/**
 * What the recorder's agents share, opened once by {@link Recorder} (Aeron's Context, as a value): each agent
 * takes it and what belongs to its own job alone. Every part is used on the recorder's thread only, but for the
 * live view's snapshot and the error count.
 *
 * @param config  the recording's settings
 * @param program the loaded BPF program: its ring buffer, flow map and counters
 * @param writer  the journal appender, for its state (space, losses, retention)
 * @param journal the events journaled through the writer (and folded into the live view)
 * @param live    the live view
 * @param errors  where every error goes
 * @param loss    what the kernel's counters count of this run (an adopted counters map counted earlier runs too)
 */
record RecorderContext(Recorder.Config config, FlowProgram program, JournalWriter writer, JournalEvents journal,
    LiveView live, RecorderErrors errors, LossBaseline loss)
{
    /** A context whose counters count this run alone (nothing adopted). */
    RecorderContext(final Recorder.Config config, final FlowProgram program, final JournalWriter writer,
        final JournalEvents journal, final LiveView live, final RecorderErrors errors)
    {
        this(config, program, writer, journal, live, errors, new LossBaseline());
    }
}
