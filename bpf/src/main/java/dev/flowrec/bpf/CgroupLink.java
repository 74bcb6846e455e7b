package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import dev.flowrec.syscall.Libc;
import org.agrona.CloseHelper;

/**
 * flowrec's cgroup_skb ingress and egress programs on one cgroup2 directory, and the entry cgroups[cgroupId] =
 * pseudoIfindex under which the programs count that cgroup's flows. Owns the two BPF links, the directory fd
 * and a duplicate of the cgroups map fd (so that close can remove the entry even after the {@link FlowProgram}
 * is closed); close releases all of them and is idempotent.
 * <p>
 * The programs are attached as BPF links (BPF_LINK_CREATE, which the kernel always treats as
 * BPF_F_ALLOW_MULTI): programs others attached to the cgroup keep running, before or after ours. A link is
 * detached by the kernel when its last fd is closed, and these links are never pinned, so a recorder that dies
 * takes its cgroup programs with it: unlike TC filters, nothing stale is left to clean up on the next start.
 * Removing the cgroup also detaches them.
 * <p>
 * Pseudo-ifindexes have {@link #PSEUDO_IFINDEX_BASE} set: real ifindexes are small positive ints, so the two
 * never collide in the flow key.
 */
public final class CgroupLink implements AutoCloseable
{
    /** Every pseudo-ifindex is PSEUDO_IFINDEX_BASE | n. */
    public static final int PSEUDO_IFINDEX_BASE = 0x4000_0000;

    private static final int PSEUDO_IFINDEX_MASK = 0xC000_0000;
    private static final long BPF_NOEXIST = 1;
    private static final String MAP = FlowProgram.CGROUPS_MAP;

    private final Path cgroupDir;
    private final long cgroupId;
    private final int pseudoIfindex;
    private final int dirFd;
    private final int mapFd;
    private final MemorySegment ingress;
    private final MemorySegment egress;
    private boolean closed;

    private CgroupLink(final Path cgroupDir, final long cgroupId, final int pseudoIfindex, final int dirFd,
        final int mapFd, final MemorySegment ingress, final MemorySegment egress)
    {
        this.cgroupDir = cgroupDir;
        this.cgroupId = cgroupId;
        this.pseudoIfindex = pseudoIfindex;
        this.dirFd = dirFd;
        this.mapFd = mapFd;
        this.ingress = ingress;
        this.egress = egress;
    }

    /** PSEUDO_IFINDEX_BASE | n, for n in [0, 2^30). */
    public static int pseudoIfindex(final int n)
    {
        if ((n & PSEUDO_IFINDEX_MASK) != 0)
        {
            throw new IllegalArgumentException("n must be in [0, 2^30): " + n);
        }
        return PSEUDO_IFINDEX_BASE | n;
    }

    /** Whether ifindex (of a flow key) names a cgroup rather than an interface. */
    public static boolean isPseudoIfindex(final int ifindex)
    {
        return (ifindex & PSEUDO_IFINDEX_MASK) == PSEUDO_IFINDEX_BASE;
    }

    /**
     * Opens cgroupDir, maps its id to pseudoIfindex in the cgroups map, then attaches ingressProgram and
     * egressProgram (struct bpf_program*) to it. On failure everything done so far is undone.
     */
    static CgroupLink attach(final Path cgroupDir, final int pseudoIfindex, final MemorySegment ingressProgram,
        final MemorySegment egressProgram, final int cgroupsMapFd)
    {
        if (!isPseudoIfindex(pseudoIfindex))
        {
            throw new IllegalArgumentException(
                "pseudoIfindex must be PSEUDO_IFINDEX_BASE | n: 0x" + Integer.toHexString(pseudoIfindex));
        }
        final String dir = cgroupDir.toString();
        final int dirFd = Libc.openDirectory(dir);
        int mapFd = -1;
        long id = 0;
        boolean mapped = false;
        MemorySegment ingress = MemorySegment.NULL;
        try
        {
            if (Libc.fileSystemType(dirFd, dir) != Libc.CGROUP2_SUPER_MAGIC)
            {
                throw new BpfException(dir + " is not a cgroup2 directory");
            }
            // The kernel's cgroup id (bpf_skb_cgroup_id) is the kernfs node id, which is the directory's inode.
            id = Libc.inode(dirFd, dir);
            final String what = dir + " (cgroup id " + id + ")";
            mapFd = Libc.dup(cgroupsMapFd, "on the fd of map " + MAP);
            mapEntry(mapFd, id, pseudoIfindex, what);
            mapped = true;
            ingress = attachOne(ingressProgram, dirFd, FlowProgram.CGROUP_INGRESS_PROGRAM, what);
            final MemorySegment egress = attachOne(egressProgram, dirFd, FlowProgram.CGROUP_EGRESS_PROGRAM, what);
            return new CgroupLink(cgroupDir, id, pseudoIfindex, dirFd, mapFd, ingress, egress);
        }
        catch (final RuntimeException | Error e)
        {
            if (ingress.address() != 0)
            {
                final int rc = Libbpf.linkDestroy(ingress);
                if (rc < 0)
                {
                    e.addSuppressed(BpfException.errno(
                        "bpf_link__destroy " + FlowProgram.CGROUP_INGRESS_PROGRAM + " on " + dir, -rc));
                }
            }
            if (mapped)
            {
                try
                {
                    removeEntry(mapFd, id, dir);
                }
                catch (final BpfException removed)
                {
                    e.addSuppressed(removed);
                }
            }
            if (mapFd >= 0)
            {
                Libc.close(mapFd);
            }
            Libc.close(dirFd);
            throw e;
        }
    }

