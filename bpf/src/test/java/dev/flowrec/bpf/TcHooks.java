package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.syscall.NetNs;
import dev.flowrec.syscall.SyscallException;

/**
 * What is attached to a TC hook of an interface, both ways flowrec attaches: `tc filter show` (clsact filters),
 * then a line "tcx bpf NAME id ID" for each program on the TCX hook of that name (TCX links, which this
 * bpftool and tc do not show). For tests that check what the recorder attached and detached.
 */
public final class TcHooks
{
    private static final int MAX_PROGRAMS = 64;
    private static final int PROG_INFO_LENGTH = 80;
    private static final int PROG_INFO_NAME = 64;
    private static final int PROG_NAME_LENGTH = 16;

    private TcHooks()
    {
    }

    /**
     * `tc filter show dev IFNAME HOOK` in the network namespace NETNS (null: this one), empty when it fails (no such
     * interface), followed by the interface's TCX programs on HOOK ("ingress" or "egress").
     */
    public static String show(final String netns, final String ifname, final String hook)
    {
        final List<String> command = new ArrayList<>();
        if (netns != null)
        {
            command.addAll(List.of("ip", "netns", "exec", netns));
        }
        command.addAll(List.of("tc", "filter", "show", "dev", ifname, hook));
        final StringBuilder out = new StringBuilder();
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() == 0)
            {
                out.append(text);
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        for (final String line : tcx(netns == null ? null : "/run/netns/" + netns, ifname, hook))
        {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Whether this kernel has TCX hooks (6.6 and later), where flowrec attaches links and makes no clsact qdisc. */
    public static boolean kernelHasTcx()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment ids = arena.allocate(JAVA_INT, MAX_PROGRAMS);
            final MemorySegment count = arena.allocate(JAVA_INT);
            count.set(JAVA_INT, 0, MAX_PROGRAMS);
            return Libbpf.progQuery(NetIf.indexOf("lo"), Tcx.INGRESS, ids, count) == 0;
        }
    }

    /** "tcx bpf NAME id ID" for each program on the TCX hook of ifname in the namespace at netnsPath, in order. */
    public static List<String> tcx(final String netnsPath, final String ifname, final String hook)
    {
        final List<String> lines = new ArrayList<>();
        try
        {
            NetNs.call(netnsPath, () ->
            {
                final int ifindex;
                try
                {
                    ifindex = NetIf.indexOf(ifname);
                }
                catch (final SyscallException gone)
                {
                    return null;
                }
                try (Arena arena = Arena.ofConfined())
                {
                    final MemorySegment ids = arena.allocate(JAVA_INT, MAX_PROGRAMS);
                    final MemorySegment count = arena.allocate(JAVA_INT);
                    count.set(JAVA_INT, 0, MAX_PROGRAMS);
                    final int rc = Libbpf.progQuery(ifindex, "ingress".equals(hook) ? Tcx.INGRESS : Tcx.EGRESS, ids, count);
                    if (rc < 0)
                    {
                        return null; // no TCX in this kernel
                    }
                    for (int i = 0; i < count.get(JAVA_INT, 0); i++)
                    {
                        final int id = ids.getAtIndex(JAVA_INT, i);
                        lines.add("tcx bpf " + name(arena, id) + " id " + id);
                    }
                }
                return null;
            });
        }
        catch (final SyscallException ex)
        {
            if (ex.errno() != Libc.ENOENT)
            {
                throw ex;
            }
        }
        return lines;
    }

    private static String name(final Arena arena, final int id)
    {
        final int fd = Libbpf.progGetFdById(id);
        if (fd < 0)
        {
            return "?";
        }
        try
        {
            final MemorySegment info = arena.allocate(PROG_INFO_LENGTH, 8);
            if (Libbpf.objGetInfoByFd(fd, info) < 0)
            {
                return "?";
            }
            final byte[] name = info.asSlice(PROG_INFO_NAME, PROG_NAME_LENGTH).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            int n = 0;
            while (n < name.length && name[n] != 0)
            {
                n++;
            }
            return new String(name, 0, n, StandardCharsets.US_ASCII);
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
