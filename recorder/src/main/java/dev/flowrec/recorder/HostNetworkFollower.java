package dev.flowrec.recorder;

import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.HostNetworkScan;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Follows containers on the host network, which have no veth: every two seconds, attaches to new container
 * cgroups holding a process of the recorder's namespace and detaches from vanished ones.
 */
final class HostNetworkFollower
{
    private static final long SCAN_PERIOD_NS = TimeUnit.SECONDS.toNanos(2);

    private final HostNetworkScan scan;
    private final CgroupLinks cgroups;
    private final RecorderErrors errors;
    private long nextScanNs;

    /** @param scan the scanner, or null to follow nothing (no --containers, or no cgroup2 hierarchy) */
    HostNetworkFollower(final HostNetworkScan scan, final CgroupLinks cgroups, final RecorderErrors errors)
    {
        this.scan = scan;
        this.cgroups = cgroups;
        this.errors = errors;
    }

    int doWork(final long nowNs)
    {
        if (scan == null || nowNs - nextScanNs < 0)
        {
            return 0;
        }
        nextScanNs = nowNs + SCAN_PERIOD_NS;
        int work = 0;
        for (final Map.Entry<Path, Container> found : scan.scan().entrySet())
        {
            if (!cgroups.contains(found.getKey()))
            {
                try
                {
                    cgroups.attach(found.getKey(), found.getValue());
                    work++;
                }
                catch (final RuntimeException ex)
                {
                    errors.count(); // the container may have gone meanwhile; the next scan retries
                }
            }
        }
        return work + cgroups.detachVanished();
    }
}
