package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.flowrec.syscall.Libc;

/**
 * TCX links (kernel 6.6 and later): the TC programs attached with BPF_LINK_CREATE on the interface's TCX hooks
 * instead of a cls_bpf filter on a clsact qdisc, whose wrapper (cls_bpf_classify, tc_run) cost as much per packet
 * as the program itself. libbpf 1.1 has no bpf_program__attach_tcx: the links are made with bpf_link_create and
 * the attach types' numbers. A kernel without TCX refuses those with EINVAL, and the caller falls back to clsact.
 * <p>
 * A link dies with its last fd, where a filter outlived the process that attached it. So that counting stays exact
 * across a crash, a recorder with a pin directory pins each link there ({@link #pinPath}: per network namespace,
 * ifindex and hook); the next run of the instance opens the pin and swaps its program in with BPF_LINK_UPDATE,
 * naming the program it replaces: the hook never runs without a program, and no packet is counted twice. A link
 * whose interface is gone is defunct (the update says ENOLINK): its pin is removed and a new link made. The
 * program goes first on the hook (BPF_F_BEFORE, no relative) and returns TCX_NEXT (TC_ACT_UNSPEC): the programs
 * after it and the clsact filters run as if it were not there.
 *
 * <pre>
 * struct bpf_link_create_opts (16): long sz | int flags | 4 pad (the union after it left 0)
 * struct bpf_link_update_opts (16): long sz | int flags | int old_prog_fd
 * struct bpf_link_info (24 read): int type | int id | int prog_id | 4 pad | int tcx.ifindex | int tcx.attach_type
 * </pre>
 */
final class Tcx
{
    static final int INGRESS = 46; // BPF_TCX_INGRESS
    static final int EGRESS = 47; // BPF_TCX_EGRESS

    private static final String PIN_PREFIX = "tcx-";
    private static final int BPF_F_REPLACE = 1 << 2;
    private static final int BPF_F_BEFORE = 1 << 3;
    private static final int ENOLINK = 67;
    private static final long OPTS_SIZE = 16;
    private static final int LINK_INFO_LENGTH = 24;

    /** Set once a link create said EINVAL: this kernel has no TCX, every later attach goes to clsact directly. */
    private static volatile boolean unsupported;

    private Tcx()
    {
    }

    /** False once the kernel refused a TCX link with EINVAL. */
    static boolean supported()
    {
        return !unsupported;
    }

    /** The kernel has no TCX hooks (EINVAL from BPF_LINK_CREATE with a TCX attach type). */
    static void markUnsupported()
    {
        unsupported = true;
    }

    /** Tests: attach as on a kernel without TCX (true) or try TCX again (false). */
    static void unsupported(final boolean value)
    {
        unsupported = value;
    }

    /**
     * Where the link on one hook of ifindex in the caller's network namespace is pinned under pinDir:
     * tcx-NETNS-IFINDEX-ingress|egress, NETNS the namespace's inode. Enter the namespace first.
     */
    static String pinPath(final String pinDir, final int ifindex, final int attachType)
    {
        return pinDir + "/" + PIN_PREFIX + netnsInode() + "-" + ifindex + "-" + hookName(attachType);
    }

    /**
     * Attaches progFd to a TCX hook of ifindex: swaps it into the link pinned at pin (null: none) when there is a
     * live one, else makes a new link and pins it there.
     *
     * @return the link's fd, or -EINVAL when the kernel has no TCX (nothing was changed)
     */
    static int attach(final String pin, final int ifindex, final int attachType, final int progFd, final String what)
    {
        if (pin != null)
        {
            final int pinned = Libbpf.objGet(pin);
            if (pinned >= 0)
            {
                final int rc = update(pinned, progFd);
                if (rc == 0)
                {
                    return pinned;
                }
                Libc.close(pinned);
                if (rc != -ENOLINK)
                {
                    throw BpfException.errno("BPF_LINK_UPDATE of the link pinned at " + pin + " on " + what, -rc);
                }
                unpin(pin); // defunct: its interface went away (the ifindex is another interface's now)
            }
        }
        final int fd = create(ifindex, attachType, progFd);
        if (fd == -Libc.EINVAL)
        {
            return fd;
        }
        if (fd < 0)
        {
            throw BpfException.errno("BPF_LINK_CREATE tcx " + hookName(attachType) + " on " + what, -fd);
        }
        if (pin != null)
        {
            final int rc = Libbpf.objPin(fd, pin);
            if (rc < 0)
            {
                release(fd, null);
                throw BpfException.errno("BPF_OBJ_PIN of the tcx " + hookName(attachType) + " link on " + what + " at " + pin, -rc);
            }
        }
        return fd;
    }

