package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import dev.flowrec.syscall.Libc;

/**
 * The kernel state of a recorder instance pinned in bpffs, {@code /sys/fs/bpf/flowrec/INSTANCE/{flows, events,
 * counters, cgroups, meta}}: the maps outlive a recorder that dies, its filters keep counting into them, and the
 * next run of the same instance adopts them (libbpf reuses a map pinned at the path it is told to pin it at).
 * <p>
 * Why a meta map: libbpf refuses to reuse a pinned map of another type or size, but says only "invalid argument";
 * and a map of the same sizes may hold records of another layout. The meta map ({@link PinnedMeta}) says which
 * layout and sizes the maps were made with, so that a recorder of another version or configuration recognises
 * them as foreign before loading anything, reads what it can, and starts fresh.
 */
public final class PinnedMaps
{
    /** Where instances pin their state: the host's bpffs. */
    public static final Path ROOT = Path.of("/sys/fs/bpf/flowrec");
    public static final String META_MAP = "meta";
    static final List<String> PINNED =
        List.of(FlowProgram.FLOWS_MAP, FlowProgram.EVENTS_MAP, FlowProgram.COUNTERS_MAP, FlowProgram.CGROUPS_MAP, META_MAP);

    private static final long BPF_FS_MAGIC = 0xcafe4a11L;
    private static final int MAP_INFO_LENGTH = 24;

    /**
     * What is pinned at a directory.
     *
     * @param found    whether anything is pinned there
     * @param meta     the meta map's value, null when there is none or it cannot be read
     * @param mismatch why the pinned maps cannot be adopted by a program of this config, null when they can
     */
    public record Inspection(boolean found, PinnedMeta meta, String mismatch)
    {
        public boolean adoptable()
        {
            return found && mismatch == null;
        }
    }

    private PinnedMaps()
    {
    }

    /** @return null when bpffs is mounted at /sys/fs/bpf here, else why not (a mount namespace of its own). */
    public static String unavailable()
    {
        final Path bpffs = ROOT.getParent();
        final int fd = Libc.tryOpen(bpffs.toString());
        if (fd < 0)
        {
            return "no " + bpffs;
        }
        try
        {
            return Libc.fileSystemType(fd, bpffs.toString()) == BPF_FS_MAGIC ? null :
                bpffs + " is not a bpffs in this mount namespace (ip netns exec mounts a sysfs of its own)";
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /** Whether the maps pinned at dir are of this layout and config, to be adopted as they are. */
    public static Inspection inspect(final Path dir, final FlowProgram.Config config)
    {
        if (!Files.isDirectory(dir))
        {
            return new Inspection(false, null, null);
        }
        boolean any = false;
        for (final String name : PINNED)
        {
            any |= Files.exists(dir.resolve(name));
        }
        if (!any)
        {
            return new Inspection(false, null, null);
        }
        final PinnedMeta meta = readMeta(dir);
        if (meta == null)
        {
            return new Inspection(true, null, "no readable meta map");
        }
        if (meta.layout() != PinnedMeta.LAYOUT_VERSION)
        {
            return new Inspection(true, meta, "layout " + meta.layout() + ", this flowrec's is " + PinnedMeta.LAYOUT_VERSION);
        }
        if (meta.maxFlows() != config.maxFlows() || meta.ringBytes() != config.ringBytes())
        {
            return new Inspection(true, meta, "--max-flows " + meta.maxFlows() + " and --ring-size " + meta.ringBytes() +
                ", this run's are " + config.maxFlows() + " and " + config.ringBytes());
        }
        for (final String name : PINNED)
        {
            if (!Files.exists(dir.resolve(name)))
            {
                return new Inspection(true, meta, "no pinned map " + name);
            }
        }
        return new Inspection(true, meta, null);
    }

    /** Removes the pins at dir and dir itself, and the instances' root if no instance is left; the maps live on while fds hold them. */
    public static void unpin(final Path dir)
    {
        try
        {
            unpinMaps(dir);
            Tcx.unpinAll(dir); // a clean stop detached its links: these are of interfaces that went away meanwhile
            Files.deleteIfExists(dir);
            Files.deleteIfExists(dir.getParent());
        }
        catch (final DirectoryNotEmptyException | NoSuchFileException ex)
        {
            // another instance's state, or something of another tool's: theirs to remove
        }
        catch (final IOException ex)
        {
            throw new BpfException("unpin " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Removes the pins at dir and keeps dir: a starting recorder that drops pinned state keeps the directory its
     * instance lock is on, so that no other recorder can take the instance in between.
     */
    public static void unpinMaps(final Path dir)
    {
        try
        {
            for (final String name : PINNED)
            {
                Files.deleteIfExists(dir.resolve(name));
            }
        }
        catch (final IOException ex)
        {
            throw new BpfException("unpin " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** A new fd of the map pinned at path, or -errno. */
    static int open(final Path path)
    {
        return Libbpf.objGet(path.toString());
    }

    /** {type, id, key_size, value_size, max_entries, map_flags} of a map fd. */
    static int[] info(final int fd, final String what)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment info = arena.allocate(MAP_INFO_LENGTH, 8);
            Libbpf.check(Libbpf.objGetInfoByFd(fd, info), "bpf_obj_get_info_by_fd " + what);
            final int[] fields = new int[MAP_INFO_LENGTH / 4];
            for (int i = 0; i < fields.length; i++)
            {
                fields[i] = info.get(JAVA_INT, 4L * i);
            }
            return fields;
        }
    }

    private static PinnedMeta readMeta(final Path dir)
    {
        final int fd = open(dir.resolve(META_MAP));
        if (fd < 0)
        {
            return null;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final int[] info = info(fd, dir.resolve(META_MAP).toString());
            if (info[2] != 4 || info[3] != PinnedMeta.LENGTH)
            {
                return null;
            }
            final MemorySegment key = arena.allocate(JAVA_INT);
            final MemorySegment value = arena.allocate(PinnedMeta.LENGTH, 8);
            return Libbpf.mapLookupElem(fd, key, value) < 0 ? null : PinnedMeta.read(value);
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
