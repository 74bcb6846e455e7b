package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.syscall.NetNs;
import org.agrona.CloseHelper;

/**
 * The kernel side of flowrec, loaded from the object embedded in this jar: the TC programs flowrec_ingress and
 * flowrec_egress, the cgroup_skb programs flowrec_cgroup_ingress and flowrec_cgroup_egress, the sweeper
 * flowrec_sweep, and the maps flows, events (the ring buffer), counters and cgroups.
 * Owns every fd through the libbpf object. {@link #close()} detaches nothing (each {@link TcLink} owns its
 * filters, each {@link CgroupLink} its links) but unmaps the ring buffer and closes the object; it is idempotent.
 */
public final class FlowProgram implements AutoCloseable
{
    public static final String INGRESS_PROGRAM = "flowrec_ingress";
    public static final String EGRESS_PROGRAM = "flowrec_egress";
    public static final String SWEEP_PROGRAM = "flowrec_sweep";
    public static final String CGROUP_INGRESS_PROGRAM = "flowrec_cgroup_ingress";
    public static final String CGROUP_EGRESS_PROGRAM = "flowrec_cgroup_egress";
    public static final String FLOWS_MAP = "flows";
    public static final String EVENTS_MAP = "events";
    public static final String COUNTERS_MAP = "counters";
    /** cgroup id (u64) → pseudo-ifindex (u32) for the cgroup_skb programs; written by {@link CgroupLink}. */
    public static final String CGROUPS_MAP = "cgroups";
    /** What the TC programs return for every packet: let it pass, as if no program were attached. */
    public static final int TC_ACT_UNSPEC = -1;

    private static final String OBJECT_NAME = "flowrec.bpf.o";
    private static final String FLUSH_INTERVAL_VARIABLE = "cfg_flush_interval_ns";
    private static final int SWEEP_INCOMPLETE = 1 << 30;
    /** struct fr_sweep_args is 16 bytes; the frame is padded so it is a plausible packet for the kernel. */
    private static final int SWEEP_FRAME = 64;

    /**
     * Load-time settings.
     *
     * @param flushIntervalNs how often a busy flow emits its delta; 0 is packet mode, one event per packet
     * @param maxFlows        capacity of the flow map
     * @param ringBytes       ring buffer data size: a power of 2 and a multiple of the page size
     */
    public record Config(long flushIntervalNs, int maxFlows, int ringBytes)
    {
        public Config
        {
            if (flushIntervalNs < 0)
            {
                throw new IllegalArgumentException("flushIntervalNs must be >= 0: " + flushIntervalNs);
            }
            if (maxFlows <= 0)
            {
                throw new IllegalArgumentException("maxFlows must be > 0: " + maxFlows);
            }
            // The ring reader addresses twice the data size with an int.
            if (Integer.bitCount(ringBytes) != 1 || ringBytes % Libc.pageSize() != 0 || ringBytes > 1 << 29)
            {
                throw new IllegalArgumentException(
                    "ringBytes must be a power of 2, a multiple of the page size and at most 512 MiB: " + ringBytes);
            }
        }

        /** 1 s flush interval, 65536 flows, 16 MiB ring buffer. */
        public static Config defaults()
        {
            return new Config(TimeUnit.SECONDS.toNanos(1), 65536, 16 << 20);
        }

        public Config withFlushIntervalNs(final long flushIntervalNs)
        {
            return new Config(flushIntervalNs, maxFlows, ringBytes);
        }

        public Config withMaxFlows(final int maxFlows)
        {
            return new Config(flushIntervalNs, maxFlows, ringBytes);
        }

        public Config withRingBytes(final int ringBytes)
        {
            return new Config(flushIntervalNs, maxFlows, ringBytes);
        }
    }

    private final Config config;
    private final Arena arena;
    private final MemorySegment object;
    private final int ingressFd;
    private final int egressFd;
    private final int sweepFd;
    private final int countersFd;
    private final int possibleCpus;
    private final MemorySegment counterKey;
    private final MemorySegment counterValues;
    private final MemorySegment sweepFrame;
    private final TestRunOpts sweepRun;
    private final RingBufferReader ring;
    private boolean closed;