    /** Detaches the link, removes its pin (null: none) and closes the fd; the first failure is thrown. */
    static void release(final int fd, final String pin)
    {
        final int rc = Libbpf.linkDetach(fd);
        Libc.close(fd);
        if (pin != null)
        {
            unpin(pin);
        }
        if (rc < 0 && rc != -ENOLINK && rc != -Libc.EINVAL)
        {
            throw BpfException.errno("BPF_LINK_DETACH" + (pin == null ? "" : " of the link pinned at " + pin), -rc);
        }
    }

    /**
     * Detaches and unpins the links a dead run of the instance pinned under pinDir for ifindex of the caller's
     * network namespace; returns how many there were (0 to 2).
     */
    static int detachStale(final String pinDir, final int ifindex)
    {
        if (pinDir == null)
        {
            return 0;
        }
        int removed = 0;
        for (final int type : new int[]{ INGRESS, EGRESS })
        {
            final String pin = pinPath(pinDir, ifindex, type);
            final int fd = Libbpf.objGet(pin);
            if (fd >= 0)
            {
                release(fd, pin);
                removed++;
            }
        }
        return removed;
    }

    /** Removes every link pin under pinDir: what is left of interfaces that are gone (a clean stop). */
    static void unpinAll(final Path pinDir) throws IOException
    {
        try (var pins = Files.newDirectoryStream(pinDir, PIN_PREFIX + "*"))
        {
            for (final Path pin : pins)
            {
                Files.deleteIfExists(pin);
            }
        }
    }

    static String hookName(final int attachType)
    {
        return attachType == INGRESS ? "ingress" : "egress";
    }

    private static int create(final int ifindex, final int attachType, final int progFd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
            opts.set(JAVA_LONG, 0, OPTS_SIZE);
            opts.set(JAVA_INT, 8, BPF_F_BEFORE);
            return Libbpf.linkCreate(progFd, ifindex, attachType, opts);
        }
    }

    /** Swaps progFd into the link, naming the program it replaces (BPF_F_REPLACE); 0 or -errno. */
    private static int update(final int linkFd, final int progFd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment info = arena.allocate(LINK_INFO_LENGTH, 8);
            final int got = Libbpf.objGetInfoByFd(linkFd, info);
            if (got < 0)
            {
                return got;
            }
            final int oldProg = Libbpf.progGetFdById(info.get(JAVA_INT, 8));
            if (oldProg < 0)
            {
                return oldProg;
            }
            try
            {
                final MemorySegment opts = arena.allocate(OPTS_SIZE, 8);
                opts.set(JAVA_LONG, 0, OPTS_SIZE);
                opts.set(JAVA_INT, 8, BPF_F_REPLACE);
                opts.set(JAVA_INT, 12, oldProg);
                return Libbpf.linkUpdate(linkFd, progFd, opts);
            }
            finally
            {
                Libc.close(oldProg);
            }
        }
    }

    private static void unpin(final String pin)
    {
        try
        {
            Files.deleteIfExists(Path.of(pin));
        }
        catch (final IOException ex)
        {
            throw new BpfException("unpin " + pin + ": " + ex.getMessage(), ex);
        }
    }

    private static long netnsInode()
    {
        final String ns = "/proc/thread-self/ns/net";
        final int fd = Libc.open(ns);
        try
        {
            return Libc.inode(fd, ns);
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
