package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import dev.flowrec.syscall.Libc;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The maps a dead run pinned that this run cannot adopt (another layout, another size, or dropped on purpose),
 * held open by fd after their pins are removed, so that what their filters counted can still be read: the flows
 * in the flow map as deltas, the records waiting in the ring, the counters. Read only after the dead run's
 * filters have been replaced (nothing counts into these maps any more). Closing drops the maps.
 */
public final class OrphanedMaps implements AutoCloseable
{
    /** struct fr_flow_key: the first 44 bytes of a flow event. */
    static final int KEY_LENGTH = FlowEventDecoder.TCP_FLAGS_OFFSET;
    /** struct fr_flow_state: ctr, first_ns, last_ns, last_flush_ns, tcp_flags, owner_since_ns, owner_tries. */
    static final int STATE_LENGTH = 56;
    private static final long CTR_DEAD = 1L << 63;
    private static final int CTR_PKT_SHIFT = 40;
    private static final long CTR_BYTES_MASK = (1L << CTR_PKT_SHIFT) - 1;
    private static final long CTR_PKT_MASK = (1L << 23) - 1;
    private static final int BPF_MAP_TYPE_RINGBUF = 27;

    private final Path dir;
    private final PinnedMeta meta;
    private final int flowsFd;
    private final int eventsFd;
    private final int countersFd;
    private boolean closed;

    private OrphanedMaps(final Path dir, final PinnedMeta meta, final int flowsFd, final int eventsFd, final int countersFd)
    {
        this.dir = dir;
        this.meta = meta;
        this.flowsFd = flowsFd;
        this.eventsFd = eventsFd;
        this.countersFd = countersFd;
    }

    /** Opens what is pinned at dir (a map absent there stays absent); unpin it afterwards. */
    public static OrphanedMaps open(final Path dir, final PinnedMeta meta)
    {
        return new OrphanedMaps(dir, meta, PinnedMaps.open(dir.resolve(FlowProgram.FLOWS_MAP)),
            PinnedMaps.open(dir.resolve(FlowProgram.EVENTS_MAP)), PinnedMaps.open(dir.resolve(FlowProgram.COUNTERS_MAP)));
    }

    /** Whether its records are of this flowrec's layout: its flows and ring records can be read as deltas. */
    public boolean readable()
    {
        if (meta == null || meta.layout() != PinnedMeta.LAYOUT_VERSION || flowsFd < 0 || eventsFd < 0)
        {
            return false;
        }
        final int[] flows = PinnedMaps.info(flowsFd, dir + " flows");
        final int[] events = PinnedMaps.info(eventsFd, dir + " events");
        return flows[2] == KEY_LENGTH && flows[3] == STATE_LENGTH && events[0] == BPF_MAP_TYPE_RINGBUF;
    }

    /** Flows in the flow map, whatever their layout (0 without one). */
    public int flowCount()
    {
        return flowsFd < 0 ? 0 : countKeys(flowsFd, PinnedMaps.info(flowsFd, dir + " flows")[2]);
    }

    /** Delivers each flow's delta still in the map (as the sweeper would, reason FINAL); returns how many. */
    public int drainFlows(final FlowEventHandler handler)
    {
        if (flowsFd < 0)
        {
            return 0;
        }
        final UnsafeBuffer record = new UnsafeBuffer(new byte[FlowEventDecoder.LENGTH]);
        final FlowEventDecoder event = new FlowEventDecoder();
        int delivered = 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocate(KEY_LENGTH, 8);
            final MemorySegment next = arena.allocate(KEY_LENGTH, 8);
            final MemorySegment state = arena.allocate(STATE_LENGTH, 8);
            MemorySegment previous = MemorySegment.NULL;
            while (Libbpf.mapGetNextKey(flowsFd, previous, next) == 0)
            {
                key.copyFrom(next);
                previous = key;
                if (Libbpf.mapLookupElem(flowsFd, key, state) < 0)
                {
                    continue; // gone meanwhile
                }
                final long ctr = state.get(JAVA_LONG, 0);
                if ((ctr & CTR_DEAD) != 0 || ctr == 0)
                {
                    continue;
                }
                final long firstNs = state.get(JAVA_LONG, 8);
                final long lastNs = state.get(JAVA_LONG, 16);
                record.setMemory(0, FlowEventDecoder.LENGTH, (byte)0);
                record.putBytes(0, key.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                record.putByte(FlowEventDecoder.TCP_FLAGS_OFFSET, (byte)state.get(JAVA_LONG, 32));
                record.putByte(FlowEventDecoder.REASON_OFFSET, (byte)Reasons.FINAL);
                record.putLong(FlowEventDecoder.PACKETS_OFFSET, ctr >>> CTR_PKT_SHIFT & CTR_PKT_MASK);
                record.putLong(FlowEventDecoder.BYTES_OFFSET, ctr & CTR_BYTES_MASK);
                record.putLong(FlowEventDecoder.FIRST_NS_OFFSET, firstNs != 0 ? firstNs : lastNs);
                record.putLong(FlowEventDecoder.LAST_NS_OFFSET, lastNs);
                handler.onFlowEvent(event.wrap(record, 0));
                delivered++;
            }
        }
        return delivered;
    }

    /**
     * Delivers every record waiting in the ring from position on (what the journal holds already is before it;
     * -1: from the consumer position); returns how many records it consumed. The headers are the kernel's: records
     * of another layout are counted all the same, for a handler that does not decode them.
     */
    public int drainRing(final FlowEventHandler handler, final long position)
    {
        if (eventsFd < 0 || PinnedMaps.info(eventsFd, dir + " events")[0] != BPF_MAP_TYPE_RINGBUF)
        {
            return 0;
        }
        final int size = PinnedMaps.info(eventsFd, dir + " events")[4];
        final RingBufferReader ring = new RingBufferReader(dir + "/events", eventsFd, size, Libc.pageSize());
        try
        {
            if (position >= 0)
            {
                ring.skipTo(position);
            }
            int consumed = 0;
            int read;
            while ((read = ring.read(handler, Integer.MAX_VALUE)) > 0)
            {
                consumed += read;
            }
            return consumed;
        }
        finally
        {
            ring.close();
        }
    }

    /** Reads the counters into into; false when there are none of this layout. */
    public boolean readCounters(final long[] into)
    {
        if (countersFd < 0 || meta == null || meta.layout() != PinnedMeta.LAYOUT_VERSION)
        {
            return false;
        }
        final int[] info = PinnedMaps.info(countersFd, dir + " counters");
        if (info[3] != 8 || info[4] < KernelCounters.COUNT)
        {
            return false;
        }
        try (Arena arena = Arena.ofConfined())
        {
            new PerCpuCounters(dir + "/counters", countersFd, arena).read(into);
            return true;
        }
    }

    public PinnedMeta meta()
    {
        return meta;
    }

    /** Closes the fds: the maps go with the last reference. Idempotent. */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(() -> closeFd(flowsFd), () -> closeFd(eventsFd), () -> closeFd(countersFd));
    }

    /** The number of keys of a hash map (walks them). */
    static int countKeys(final int mapFd, final int keyLength)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocate(Math.max(keyLength, 1), 8);
            final MemorySegment next = arena.allocate(Math.max(keyLength, 1), 8);
            MemorySegment previous = MemorySegment.NULL;
            int count = 0;
            while (Libbpf.mapGetNextKey(mapFd, previous, next) == 0)
            {
                key.copyFrom(next);
                previous = key;
                count++;
            }
            return count;
        }
    }

    private static void closeFd(final int fd)
    {
        if (fd >= 0)
        {
            Libc.close(fd);
        }
    }
}
