package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetNs;

/**
 * TC clsact filters through libbpf's bpf_tc_* calls. flowrec's filters carry a fixed priority and a handle of
 * their recorder instance ({@link #handleOf}), so that filters left behind by a recorder that died (a filter
 * outlives the process that attached it) are found and replaced on the next start of the same instance, and
 * nobody else's filters, another instance's included, are touched. An attach replaces the filter of the same
 * handle and priority in one step (BPF_TC_F_REPLACE): the hook never runs without one, so no packet goes
 * uncounted between a dead run's filter and its successor's.
 *
 * <pre>
 * struct bpf_tc_hook (24): long sz | int ifindex | int attach_point | int parent | 4 pad
 * struct bpf_tc_opts (32): long sz | int prog_fd | int flags | int prog_id | int handle | int priority | 4 pad
 * </pre>
 */
public final class Tc
{
    /** The filter handle of a program loaded without an instance (tests, tools): {@link #handleOf} otherwise. */
    public static final int HANDLE = 0xF10C;
    /**
     * The filter priority of every flowrec filter: low, so that the recorder runs before filters that may
     * drop or redirect (tc's automatic priorities start at 49152), but not 1, which hand-written setups take.
     */
    public static final int PRIORITY = 0x0F;

    static final int INGRESS = 1;
    static final int EGRESS = 2;

    /** bpf_tc_opts.flags: replace the filter of the same handle and priority, if any, atomically. */
    private static final int BPF_TC_F_REPLACE = 1;
    private static final long HOOK_SIZE = 24;
    private static final long OPTS_SIZE = 32;

    private Tc()
    {
    }

    /**
     * The TC handle of an instance's filters: a hash of its name (CRC32C, never 0 nor {@link #HANDLE}), so that
     * two instances on one host tell their filters apart. Two names that hash alike would share filters: with
     * 32 bits, one chance in about 4 billion per pair.
     */
    public static int handleOf(final String instance)
    {
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(instance.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final int handle = (int)crc.getValue();
        return handle == 0 || handle == HANDLE ? handle + 1 : handle;
    }

    /** Removes flowrec's filters of handle {@link #HANDLE} from ingress and egress of ifindex; returns how many. */
    public static int detachStale(final int ifindex)
    {
        return detachStale(null, ifindex);
    }

    /** As {@link #detachStale(int)}, for an interface in the network namespace at netnsPath (null: this one). */
    public static int detachStale(final String netnsPath, final int ifindex)
    {
        return detachStale(netnsPath, ifindex, HANDLE);
    }

    /** Removes the filters of one instance (its handle) from ingress and egress of ifindex; returns how many. */
    public static int detachStale(final String netnsPath, final int ifindex, final int handle)
    {
        return NetNs.call(netnsPath, () -> detachStaleHere(ifindex, handle));
    }

    static int detachStaleHere(final int ifindex, final int handle)
    {
        int removed = 0;
        for (final int point : new int[]{ INGRESS, EGRESS })
        {
            final LibbpfLog.Captured detached = detach(ifindex, point, handle);
            if (detached.rc() == 0)
            {
                removed++;
            }
            else if (!isAbsent(detached.rc()))
            {
                throw detached.failure("bpf_tc_detach " + pointName(point) + " of stale filter on ifindex " + ifindex);
            }
        }
        return removed;
    }

    /** Adds the clsact qdisc unless it is there already (another tool may own it: it is never destroyed). */
    static void createHook(final int ifindex, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment hook = hook(arena, ifindex, INGRESS | EGRESS);
            final LibbpfLog.Captured created = LibbpfLog.capture(() -> Libbpf.tcHookCreate(hook));
            if (created.rc() < 0 && created.rc() != -Libc.EEXIST)
            {
                throw created.failure("bpf_tc_hook_create on " + what);
            }
        }
    }

    /** Attaches progFd with handle, replacing the filter of that handle if there is one (atomically). */
    static void attach(final int ifindex, final int point, final int progFd, final int handle, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment hook = hook(arena, ifindex, point);
            final MemorySegment opts = opts(arena, handle);
            opts.set(JAVA_INT, 8, progFd);
            opts.set(JAVA_INT, 12, BPF_TC_F_REPLACE);
            final LibbpfLog.Captured attached = LibbpfLog.capture(() -> Libbpf.tcAttach(hook, opts));
            if (attached.rc() < 0)
            {
                throw attached.failure("bpf_tc_attach " + pointName(point) + " on " + what);
            }
        }
    }

    /** Whether flowrec's filter of handle is on either hook of ifindex (a dead run's, when nothing of this run is). */
    static boolean exists(final int ifindex, final int handle)
    {
        for (final int point : new int[]{ INGRESS, EGRESS })
        {
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment hook = hook(arena, ifindex, point);
                final MemorySegment opts = opts(arena, handle);
                if (LibbpfLog.capture(() -> Libbpf.tcQuery(hook, opts)).rc() == 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** Removes flowrec's filter; rc 0 or libbpf's -errno (see {@link #isAbsent}), with the kernel's words. */
    static LibbpfLog.Captured detach(final int ifindex, final int point, final int handle)
    {
        try (Arena arena = Arena.ofConfined())
        {
            // Detach names the filter by handle and priority alone: prog_fd, prog_id and flags must be 0.
            final MemorySegment hook = hook(arena, ifindex, point);
            final MemorySegment opts = opts(arena, handle);
            return LibbpfLog.capture(() -> Libbpf.tcDetach(hook, opts));
        }
    }

    /** The filter, its qdisc or its interface is gone: what detach wanted anyway. */
    static boolean isAbsent(final int rc)
    {
        return rc == -Libc.ENOENT || rc == -Libc.EINVAL || rc == -Libc.ENODEV;
    }

    static String pointName(final int point)
    {
        return point == INGRESS ? "ingress" : "egress";
    }

    private static MemorySegment hook(final Arena arena, final int ifindex, final int point)
    {
        final MemorySegment hook = arena.allocate(HOOK_SIZE, 8);
        hook.set(JAVA_LONG, 0, HOOK_SIZE);
        hook.set(JAVA_INT, 8, ifindex);
        hook.set(JAVA_INT, 12, point);
        return hook;
    }

    private static MemorySegment opts(final Arena arena, final int handle)
    {
        final MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
        opts.set(JAVA_LONG, 0, OPTS_SIZE);
        opts.set(JAVA_INT, 20, handle);
        opts.set(JAVA_INT, 24, PRIORITY);
        return opts;
    }
}
