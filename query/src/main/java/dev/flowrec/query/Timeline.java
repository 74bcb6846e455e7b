package dev.flowrec.query;

import dev.flowrec.journal.CatalogEvents;
import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.RecorderLockProbe;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.schema.PinOutcome;
import java.nio.file.Path;
import dev.flowrec.query.filter.KnownNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What time a journal covers: its recorder runs (from a RecorderStarted to its RecorderStopped, or, without one, to
 * its last event: a crash, unless the last run's recorder still holds the journal's lock), its extent (the first
 * run's start) and the hours retention deleted; and from these the {@link Gap}s of a window. The runs come from the
 * journal's catalog, which retention leaves alone, so they are known even where the cycle files are gone; a crashed
 * run's last event is found by reading the journal from its last catalogued event (a loss report, journaled every
 * second while anything moves) to the next start.
 */
public final class Timeline
{
    /** How a run ended. */
    public enum End
    {
        STOPPED, CRASHED, RUNNING
    }

    /**
     * One recorder run.
     *
     * @param endNs      its stop, or for a crash its last event; {@link Long#MAX_VALUE} while running
     * @param interfaces the interfaces it attached, "name" or "name@container", in order, each once
     * @param adoption   what it did at its start with the kernel state a crashed run left pinned (a PinnedState
     *                   outcome: ADOPTED, MISMATCH_READ, ...), null when it found none
     */
    public record Run(long startNs, long endNs, End end, int pid, String host, List<String> interfaces, String adoption)
    {
        /** Whether this run journaled what a dead run's filters counted while no recorder ran. */
        public boolean adoptedDowntime()
        {
            return PinOutcome.ADOPTED.name().equals(adoption) || PinOutcome.MISMATCH_READ.name().equals(adoption);
        }
    }

    /** A first cycle file that starts later than the first run by more than this was preceded by deleted ones. */
    private static final long CLOCK_SLACK_NS = 1_000_000_000L;
    private static final int POLL_LIMIT = 256;

    private final List<Run> runs;
    private final List<Gap> gaps;
    private final long startNs;
    private final boolean recorderRunning;
    /** Per run, in the order of {@link #runs}: the names it attached and identified. */
    private final List<KnownNames> runNames;
    private final KnownNames looseNames;
    private final Set<String> workloadViewInterfaces;

    private Timeline(final List<Run> runs, final List<Gap> gaps, final long startNs, final boolean recorderRunning,
        final RunEvents.Runs found)
    {
        this.runs = runs;
        this.gaps = gaps;
        this.startNs = startNs;
        this.recorderRunning = recorderRunning;
        this.runNames = found.runs.stream().map(r -> r.names.build()).toList();
        this.looseNames = found.looseNames.build();
        this.workloadViewInterfaces = Set.copyOf(found.workloadViewInterfaces);
    }

    /** The interfaces and containers of the runs that meet {@code window}: what a filter's names resolve against. */
    public KnownNames namesIn(final Window window)
    {
        final KnownNames.Builder names = new KnownNames.Builder().add(looseNames);
        for (int i = 0; i < runs.size(); i++)
        {
            final Run run = runs.get(i);
            if (run.startNs() < window.untilNs() && run.endNs() >= window.sinceNs())
            {
                names.add(runNames.get(i));
            }
        }
        return names.build();
    }

    /**
     * Whether answers show {@code ifname}'s directions from the point of view of a container behind it in every run:
     * true once any run of the journal recorded it as a container's interface (see README, "flow semantics").
     */
    public boolean workloadView(final String ifname)
    {
        return workloadViewInterfaces.contains(ifname);
    }

    /** Reads the runs of the journal in {@code dir} (its catalog, or all of it when it has none) and its lock. */
    public static Timeline of(final Path dir)
    {
        return of(dir, Window.ALL);
    }

