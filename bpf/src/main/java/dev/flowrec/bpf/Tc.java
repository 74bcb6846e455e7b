package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetNs;

/**
 * TC clsact filters through libbpf's bpf_tc_* calls. flowrec's filters carry a fixed handle and priority, so
 * that filters left behind by a recorder that died (a filter outlives the process that attached it) are found
 * and removed on the next start, and nobody else's filters are touched.
 *
 * <pre>
 * struct bpf_tc_hook (24): long sz | int ifindex | int attach_point | int parent | 4 pad
 * struct bpf_tc_opts (32): long sz | int prog_fd | int flags | int prog_id | int handle | int priority | 4 pad
 * </pre>
 */
public final class Tc
{
    /** The filter handle of every flowrec filter. */
    public static final int HANDLE = 0xF10C;
    /**
     * The filter priority of every flowrec filter: low, so that the recorder runs before filters that may
     * drop or redirect (tc's automatic priorities start at 49152), but not 1, which hand-written setups take.
     */
    public static final int PRIORITY = 0x0F;

    static final int INGRESS = 1;
    static final int EGRESS = 2;

    private static final long HOOK_SIZE = 24;
    private static final long OPTS_SIZE = 32;

    private Tc()
    {
    }

    /** Removes flowrec's filters (by handle and priority) from ingress and egress of ifindex; returns how many. */
    public static int detachStale(final int ifindex)
    {
        return detachStale(null, ifindex);
    }

    /** As {@link #detachStale(int)}, for an interface in the network namespace at netnsPath (null: this one). */
    public static int detachStale(final String netnsPath, final int ifindex)
    {
        return NetNs.call(netnsPath, () -> detachStaleHere(ifindex));
    }

    static int detachStaleHere(final int ifindex)
    {
        int removed = 0;
        for (final int point : new int[]{ INGRESS, EGRESS })
        {
            final LibbpfLog.Captured detached = detach(ifindex, point);
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

    static void attach(final int ifindex, final int point, final int progFd, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment hook = hook(arena, ifindex, point);
            final MemorySegment opts = opts(arena);
            opts.set(JAVA_INT, 8, progFd);
            final LibbpfLog.Captured attached = LibbpfLog.capture(() -> Libbpf.tcAttach(hook, opts));
            if (attached.rc() < 0)
            {
                throw attached.failure("bpf_tc_attach " + pointName(point) + " on " + what);
            }
        }
    }

    /** Removes flowrec's filter; rc 0 or libbpf's -errno (see {@link #isAbsent}), with the kernel's words. */
    static LibbpfLog.Captured detach(final int ifindex, final int point)
    {
        try (Arena arena = Arena.ofConfined())
        {
            // Detach names the filter by handle and priority alone: prog_fd, prog_id and flags must be 0.
            final MemorySegment hook = hook(arena, ifindex, point);
            final MemorySegment opts = opts(arena);
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

    private static MemorySegment opts(final Arena arena)
    {
        final MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
        opts.set(JAVA_LONG, 0, OPTS_SIZE);
        opts.set(JAVA_INT, 20, HANDLE);
        opts.set(JAVA_INT, 24, PRIORITY);
        return opts;
    }
}
