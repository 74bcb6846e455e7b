package dev.flowrec.recorder.discovery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Containers on the host network have no veth to record: they are found as processes that share the
 * recorder's network namespace but whose cgroup names a container, and are recorded at their cgroup.
 */
public final class HostNetworkScan
{
    private static final Path PROC = Path.of("/proc");

    private final Path cgroupRoot;
    private final String ownNetns;

    private HostNetworkScan(final Path cgroupRoot, final String ownNetns)
    {
        this.cgroupRoot = cgroupRoot;
        this.ownNetns = ownNetns;
    }

    /** A scanner, or empty when no cgroup2 hierarchy is mounted where this process can see it. */
    public static Optional<HostNetworkScan> open()
    {
        return cgroup2Mount().map(root -> new HostNetworkScan(root, netnsOf(PROC.resolve("thread-self"))));
    }

    public Path cgroupRoot()
    {
        return cgroupRoot;
    }

    /** Container cgroups (directories under the cgroup2 mount) holding a process of this network namespace. */
    public Map<Path, Container> scan()
    {
        final Map<Path, Container> found = new LinkedHashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString())))
        {
            for (final Path pidDir : entries)
            {
                if (!ownNetns.equals(netnsOf(pidDir)))
                {
                    continue;
                }
                final String procCgroup = read(pidDir.resolve("cgroup"));
                final CgroupIds.RuntimeId id = procCgroup == null ? null : CgroupIds.recogniseFile(procCgroup, null);
                final String unified = procCgroup == null ? "" : CgroupIds.unifiedPath(procCgroup);
                if (id == null || unified.isEmpty() || unified.equals("/"))
                {
                    continue;
                }
                final Path dir = cgroupRoot.resolve(unified.substring(1));
                found.putIfAbsent(dir, new Container(id.id(), shortId(id.id()), id.runtime(), unified, "", 0, ""));
            }
        }
        catch (final IOException ex)
        {
            // /proc listing failed: nothing found this round, the next scan tries again
        }
        return found;
    }

    /** The container a cgroup given by hand stands for: its runtime id, or the directory's name. */
    public static Container identify(final Path cgroupDir, final Path cgroupRoot)
    {
        final String path = "/" + cgroupRoot.relativize(cgroupDir);
        final CgroupIds.RuntimeId id = CgroupIds.recognise(path);
        return id != null ?
            new Container(id.id(), shortId(id.id()), id.runtime(), path, "", 0, "") :
            new Container(path, cgroupDir.getFileName().toString(), "cgroup", path, "", 0, "");
    }

    /** Where cgroup2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
    public static Optional<Path> cgroup2Mount()
    {
        final String mountinfo = read(PROC.resolve("self/mountinfo"));
        if (mountinfo == null)
        {
            return Optional.empty();
        }
        for (final String line : mountinfo.split("\n"))
        {
            // "36 25 0:30 / /sys/fs/cgroup/unified rw,... - cgroup2 cgroup2 rw"
            final int dash = line.indexOf(" - ");
            if (dash > 0 && line.startsWith("cgroup2 ", dash + 3))
            {
                final List<String> fields = List.of(line.substring(0, dash).split(" "));
                return Optional.of(Path.of(fields.get(4)));
            }
        }
        return Optional.empty();
    }

    private static String shortId(final String id)
    {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private static boolean isPid(final String name)
    {
        return !name.isEmpty() && Character.isDigit(name.charAt(0));
    }

    private static String netnsOf(final Path pidDir)
    {
        try
        {
            return Files.readSymbolicLink(pidDir.resolve("ns/net")).toString();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return null; // the process exited mid-scan
        }
    }
}
