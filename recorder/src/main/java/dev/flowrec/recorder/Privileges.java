package dev.flowrec.recorder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks up front that the process may load BPF and attach TC filters, so that failure is one clear line. */
public final class Privileges
{
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_PTRACE = 19;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private Privileges()
    {
    }

    public static void requireRecording()
    {
        final BigInteger effective = effectiveCapabilities();
        final boolean bpf = effective.testBit(CAP_BPF) || effective.testBit(CAP_SYS_ADMIN);
        if (!bpf || !effective.testBit(CAP_NET_ADMIN))
        {
            throw new IllegalStateException("recording needs CAP_BPF and CAP_NET_ADMIN (run as root)");
        }
    }

    /**
     * Whether this process may load the programs that name each socket's owner (the current task's pid and comm in
     * cgroup programs, the iterators over tasks): CAP_PERFMON or CAP_SYS_ADMIN; with CAP_BPF and CAP_NET_ADMIN alone
     * the kernel refuses them, and the recorder records without process attribution.
     */
    public static boolean attributesOwners()
    {
        final BigInteger effective = effectiveCapabilities();
        return effective.testBit(CAP_PERFMON) || effective.testBit(CAP_SYS_ADMIN);
    }

    /**
     * Whether this process may look into other users' processes (/proc/PID/ns, /proc/PID/cgroup): without
     * CAP_SYS_PTRACE a non-root recorder sees no process in a namespace, so none there can be a container's.
     */
    public static boolean seesOtherProcesses()
    {
        return effectiveCapabilities().testBit(CAP_SYS_PTRACE);
    }

    private static BigInteger effectiveCapabilities()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("CapEff:"))
                {
                    return new BigInteger(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read /proc/self/status to check capabilities: " + ex.getMessage(), ex);
        }
        throw new IllegalStateException("no CapEff line in /proc/self/status");
    }
}