    /**
     * As {@link #of(Path)}, exact for {@code window}: a crashed run's last event is looked for only when the time from
     * its last catalogued event to the next start meets the window (elsewhere that catalogued event stands for it).
     */
    public static Timeline of(final Path dir, final Window window)
    {
        final boolean running = RecorderLockProbe.holder(dir) != RecorderLockProbe.NONE;
        final RunEvents.Runs catalogRuns = new RunEvents.Runs();
        final boolean catalogued = CatalogEvents.replay(dir, catalogRuns);
        final RunEvents.Runs found = catalogued ? catalogRuns : new RunEvents.Runs();
        try (JournalReader reader = JournalReader.open(dir))
        {
            if (!catalogued)
            {
                reader.toStart(); // a journal without a catalog: every event, deltas included, tells its runs
                while (reader.poll(found, POLL_LIMIT) > 0)
                {
                    // the handler does the work
                }
            }
            else
            {
                for (int i = 0; i < found.runs.size(); i++)
                {
                    final RunEvents.RunBuilder run = found.runs.get(i);
                    final long nextStartNs = i + 1 < found.runs.size() ? found.runs.get(i + 1).startNs : Long.MAX_VALUE;
                    final boolean meets = run.lastNs < window.untilNs() && nextStartNs > window.sinceNs();
                    if (run.stopNs == Long.MIN_VALUE && (i + 1 < found.runs.size() || !running) && meets)
                    {
                        run.lastNs = RunEvents.lastEventNs(reader, run, nextStartNs);
                    }
                }
            }
        }
        final long oldestMs = Retention.oldestCycleStartMs(dir, JournalPaths.DEFAULT_ROLL_CYCLE);
        final long retainedFromNs = oldestMs < 0 ? Long.MIN_VALUE : oldestMs * 1_000_000L;
        return build(found, running, retainedFromNs);
    }

    /** @return the runs, oldest first. */
    public List<Run> runs()
    {
        return runs;
    }

    /** @return every gap of the journal, in order of start: before its start and after its end included (open). */
    public List<Gap> gaps()
    {
        return gaps;
    }

    /** @return the journal's first event; {@link Long#MAX_VALUE} for an empty journal. */
    public long startNs()
    {
        return startNs;
    }

    /** @return whether a recorder holds the journal's lock now. */
    public boolean recorderRunning()
    {
        return recorderRunning;
    }

    /**
     * The parts of {@code window} the journal does not cover. An open side of the window means "as far as the
     * journal goes": it adds nothing before the journal's start or after its end, unless the whole window lies there.
     */
    public List<Gap> gapsIn(final Window window)
    {
        final List<Gap> in = new ArrayList<>();
        for (final Gap gap : gaps)
        {
            final boolean outside = switch (gap.kind())
            {
                case BEFORE_JOURNAL -> window.hasStart() || window.untilNs() <= gap.endNs();
                case AFTER_JOURNAL -> window.hasEnd() || window.sinceNs() >= gap.startNs();
                default -> true;
            };
            final Gap part = outside ? gap.clip(window.sinceNs(), window.untilNs()) : null;
            if (part != null)
            {
                in.add(part);
            }
        }
        return in;
    }

    private static Timeline build(final RunEvents.Runs found, final boolean running, final long retainedFromNs)
    {
        final List<Run> runs = new ArrayList<>();
        for (int i = 0; i < found.runs.size(); i++)
        {
            final RunEvents.RunBuilder r = found.runs.get(i);
            final boolean last = i == found.runs.size() - 1;
            final End end = r.stopNs != Long.MIN_VALUE ? End.STOPPED : last && running ? End.RUNNING : End.CRASHED;
            final long endNs = switch (end)
            {
                case STOPPED -> r.stopNs;
                case CRASHED -> r.lastNs;
                case RUNNING -> Long.MAX_VALUE;
            };
            runs.add(new Run(r.startNs, endNs, end, r.pid, r.host, List.copyOf(r.interfaces), r.adoption));
        }
        final List<Gap> gaps = new ArrayList<>();
        final long startNs = found.firstNs;
        if (startNs != Long.MAX_VALUE)
        {
            gaps.add(new Gap(Long.MIN_VALUE, startNs, Gap.Kind.BEFORE_JOURNAL, false, startNs, false));
            if (retainedFromNs - startNs > CLOCK_SLACK_NS)
            {
                gaps.add(new Gap(startNs, retainedFromNs, Gap.Kind.RETENTION, false, startNs, false));
            }
        }
        for (int i = 0; i + 1 < runs.size(); i++)
        {
            final Run run = runs.get(i);
            final Run next = runs.get(i + 1);
            if (run.endNs() < next.startNs())
            {
                final boolean crashed = run.end() == End.CRASHED;
                gaps.add(new Gap(run.endNs(), next.startNs(), crashed ? Gap.Kind.CRASH : Gap.Kind.NOT_RECORDED,
                    crashed && next.adoptedDowntime(), run.endNs(), crashed));
            }
        }
        if (!runs.isEmpty() && !running)
        {
            final Run last = runs.getLast();
            gaps.add(new Gap(last.endNs(), Long.MAX_VALUE, Gap.Kind.AFTER_JOURNAL, false, last.endNs(),
                last.end() == End.CRASHED));
        }
        gaps.sort((a, b) -> Long.compare(a.startNs(), b.startNs()));
        return new Timeline(List.copyOf(runs), List.copyOf(gaps), startNs, running, found);
    }
}
