package dev.flowrec.recorder;

import dev.flowrec.bpf.CgroupLink;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.HostNetworkScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cgroups recorded (containers on the host network, or given by hand), by directory, each under a
 * pseudo-ifindex of its own and journaled as an interface named {@link #CGROUP_IFNAME}. Recorder thread only.
 */
final class CgroupLinks
{
    private record Attached(CgroupLink link, Container container)
    {
    }

    /** The interface name flows counted at a cgroup carry. */
    static final String CGROUP_IFNAME = "cgroup";

    private final FlowProgram program;
    private final JournalEvents journal;
    private final Map<Path, Attached> attached = new LinkedHashMap<>();
    private int nextPseudoIfindex = 1;

    CgroupLinks(final RecorderContext context)
    {
        this.program = context.program();
        this.journal = context.journal();
    }

    /** Records a cgroup given by hand (--cgroup): failure is the caller's to report. */
    void attachGiven(final Path dir)
    {
        final Path root = cgroupRoot(dir);
        final Path absolute = resolveGiven(dir);
        attach(absolute, HostNetworkScan.identify(absolute, root));
    }

    /**
     * The directory of a cgroup given by hand (a cgroup2 path, or a directory under the cgroup2 mount), checked
     * to exist so that a recording can refuse a wrong one before it creates anything.
     *
     * @throws IllegalStateException naming the option and the directory looked for
     */
    static Path resolveGiven(final Path dir)
    {
        final Path root = cgroupRoot(dir);
        final Path absolute = dir.isAbsolute() && dir.startsWith(root) ? dir : root.resolve(dir.toString().replaceFirst("^/", ""));
        if (!Files.isDirectory(absolute))
        {
            throw new IllegalStateException("--cgroup " + dir + ": no such cgroup (" + absolute + " is not a directory)");
        }
        return absolute;
    }

    private static Path cgroupRoot(final Path dir)
    {
        return HostNetworkScan.cgroup2Mount().orElseThrow(() ->
            new IllegalStateException("--cgroup " + dir + ": no cgroup2 hierarchy is mounted here"));
    }

    void attach(final Path dir, final Container container)
    {
        final CgroupLink link = program.attachCgroup(dir, CgroupLink.pseudoIfindex(nextPseudoIfindex++));
        attached.put(dir, new Attached(link, container));
        journal.containerSeen(container, link.pseudoIfindex(), CGROUP_IFNAME);
        journal.interfaceAttached(link.pseudoIfindex(), CGROUP_IFNAME, container.shortId());
    }

    boolean contains(final Path dir)
    {
        return attached.containsKey(dir);
    }

    /** Detaches from cgroups whose directory is gone. */
    int detachVanished()
    {
        int work = 0;
        for (final Path dir : new ArrayList<>(attached.keySet()))
        {
            if (!Files.isDirectory(dir))
            {
                detach(dir, "vanished");
                work++;
            }
        }
        return work;
    }

    /** Detaches every cgroup, journaling each as stopped. */
    void closeAll()
    {
        for (final Path dir : new ArrayList<>(attached.keySet()))
        {
            detach(dir, "stopped");
        }
    }

    void addNamesTo(final List<String> names)
    {
        attached.values().forEach(c -> names.add(CGROUP_IFNAME + " " + c.container().cgroupPath()));
    }

    private void detach(final Path dir, final String reason)
    {
        final Attached a = attached.remove(dir);
        a.link().close();
        journal.interfaceDetached(a.link().pseudoIfindex(), CGROUP_IFNAME, reason);
    }
}
