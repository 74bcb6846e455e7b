package dev.flowrec.bpf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetNs;
import dev.flowrec.syscall.SyscallException;
import org.agrona.CloseHelper;

/**
 * The kernel side of flowrec, loaded from the object embedded in this jar: the TC programs flowrec_ingress and
 * flowrec_egress, the cgroup_skb programs flowrec_cgroup_ingress and flowrec_cgroup_egress, the sweeper
 * flowrec_sweep, and the maps flows, events (the ring buffer), counters and cgroups.
 * Owns every fd through the libbpf object ({@link BpfObject}); the sweep and the counters are run and read by
 * {@link Sweeper} and {@link PerCpuCounters}. {@link #close()} detaches nothing (each {@link TcLink} owns its
 * filters, each {@link CgroupLink} its links) but unmaps the ring buffer and closes the object; it is idempotent.
 */
public final class FlowProgram implements AutoCloseable
{
    public static final String INGRESS_PROGRAM = "flowrec_ingress";
    public static final String EGRESS_PROGRAM = "flowrec_egress";
    public static final String SWEEP_PROGRAM = "flowrec_sweep";
    public static final String CGROUP_INGRESS_PROGRAM = "flowrec_cgroup_ingress";
    public static final String CGROUP_EGRESS_PROGRAM = "flowrec_cgroup_egress";
    /** The cgroup sock programs that name each socket's owner, in the order {@link #attachOwners} attaches them. */
    public static final List<String> OWNER_PROGRAMS = List.of("flowrec_sock_create",
        "flowrec_post_bind4", "flowrec_post_bind6", "flowrec_connect4", "flowrec_connect6", "flowrec_sendmsg4",
        "flowrec_sendmsg6");
    /** The iterators {@link #nameExistingOwners} runs: every task's sockets, then the TCP and the UDP sockets. */
    public static final List<String> OWNER_ITERATORS =
        List.of("flowrec_holders_iter", "flowrec_tcp_owners_iter", "flowrec_udp_owners_iter");
    /** Socket-local storage: each socket's owner (struct fr_owner), written by {@link #OWNER_PROGRAMS}. */
    public static final String OWNERS_MAP = "owners";
    public static final String FLOWS_MAP = "flows";
    public static final String EVENTS_MAP = "events";
    public static final String COUNTERS_MAP = "counters";
    /** cgroup id (u64) → pseudo-ifindex (u32) for the cgroup_skb programs; written by {@link CgroupLink}. */
    public static final String CGROUPS_MAP = "cgroups";
    /** What the TC programs return for every packet: let it pass, as if no program were attached. */
    public static final int TC_ACT_UNSPEC = -1;

    /**
     * Load-time settings.
     *
     * @param flushIntervalNs how often a busy flow emits its delta; 0 is packet mode, one event per packet
     * @param maxFlows        capacity of the flow map
     * @param ringBytes       ring buffer data size: a power of 2 and a multiple of the page size
     * @param owners          whether a new flow entry looks for the owner of its local socket (process attribution;
     *                        the owners are learnt by the programs {@link #attachOwners} attaches)
     * @param dns             whether DNS responses are handed to user space ({@link DnsEventDecoder})
     */
    public record Config(long flushIntervalNs, int maxFlows, int ringBytes, boolean owners, boolean dns)
    {
        /** With process attribution and DNS capture. */
        public Config(final long flushIntervalNs, final int maxFlows, final int ringBytes)
        {
            this(flushIntervalNs, maxFlows, ringBytes, true);
        }

        /** With DNS capture. */
        public Config(final long flushIntervalNs, final int maxFlows, final int ringBytes, final boolean owners)
        {
            this(flushIntervalNs, maxFlows, ringBytes, owners, true);
        }

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
            return new Config(flushIntervalNs, maxFlows, ringBytes, owners, dns);
        }

        public Config withMaxFlows(final int maxFlows)
        {
            return new Config(flushIntervalNs, maxFlows, ringBytes, owners, dns);
        }

        public Config withRingBytes(final int ringBytes)
        {
            return new Config(flushIntervalNs, maxFlows, ringBytes, owners, dns);
        }

        public Config withOwners(final boolean owners)
        {
            return new Config(flushIntervalNs, maxFlows, ringBytes, owners, dns);
        }