    /** The cgroup2 directory the programs are attached to. */
    public Path cgroupDir()
    {
        return cgroupDir;
    }

    /** The cgroup's id: the directory's inode number, which is what bpf_skb_cgroup_id returns for it. */
    public long cgroupId()
    {
        return cgroupId;
    }

    /** The ifindex under which this cgroup's flows are keyed. */
    public int pseudoIfindex()
    {
        return pseudoIfindex;
    }

    /**
     * Detaches both programs, removes the map entry and closes the fds, the reverse of attaching, each step
     * whatever the one before did (the first failure is thrown, the others suppressed in it); idempotent. A
     * cgroup that is gone already took the programs with it, which is fine.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(
            () -> destroy(egress, FlowProgram.CGROUP_EGRESS_PROGRAM),
            () -> destroy(ingress, FlowProgram.CGROUP_INGRESS_PROGRAM),
            () -> removeEntry(mapFd, cgroupId, describe()),
            () -> Libc.close(mapFd),
            () -> Libc.close(dirFd));
    }

    public String toString()
    {
        return "CgroupLink{" + describe() + " as ifindex 0x" + Integer.toHexString(pseudoIfindex) + "}";
    }

    private String describe()
    {
        return cgroupDir + " (cgroup id " + cgroupId + ")";
    }

    private void destroy(final MemorySegment link, final String program)
    {
        final int rc = Libbpf.linkDestroy(link);
        if (rc < 0)
        {
            throw BpfException.errno("bpf_link__destroy " + program + " on " + describe(), -rc);
        }
    }

    private static MemorySegment attachOne(final MemorySegment program, final int dirFd, final String name,
        final String what)
    {
        final int[] errno = new int[1];
        final MemorySegment[] link = { MemorySegment.NULL };
        final LibbpfLog.Captured attached = LibbpfLog.capture(() ->
        {
            link[0] = Libbpf.programAttachCgroup(program, dirFd, errno);
            return link[0].address() == 0 ? -errno[0] : 0;
        });
        if (attached.rc() < 0)
        {
            throw attached.failure("bpf_program__attach_cgroup " + name + " on " + what);
        }
        return link[0];
    }

    private static void mapEntry(final int mapFd, final long id, final int pseudoIfindex, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocate(JAVA_LONG);
            key.set(JAVA_LONG, 0, id);
            final MemorySegment value = arena.allocate(JAVA_INT);
            value.set(JAVA_INT, 0, pseudoIfindex);
            // NOEXIST: a cgroup attached twice would count every packet twice, and the first close would
            // remove the second link's entry.
            final int rc = Libbpf.mapUpdateElem(mapFd, key, value, BPF_NOEXIST);
            if (rc < 0)
            {
                throw BpfException.errno("bpf_map_update_elem " + MAP + "[" + id + "] for " + what, -rc,
                    rc == -Libc.EEXIST ? "this cgroup is attached already" : null);
            }
        }
    }

    /** Removes the cgroup's entry from the map; one that is not there is fine. */
    private static void removeEntry(final int mapFd, final long id, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocate(JAVA_LONG);
            key.set(JAVA_LONG, 0, id);
            final int rc = Libbpf.mapDeleteElem(mapFd, key);
            if (rc != 0 && rc != -Libc.ENOENT)
            {
                throw BpfException.errno("bpf_map_delete_elem " + MAP + "[" + id + "] for " + what, -rc);
            }
        }
    }
}
