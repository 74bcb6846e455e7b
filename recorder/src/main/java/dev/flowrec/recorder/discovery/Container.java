package dev.flowrec.recorder.discovery;

/**
 * What stands behind a host-side veth, found from the host alone.
 *
 * @param id          the runtime's 64-hex container id; for runtime "netns" the namespace's name or "netns-INODE".
 * @param shortId     the first 12 characters of a hex id (as {@code docker ps} shows it); for "netns", the id itself.
 * @param runtime     "docker", "containerd" (Kubernetes included), "crio", "podman", or "netns" when no process of the
 *                    namespace is in a runtime's cgroup.
 * @param cgroupPath  the cgroup path the id was recognised in, e.g. "/system.slice/docker-ID.scope"; for "netns", the
 *                    unified (0::) cgroup of the namespace's first process, or "" when it has none.
 * @param netnsName   the name under /run/netns, or "" when the namespace has none.
 * @param netnsIno    the namespace's nsfs inode, as in {@code readlink /proc/PID/ns/net} = "net:[INODE]".
 * @param peerIfname  the name of the veth's other end inside the namespace, e.g. "eth0".
 */
public record Container(String id, String shortId, String runtime, String cgroupPath, String netnsName, long netnsIno,
    String peerIfname)
{
}