        public Config withDns(final boolean dns)
        {
            return new Config(flushIntervalNs, maxFlows, ringBytes, owners, dns);
        }
    }

    private final Config config;
    private final String pinDir;
    private final int tcHandle;
    private final BpfObject object;
    private final int ingressFd;
    private final int egressFd;
    private final Sweeper sweeper;
    private final PerCpuCounters counters;
    private final RingBufferReader ring;
    private boolean closed;

    private FlowProgram(final Config config, final String pinDir, final int tcHandle, final BpfObject object)
    {
        this.config = config;
        this.pinDir = pinDir;
        this.tcHandle = tcHandle;
        this.object = object;
        ingressFd = object.programFd(INGRESS_PROGRAM);
        egressFd = object.programFd(EGRESS_PROGRAM);
        sweeper = new Sweeper(object.programFd(SWEEP_PROGRAM), object.arena());
        counters = new PerCpuCounters(COUNTERS_MAP, object.mapFd(COUNTERS_MAP), object.arena());
        final MemorySegment events = object.map(EVENTS_MAP);
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
        return load(config, null, Tc.HANDLE, log);
    }

    /**
     * As {@link #load(Config, Consumer)}, for a recorder instance: its maps pinned at pinDir (null: not pinned), those
     * pinned there already reused as they are (check them first: {@link PinnedMaps#inspect}), and its filters
     * attached with tcHandle ({@link Tc#handleOf}), replacing those of the same handle.
     */
    public static FlowProgram load(final Config config, final String pinDir, final int tcHandle, final Consumer<String> log)
    {
        return load(config, pinDir, tcHandle, BpfObject.readsPacketsInPlace(), log);
    }

    /**
     * As {@link #load(Config, String, int, Consumer)}, with the caller choosing whether the TC programs read headers
     * in place instead of this thread's capabilities: tests run as root load with false to exercise the copying
     * path (bpf_skb_load_bytes) that a recorder without CAP_PERFMON takes. True without CAP_PERFMON or
     * CAP_SYS_ADMIN: the verifier refuses the programs.
     */
    static FlowProgram load(final Config config, final String pinDir, final int tcHandle, final boolean inPlace,
        final Consumer<String> log)
    {
        final BpfObject object = BpfObject.load(config, pinDir, inPlace, log);
        try
        {
            return new FlowProgram(config, pinDir, tcHandle, object);
        }
        catch (final RuntimeException | Error e)
        {
            CloseHelper.quietClose(object);
            throw e;
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
        return TcLink.attach(netnsPath, ifname, onIngress, onEgress, workloadView, tcHandle, pinDir);
    }

    /**
     * Removes this instance's filters (its handle) and pinned TCX links from ifindex of the caller's namespace, where
     * a dead run of it left them and this run does not record; returns how many (0 to 2, 4 for a mix).
     */
    public int detachStale(final int ifindex)
    {
        return Tc.detachStale(null, ifindex, tcHandle) + Tcx.detachStale(pinDir, ifindex);
    }

    /** Where the maps are pinned, null when they are not. */
    public String pinDir()
    {
        return pinDir;
    }

    /** The meta map's value (zeros in a map just created). */
    public synchronized PinnedMeta readMeta()
    {
        ensureOpen();
        try (Arena call = Arena.ofConfined())
        {
            final MemorySegment key = call.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
            final MemorySegment value = call.allocate(PinnedMeta.LENGTH, 8);
            Libbpf.check(Libbpf.mapLookupElem(mapFd(PinnedMaps.META_MAP), key, value), "bpf_map_lookup_elem meta");
            return PinnedMeta.read(value);
        }
    }

    /** Writes the meta map's value. */
    public synchronized void writeMeta(final PinnedMeta meta)
    {
        ensureOpen();
        try (Arena call = Arena.ofConfined())
        {
            final MemorySegment key = call.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
            final MemorySegment value = call.allocate(PinnedMeta.LENGTH, 8);
            meta.write(value);
            Libbpf.check(Libbpf.mapUpdateElem(mapFd(PinnedMaps.META_MAP), key, value, 0), "bpf_map_update_elem meta");
        }
    }

    /** The number of flows in the flow map now (walks its keys: for the one line said on adoption). */
    public int flowCount()
    {
        ensureOpen();
        return OrphanedMaps.countKeys(mapFd(FLOWS_MAP), OrphanedMaps.KEY_LENGTH);
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
        return CgroupLink.attach(cgroupDir, pseudoIfindex, object.program(CGROUP_INGRESS_PROGRAM),
            object.program(CGROUP_EGRESS_PROGRAM), mapFd(CGROUPS_MAP));
    }

    /**
     * Attaches the {@link #OWNER_PROGRAMS}, which name each socket's owner when it is created, bound, connected or
     * sends a datagram, to cgroupDir, the root of the cgroup v2 hierarchy (every process's sockets) or any cgroup
     * below it. The links die with this process or on close.
     */
    public synchronized OwnerLinks attachOwners(final Path cgroupDir)
    {
        ensureOpen();
        final List<MemorySegment> programs = new ArrayList<>();
        OWNER_PROGRAMS.forEach(name -> programs.add(object.program(name)));
        return OwnerLinks.attach(cgroupDir, OWNER_PROGRAMS, programs);
    }

    /**
     * Names the owners of the sockets made before {@link #attachOwners} (their programs see only what sockets do
     * afterwards): runs the iterators {@link #OWNER_ITERATORS} to their end, the first (every task's files) once, the
     * TCP and UDP ones in every network namespace a process is in (they walk the sockets of the namespace they are
     * created in), entered on this thread, which must be a platform thread. A socket gets the first task found
     * holding it; one that has an owner already keeps it. Only TCP and UDP sockets held by a process.
     *
     * @return the network namespaces walked
     */
    public synchronized int nameExistingOwners()
    {
        ensureOpen();
        runIterator(OWNER_ITERATORS.getFirst());
        int walked = 0;
        for (final String netns : networkNamespaces())
        {
            try
            {
                NetNs.call(netns, () ->
                {
                    OWNER_ITERATORS.subList(1, OWNER_ITERATORS.size()).forEach(this::runIterator);
                    return null;
                });
                walked++;
            }
            catch (final SyscallException gone)
            {
                // its last process exited since the listing: no socket of it left to name
            }
        }
        return walked;
    }

    /** One /proc/PID/ns/net per network namespace a process is in. */
    private static Collection<String> networkNamespaces()
    {
        final Map<Path, String> byNamespace = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(Path.of("/proc"),
            p -> p.getFileName().toString().chars().allMatch(Character::isDigit)))
        {
            for (final Path pid : pids)
            {
                final Path link = pid.resolve("ns/net");
                try
                {
                    byNamespace.putIfAbsent(Files.readSymbolicLink(link), link.toString());
                }
                catch (final IOException gone)
                {
                    // exited, or a kernel thread without one we may read
                }
            }
        }
        catch (final IOException ex)
        {
            throw new BpfException("listing /proc for network namespaces: " + ex.getMessage());
        }
        return byNamespace.values();
    }

    private void runIterator(final String name)
    {
        final int[] errno = new int[1];
        final MemorySegment link = Libbpf.programAttachIter(object.program(name), errno);
        if (link.address() == 0)
        {
            throw BpfException.errno("bpf_program__attach_iter " + name, errno[0]);
        }
        try (Arena call = Arena.ofConfined())
        {
            final int fd = Libbpf.iterCreate(Libbpf.linkFd(link));
            if (fd < 0)
            {
                throw BpfException.errno("bpf_iter_create " + name, -fd);
            }
            try
            {
                final MemorySegment buffer = call.allocate(4096);
                while (Libc.read(fd, buffer, "iterator " + name) > 0)
                {
                    // the iterator writes nothing; reading to the end runs it over every element
                }
            }
            finally
            {
                Libc.close(fd);
            }
        }
        finally
        {
            Libbpf.linkDestroy(link);
        }
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
        return sweeper.sweep(idleNs, reason);
    }

    /** Sums each kernel counter over all possible CPUs into into[0..KernelCounters.COUNT); allocates nothing. */
    public synchronized void readCounters(final long[] into)
    {
        ensureOpen();
        if (into.length != KernelCounters.COUNT)
        {
            throw new IllegalArgumentException("into.length must be " + KernelCounters.COUNT + ": " + into.length);
        }
        counters.read(into);
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
            final TestRunOpts run = new TestRunOpts(call);
            testRun(run, call, frame, repeat, egress);
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
            return testRun(new TestRunOpts(call), call, frame, 1, egress);
        }
    }

    /** The fd of a program of this object; owned by this object. */
    public int programFd(final String name)
    {
        ensureOpen();
        return object.programFd(name);
    }

    /** The fd of a map of this object; owned by this object. */
    public int mapFd(final String name)
    {
        ensureOpen();
        return object.mapFd(name);
    }

    /** Unmaps the ring buffer, then closes the object (its programs and maps); idempotent. */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(ring::close, object);
    }

    private int testRun(final TestRunOpts run, final Arena call, final byte[] frame, final int repeat, final boolean egress)
    {
        final MemorySegment data = call.allocate(frame.length, 8).copyFrom(MemorySegment.ofArray(frame));
        return run.run(egress ? egressFd : ingressFd, data, repeat, egress ? EGRESS_PROGRAM : INGRESS_PROGRAM);
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(BpfObject.NAME + " is closed");
        }
    }
}
