package dev.flowrec.recorder.discovery;

import java.util.regex.Pattern;

/**
 * Recognises a container runtime and id in a cgroup path, as /proc/PID/cgroup shows it. Pure: no I/O.
 *
 * <p>Naming by runtime and cgroup driver (systemd driver: one ".scope" unit per container; cgroupfs driver: plain dirs):
 * <pre>
 *   docker      /system.slice/docker-ID.scope                 /docker/ID
 *   containerd  /.../cri-containerd-ID.scope                  /kubepods/QOS/podUID/ID, /kubepods/podUID/ID
 *   cri-o       /.../crio-ID.scope                            /kubepods/.../crio-ID
 *   podman      /machine.slice/libpod-ID.scope[/container]    /libpod_parent/libpod-ID
 * </pre>
 * Kubernetes pods nest these under kubepods[-QOS]-pod&lt;uid with '_' for '-'&gt;.slice (systemd) or
 * kubepods/QOS/pod&lt;uid&gt; (cgroupfs). Segments are read innermost first: in nested setups (docker in docker) the
 * innermost container owns the process. Monitor processes (crio-conmon-, libpod-conmon-) are not containers.
 */
public final class CgroupIds
{
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final String[][] SCOPE_PREFIXES = {
        {"docker-", "docker"},
        {"cri-containerd-", "containerd"},
        {"crio-", "crio"},
        {"libpod-", "podman"},
    };

    private CgroupIds()
    {
    }

    /** A runtime and its container id. */
    public record RuntimeId(String runtime, String id)
    {
    }

    /** The runtime and id named by a cgroup path, or null when the path names none. */
    public static RuntimeId recognise(final String cgroupPath)
    {
        final String[] segments = cgroupPath.split("/");
        for (int i = segments.length - 1; i >= 0; i--)
        {
            final String segment = segments[i].endsWith(".scope") ?
                segments[i].substring(0, segments[i].length() - ".scope".length()) : segments[i];
            if (segment.startsWith("crio-conmon-") || segment.startsWith("libpod-conmon-"))
            {
                return null;
            }
            final RuntimeId prefixed = prefixed(segment);
            if (prefixed != null)
            {
                return prefixed;
            }
            if (HEX64.matcher(segment).matches())
            {
                if (i > 0 && "docker".equals(segments[i - 1]))
                {
                    return new RuntimeId("docker", segment);
                }
                if (cgroupPath.contains("/kubepods"))
                {
                    return new RuntimeId("containerd", segment);
                }
            }
        }
        return null;
    }

    /**
     * The first runtime id named by any line of a /proc/PID/cgroup file ("ID:CONTROLLERS:PATH" lines; a hybrid
     * v1+v2 host lists each v1 hierarchy and the unified "0::" one), or null. Returns the path it was found in
     * through {@code pathOut[0]} when pathOut is not null.
     */
    public static RuntimeId recogniseFile(final String procCgroup, final String[] pathOut)
    {
        for (final String line : procCgroup.split("\n"))
        {
            final String path = pathOf(line);
            final RuntimeId id = path == null ? null : recognise(path);
            if (id != null)
            {
                if (pathOut != null)
                {
                    pathOut[0] = path;
                }
                return id;
            }
        }
        return null;
    }

    /** The unified hierarchy's path ("0::PATH" line), or "" when there is none. */
    public static String unifiedPath(final String procCgroup)
    {
        for (final String line : procCgroup.split("\n"))
        {
            if (line.startsWith("0::"))
            {
                return line.substring(3);
            }
        }
        return "";
    }

    private static String pathOf(final String line)
    {
        final int first = line.indexOf(':');
        final int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        return second < 0 ? null : line.substring(second + 1);
    }

    private static RuntimeId prefixed(final String segment)
    {
        for (final String[] prefix : SCOPE_PREFIXES)
        {
            if (segment.startsWith(prefix[0]))
            {
                final String id = segment.substring(prefix[0].length());
                if (HEX64.matcher(id).matches())
                {
                    return new RuntimeId(prefix[1], id);
                }
            }
        }
        return null;
    }
}
