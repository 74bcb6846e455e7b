package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reads a per-CPU array map of u64 counters, each summed over all possible CPUs (a per-CPU value is one 8-byte
 * slot per possible CPU, not per online CPU). Reuses its key and value buffers; not thread-safe.
 */
final class PerCpuCounters
{
    private final String mapName;
    private final int mapFd;
    private final int possibleCpus;
    private final MemorySegment key;
    private final MemorySegment values;

    /** @param arena where the buffers live; it must outlive this reader */
    PerCpuCounters(final String mapName, final int mapFd, final Arena arena)
    {
        this.mapName = mapName;
        this.mapFd = mapFd;
        possibleCpus = Libbpf.numPossibleCpus();
        key = arena.allocate(JAVA_INT);
        values = arena.allocate(JAVA_LONG, possibleCpus);
    }

    /** Sums counters 0 to into.length - 1 into into; allocates nothing. */
    void read(final long[] into)
    {
        for (int i = 0; i < into.length; i++)
        {
            key.set(JAVA_INT, 0, i);
            final int rc = Libbpf.mapLookupElem(mapFd, key, values);
            if (rc < 0)
            {
                throw BpfException.errno("bpf_map_lookup_elem " + mapName + "[" + i + "]", -rc);
            }
            long sum = 0;
            for (int cpu = 0; cpu < possibleCpus; cpu++)
            {
                sum += values.getAtIndex(JAVA_LONG, cpu);
            }
            into[i] = sum;
        }
    }
}