    private FlowProgram(final Config config, final Arena arena, final MemorySegment object)
    {
        this.config = config;
        this.arena = arena;
        this.object = object;
        ingressFd = programFd(INGRESS_PROGRAM);
        egressFd = programFd(EGRESS_PROGRAM);
        sweepFd = programFd(SWEEP_PROGRAM);
        countersFd = mapFd(COUNTERS_MAP);
        possibleCpus = Libbpf.numPossibleCpus();
        counterKey = arena.allocate(JAVA_INT);
        // A per-CPU value is one 8-byte slot per possible CPU, not per online CPU.
        counterValues = arena.allocate(JAVA_LONG, possibleCpus);
        sweepFrame = arena.allocate(SWEEP_FRAME, 8);
        sweepRun = new TestRunOpts(arena);
        final MemorySegment events = map(EVENTS_MAP);
        ring = new RingBufferReader(EVENTS_MAP, Libbpf.mapFd(events), Libbpf.mapMaxEntries(events), Libc.pageSize());
    }

    /** As {@link #load(Config, Consumer)}, libbpf's messages on load left unsaid. */
    public static FlowProgram load(final Config config)
    {
        return load(config, messages -> { });
    }

    /**
     * Opens, configures and loads the embedded object; on failure everything opened so far is closed.
     *
     * @param log told what libbpf said on a load that succeeded (warnings), and with FLOWREC_DEBUG the whole log
     *            of one that failed (a verifier trace can run to pages); never called with nothing to say
     */
    public static FlowProgram load(final Config config, final Consumer<String> log)
    {
        final byte[] elf = readObject();
        final Arena arena = Arena.ofShared();
        MemorySegment object = MemorySegment.NULL;
        try
        {
            // libbpf parses the ELF in place until load: the copy lives in the arena, as long as the object.
            final MemorySegment image = arena.allocate(elf.length, 8).copyFrom(MemorySegment.ofArray(elf));
            object = Libbpf.objectOpenMem(image, openOpts(arena), "bpf_object__open_mem " + OBJECT_NAME);
            Rodata.setLong(object, FLUSH_INTERVAL_VARIABLE, config.flushIntervalNs(), OBJECT_NAME);
            setMaxEntries(object, FLOWS_MAP, config.maxFlows());
            setMaxEntries(object, EVENTS_MAP, config.ringBytes());
            loadCaptured(object, log);
            return new FlowProgram(config, arena, object);
        }
        catch (final RuntimeException | Error e)
        {
            if (object.address() != 0)
            {
                Libbpf.objectClose(object);
            }
            arena.close();
            throw e;
        }
    }

    /**
     * Loads with libbpf's log captured: a refusal is one line naming the call, the errno and libbpf's first
     * word on it; the whole log goes to the caller's log only with FLOWREC_DEBUG.
     */
    private static void loadCaptured(final MemorySegment object, final Consumer<String> log)
    {
        final MemorySegment target = object;
        final LibbpfLog.Captured load = LibbpfLog.capture(() -> Libbpf.objectLoad(target));
        if (load.rc() < 0)
        {
            if (System.getenv("FLOWREC_DEBUG") != null && !load.messages().isEmpty())
            {
                log.accept(load.messages());
            }
            final String first = load.messages().lines().findFirst().orElse("").split("; ")[0];
            throw BpfException.errno("bpf_object__load " + OBJECT_NAME, -load.rc(),
                first.length() > 200 ? first.substring(0, 200) + "..." : first);
        }
        if (!load.messages().isEmpty())
        {
            log.accept(load.messages());
        }
    }

    public Config config()
    {
        return config;
    }

    /** Attaches to an interface of the caller's network namespace. */
    public TcLink attach(final String ifname)
    {
        return attach(null, ifname);
    }

    /**
     * Attaches ingress and egress to an interface of the network namespace at netnsPath (e.g. /run/netns/NAME;
     * null: the caller's). Stale flowrec filters there are removed first. Enters the namespace on the calling
     * thread only, for the duration of the call, so it must run on a platform thread.
     */
    public TcLink attach(final String netnsPath, final String ifname)
    {
        return attach(netnsPath, ifname, false);
    }

