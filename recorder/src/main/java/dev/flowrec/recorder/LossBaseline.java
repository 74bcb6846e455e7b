package dev.flowrec.recorder;

import dev.flowrec.bpf.KernelCounters;

/**
 * Makes the kernel's counters into this run's loss report: counters - base + extra. A LossReport is cumulative
 * since its run's RecorderStarted (readers reset their baseline there), but an adopted counters map is cumulative
 * since the maps were created: base is what the previous runs already journaled of it (so that nothing is counted
 * twice), extra what a dropped or foreign pinned state counted that this run journals (so that nothing is lost).
 */
final class LossBaseline
{
    private final long[] base = new long[KernelCounters.COUNT];
    private final long[] extra = new long[KernelCounters.COUNT];

    /** Counters before base count for earlier runs. */
    void base(final long[] counters)
    {
        System.arraycopy(counters, 0, base, 0, base.length);
    }

    long[] base()
    {
        return base.clone();
    }

    /** Adds what another counters map counted that no run journaled. */
    void addExtra(final int counter, final long value)
    {
        extra[counter] += value;
    }

    /**
     * The base a later run that adopts these maps must start from so that base + this run's last report equals the
     * kernel's counters: base - extra. Extra is journaled in this run's reports but was never counted by these maps.
     */
    long[] adoptersBase()
    {
        final long[] adopters = new long[base.length];
        for (int i = 0; i < adopters.length; i++)
        {
            adopters[i] = base[i] - extra[i];
        }
        return adopters;
    }

    /** Writes counters - base + extra into report. */
    void apply(final long[] counters, final long[] report)
    {
        for (int i = 0; i < report.length; i++)
        {
            report[i] = counters[i] - base[i] + extra[i];
        }
    }
}
