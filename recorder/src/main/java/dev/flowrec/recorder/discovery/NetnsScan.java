package dev.flowrec.recorder.discovery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network namespaces of this host as the recorder's mount namespace sees them: every process's
 * /proc/PID/ns/net plus the named ones bind-mounted under /run/netns (which may have no process at all).
 */
final class NetnsScan
{
    /** A network namespace: its nsfs inode, its /run/netns name or "", and its processes in ascending pid order. */
    record Netns(long ino, String name, Path namedPath, List<Integer> pids)
    {
        /** Paths that open it, most durable first: a name outlives any process. */
        List<Path> openPaths(final Path proc)
        {
            final List<Path> paths = new ArrayList<>(pids.size() + 1);
            if (namedPath != null)
            {
                paths.add(namedPath);
            }
            for (final int pid : pids)
            {
                paths.add(proc.resolve(pid + "/ns/net"));
            }
            return paths;
        }
    }

    private NetnsScan()
    {
    }

    /** Namespaces by inode; processes that exit mid-scan are skipped. */
    static Map<Long, Netns> scan(final Path proc, final Path runNetns) throws IOException
    {
        final Map<Long, List<Integer>> pidsByIno = new LinkedHashMap<>();
        final List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0)))
                {
                    pids.add(Integer.parseInt(name));
                }
            }
        }
        pids.sort(null);
        for (final int pid : pids)
        {
            final long ino = inoOfLink(proc.resolve(pid + "/ns/net"));
            if (ino > 0)
            {
                pidsByIno.computeIfAbsent(ino, k -> new ArrayList<>()).add(pid);
            }
        }
        final Map<Long, Netns> result = new LinkedHashMap<>();
        for (final Map.Entry<Path, Long> named : named(runNetns, nsfsDevice(proc)).entrySet())
        {
            final long ino = named.getValue();
            result.putIfAbsent(ino, new Netns(ino, named.getKey().getFileName().toString(), named.getKey(),
                pidsByIno.getOrDefault(ino, List.of())));
        }
        pidsByIno.forEach((ino, inNs) -> result.putIfAbsent(ino, new Netns(ino, "", null, inNs)));
        return result;
    }

    /** The inode of the namespace a /proc/.../ns/net link points to ("net:[INODE]"), or -1 when it is gone. */
    static long inoOfLink(final Path nsLink)
    {
        try
        {
            final String target = Files.readSymbolicLink(nsLink).toString();
            final int open = target.indexOf('[');
            return open < 0 ? -1 : Long.parseLong(target, open + 1, target.length() - 1, 10);
        }
        catch (final IOException | NumberFormatException | UnsupportedOperationException e)
        {
            return -1;
        }
    }

    /** The device of the nsfs pseudo filesystem: every namespace file, followed, lives on it. */
    private static long nsfsDevice(final Path proc)
    {
        try
        {
            return ((Number)Files.getAttribute(proc.resolve("self/ns/net"), "unix:dev")).longValue();
        }
        catch (final IOException e)
        {
            return -1;
        }
    }

    /** /run/netns/NAME files are nsfs bind mounts: their inode is the namespace's. An unmounted leftover is not. */
    private static Map<Path, Long> named(final Path runNetns, final long nsfsDevice)
    {
        final Map<Path, Long> named = new LinkedHashMap<>();
        if (!Files.isDirectory(runNetns))
        {
            return named;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runNetns))
        {
            for (final Path entry : entries)
            {
                try
                {
                    final long ino = ((Number)Files.getAttribute(entry, "unix:ino")).longValue();
                    final long device = ((Number)Files.getAttribute(entry, "unix:dev")).longValue();
                    if (device == nsfsDevice)
                    {
                        named.put(entry, ino);
                    }
                }
                catch (final IOException e)
                {
                    // removed while listing
                }
            }
        }
        catch (final IOException e)
        {
            // no named namespaces readable: processes still cover every namespace that has one
        }
        return named;
    }
}