    /**
     * As {@link #attach(String, String)}; with workloadView, directions are those of the workload at the other
     * end of the interface (the host side of a container's veth): what the interface receives (TC ingress)
     * left the container and is counted as egress ("out"), what it transmits (TC egress) enters the container
     * and is counted as ingress ("in"). Without it, directions are the interface's own.
     */
    public TcLink attach(final String netnsPath, final String ifname, final boolean workloadView)
    {
        ensureOpen();
        final int onIngress = workloadView ? egressFd : ingressFd;
        final int onEgress = workloadView ? ingressFd : egressFd;
        return NetNs.call(netnsPath, () ->
        {
            final int ifindex = NetIf.indexOf(ifname);
            final String what = TcLink.describe(netnsPath, ifname, ifindex);
            Tc.detachStaleHere(ifindex);
            Tc.createHook(ifindex, what);
            Tc.attach(ifindex, Tc.INGRESS, onIngress, what);
            try
            {
                Tc.attach(ifindex, Tc.EGRESS, onEgress, what);
            }
            catch (final BpfException e)
            {
                final LibbpfLog.Captured detached = Tc.detach(ifindex, Tc.INGRESS);
                if (detached.rc() != 0)
                {
                    e.addSuppressed(detached.failure("bpf_tc_detach ingress on " + what));
                }
                throw e;
            }
            return new TcLink(netnsPath, ifname, ifindex, workloadView);
        });
    }

    /**
     * Counts the traffic of the sockets of a cgroup (containers on the host network have no veth of their own):
     * maps the cgroup's id to pseudoIfindex ({@link CgroupLink#PSEUDO_IFINDEX_BASE} | n), under which its flows
     * are keyed, and attaches the cgroup_skb programs to cgroupDir, a cgroup2 directory (e.g. under
     * /sys/fs/cgroup/unified). Directions are the cgroup's: egress is what its sockets send. Other programs on
     * the cgroup stay attached. The links die with this process: see {@link CgroupLink}.
     *
     * @throws BpfException naming the call, the directory and the errno; EEXIST when this cgroup is attached
     *                      already through this program
     */
    public synchronized CgroupLink attachCgroup(final Path cgroupDir, final int pseudoIfindex)
    {
        ensureOpen();
        return CgroupLink.attach(cgroupDir, pseudoIfindex, program(CGROUP_INGRESS_PROGRAM),
            program(CGROUP_EGRESS_PROGRAM), mapFd(CGROUPS_MAP));
    }

    /** The reader of the events ring buffer; owned by this object, unmapped by {@link #close()}. */
    public RingBufferReader ringBuffer()
    {
        return ring;
    }

    /**
     * Flushes the delta of every flow quiet for idleNs (0: every flow) into the ring buffer with the given
     * reason ({@link Reasons#IDLE} or {@link Reasons#FINAL}) and removes it from the flow map.
     */
    public synchronized SweepResult sweep(final long idleNs, final int reason)
    {
        ensureOpen();
        sweepFrame.set(JAVA_LONG, 0, idleNs);
        sweepFrame.set(JAVA_LONG, 8, reason);
        final int retval = sweepRun.run(sweepFd, sweepFrame, 1, SWEEP_PROGRAM);
        if (retval < 0)
        {
            throw new BpfException(SWEEP_PROGRAM + " could not read its arguments (retval " + retval + ")");
        }
        return new SweepResult(retval & ~SWEEP_INCOMPLETE, (retval & SWEEP_INCOMPLETE) != 0);
    }

    /** Sums each kernel counter over all possible CPUs into into[0..KernelCounters.COUNT); allocates nothing. */
    public synchronized void readCounters(final long[] into)
    {
        ensureOpen();
        if (into.length != KernelCounters.COUNT)
        {
            throw new IllegalArgumentException("into.length must be " + KernelCounters.COUNT + ": " + into.length);
        }
        for (int i = 0; i < KernelCounters.COUNT; i++)
        {
            counterKey.set(JAVA_INT, 0, i);
            final int rc = Libbpf.mapLookupElem(countersFd, counterKey, counterValues);
            if (rc < 0)
            {
                throw BpfException.errno("bpf_map_lookup_elem " + COUNTERS_MAP + "[" + i + "]", -rc);
            }
            long sum = 0;
            for (int cpu = 0; cpu < possibleCpus; cpu++)
            {
                sum += counterValues.getAtIndex(JAVA_LONG, cpu);
            }
            into[i] = sum;
        }
    }

    /**
     * Runs flowrec_ingress (or flowrec_egress) repeat times on frame, an Ethernet frame, with
     * BPF_PROG_TEST_RUN: a load generator with no network. The skb's device is the loopback of the caller's
     * network namespace. Returns the kernel's average run time, ns per repetition.
     */
    public long testRun(final byte[] frame, final int repeat, final boolean egress)
    {
        ensureOpen();
        try (Arena call = Arena.ofConfined())
        {
            final MemorySegment data = call.allocate(frame.length, 8).copyFrom(MemorySegment.ofArray(frame));
            final TestRunOpts run = new TestRunOpts(call);
            run.run(egress ? egressFd : ingressFd, data, repeat, egress ? EGRESS_PROGRAM : INGRESS_PROGRAM);
            return run.durationNs();
        }
    }

    /**
     * Runs flowrec_ingress (or flowrec_egress) once on frame with BPF_PROG_TEST_RUN and returns the program's
     * return value: {@link #TC_ACT_UNSPEC} for every frame, whatever it holds.
     */
    public int testRunVerdict(final byte[] frame, final boolean egress)
    {
        ensureOpen();
        try (Arena call = Arena.ofConfined())
        {
            final MemorySegment data = call.allocate(frame.length, 8).copyFrom(MemorySegment.ofArray(frame));
            return new TestRunOpts(call).run(egress ? egressFd : ingressFd, data, 1,
                egress ? EGRESS_PROGRAM : INGRESS_PROGRAM);
        }
    }

    /** The fd of a program of this object; owned by this object. */
    public int programFd(final String name)
    {
        ensureOpen();
        return Libbpf.check(Libbpf.programFd(program(name)), "bpf_program__fd " + name);
    }

    /** The fd of a map of this object; owned by this object. */
    public int mapFd(final String name)
    {
        ensureOpen();
        return Libbpf.check(Libbpf.mapFd(map(name)), "bpf_map__fd " + name);
    }

    /** Unmaps the ring buffer, then closes the object (its programs and maps); idempotent. */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(ring::close, () -> Libbpf.objectClose(object), arena);
    }

    private MemorySegment program(final String name)
    {
        final MemorySegment program = Libbpf.objectFindProgram(object, name);
        if (program.address() == 0)
        {
            throw new BpfException("no program " + name + " in " + OBJECT_NAME);
        }
        return program;
    }

    private MemorySegment map(final String name)
    {
        final MemorySegment map = Libbpf.objectFindMap(object, name);
        if (map.address() == 0)
        {
            throw new BpfException("no map " + name + " in " + OBJECT_NAME);
        }
        return map;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(OBJECT_NAME + " is closed");
        }
    }

    private static void setMaxEntries(final MemorySegment object, final String name, final int maxEntries)
    {
        final MemorySegment map = Libbpf.objectFindMap(object, name);
        if (map.address() == 0)
        {
            throw new BpfException("no map " + name + " in " + OBJECT_NAME);
        }
        Libbpf.check(Libbpf.mapSetMaxEntries(map, maxEntries), "bpf_map__set_max_entries " + name + " " + maxEntries);
    }

    /** struct bpf_object_open_opts up to object_name: {size_t sz; const char *object_name; ...}. */
    private static MemorySegment openOpts(final Arena arena)
    {
        final MemorySegment opts = arena.allocate(16, 8);
        opts.set(JAVA_LONG, 0, 16);
        opts.set(ADDRESS, 8, arena.allocateFrom("flowrec"));
        return opts;
    }

    private static byte[] readObject()
    {
        try (InputStream in = FlowProgram.class.getResourceAsStream(OBJECT_NAME))
        {
            if (in == null)
            {
                throw new BpfException(OBJECT_NAME + " is not on the class path next to " + FlowProgram.class.getName());
            }
            return in.readAllBytes();
        }
        catch (final IOException e)
        {
            throw new BpfException("reading " + OBJECT_NAME + " from the class path", e);
        }
    }
}
