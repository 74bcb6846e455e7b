package dev.flowrec.bpf;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.syscall.NetNs;
import dev.flowrec.syscall.SyscallException;
import org.agrona.CloseHelper;

/**
 * flowrec's ingress and egress programs on one interface: two TCX links ({@link Tcx}, kernel 6.6 and later), or two
 * filters on a clsact qdisc ({@link Tc}) where the kernel has no TCX or a dead run of the instance left filters
 * there (replacing those in one step keeps the count exact; the next run after a clean stop uses TCX). Owns them:
 * close detaches both (and removes the links' pins). Links and filters hold their own reference to the programs,
 * so they keep counting even after the {@link FlowProgram} is closed. In the workload view ({@link #workloadView()})
 * the programs sit on the opposite hooks, so that directions are those of the workload behind the interface (see
 * {@link FlowProgram#attach(String, String, boolean)}).
 */
public final class TcLink implements AutoCloseable
{
    private final String netnsPath;
    private final String ifname;
    private final int ifindex;
    private final boolean workloadView;
    private final int handle;
    private final int ingressLink;
    private final int egressLink;
    private final String ingressPin;
    private final String egressPin;
    private boolean closed;

    private TcLink(final String netnsPath, final String ifname, final int ifindex, final boolean workloadView,
        final int handle, final int ingressLink, final int egressLink, final String ingressPin, final String egressPin)
    {
        this.handle = handle;
        this.netnsPath = netnsPath;
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.workloadView = workloadView;
        this.ingressLink = ingressLink;
        this.egressLink = egressLink;
        this.ingressPin = ingressPin;
        this.egressPin = egressPin;
    }

    /**
     * Attaches onIngressFd and onEgressFd to the TC hooks of ifname in the network namespace at netnsPath (null:
     * the caller's): as TCX links pinned under pinDir (null: not pinned), each swapped into the link a dead run of
     * the same instance pinned there; or as clsact filters with handle, each replacing in one step the filter a
     * dead run left. If egress fails, ingress is detached again. Enters the namespace on the calling thread only,
     * for the duration of the call.
     */
    static TcLink attach(final String netnsPath, final String ifname, final int onIngressFd, final int onEgressFd,
        final boolean workloadView, final int handle, final String pinDir)
    {
        return NetNs.call(netnsPath, () ->
        {
            final int ifindex = NetIf.indexOf(ifname);
            final String what = describe(netnsPath, ifname, ifindex);
            final TcLink tcx = Tcx.supported() ?
                attachTcx(netnsPath, ifname, ifindex, onIngressFd, onEgressFd, workloadView, handle, pinDir, what) : null;
            if (tcx != null)
            {
                return tcx;
            }
            Tc.createHook(ifindex, what);
            Tc.attach(ifindex, Tc.INGRESS, onIngressFd, handle, what);
            try
            {
                Tc.attach(ifindex, Tc.EGRESS, onEgressFd, handle, what);
            }
            catch (final BpfException e)
            {
                final LibbpfLog.Captured detached = Tc.detach(ifindex, Tc.INGRESS, handle);
                if (detached.rc() != 0)
                {
                    e.addSuppressed(detached.failure("bpf_tc_detach ingress on " + what));
                }
                throw e;
            }
            return new TcLink(netnsPath, ifname, ifindex, workloadView, handle, -1, -1, null, null);
        });
    }

    /** The TCX links, or null for clsact: no TCX here, or a dead run's filters to replace (none of its links). */
    private static TcLink attachTcx(final String netnsPath, final String ifname, final int ifindex, final int onIngressFd,
        final int onEgressFd, final boolean workloadView, final int handle, final String pinDir, final String what)
    {
        final String inPin = pinDir == null ? null : Tcx.pinPath(pinDir, ifindex, Tcx.INGRESS);
        final String outPin = pinDir == null ? null : Tcx.pinPath(pinDir, ifindex, Tcx.EGRESS);
        final boolean pinned = inPin != null && (Files.exists(Path.of(inPin)) || Files.exists(Path.of(outPin)));
        final boolean staleFilters = Tc.exists(ifindex, handle);
        if (staleFilters && !pinned)
        {
            return null;
        }
        final int in = Tcx.attach(inPin, ifindex, Tcx.INGRESS, onIngressFd, what);
        if (in == -Libc.EINVAL)
        {
            Tcx.markUnsupported();
            return null;
        }
        final int out;
        try
        {
            out = Tcx.attach(outPin, ifindex, Tcx.EGRESS, onEgressFd, what);
            if (out < 0)
            {
                throw BpfException.errno("BPF_LINK_CREATE tcx egress on " + what, -out);
            }
        }
        catch (final RuntimeException e)
        {
            releaseQuietly(in, inPin, e);
            throw e;
        }
        if (staleFilters)
        {
            try
            {
                Tc.detachStaleHere(ifindex, handle); // both counted since the links came: a dead run's mix, not ours
            }
            catch (final RuntimeException e)
            {
                // Links beside filters that stay would count each packet twice: neither is left to count.
                releaseQuietly(out, outPin, e);
                releaseQuietly(in, inPin, e);
                throw e;
            }
        }
        return new TcLink(netnsPath, ifname, ifindex, workloadView, handle, in, out, inPin, outPin);
    }

    /** Detaches and unpins a link made by this attach, the failure it meets added to the one being thrown. */
    private static void releaseQuietly(final int fd, final String pin, final RuntimeException failure)
    {
        try
        {
            Tcx.release(fd, pin);
        }
        catch (final RuntimeException released)
        {
            failure.addSuppressed(released);
        }
    }

    public int ifindex()
    {
        return ifindex;
    }

    public String ifname()
    {
        return ifname;
    }

    /**
     * True when flowrec_egress is on the TC ingress hook and flowrec_ingress on TC egress: "out" is what the
     * interface received (from the workload behind it), "in" what it transmitted (to that workload).
     */
    public boolean workloadView()
    {
        return workloadView;
    }

    /** The network namespace the interface is in (e.g. /run/netns/NAME), null for the caller's own. */
    public String netnsPath()
    {
        return netnsPath;
    }

    /**
     * Detaches both directions and unpins the links; idempotent. An interface or namespace that is gone already
     * took the filters with it, which is fine.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (tcx())
        {
            // A link is detached through its fd, whatever became of its interface or namespace.
            CloseHelper.closeAll(() -> Tcx.release(egressLink, egressPin), () -> Tcx.release(ingressLink, ingressPin));
            return;
        }
        try
        {
            NetNs.call(netnsPath, this::detachBoth);
        }
        catch (final SyscallException e)
        {
            if (e.errno() != Libc.ENOENT) // the namespace is gone, and its interfaces with it
            {
                throw e;
            }
        }
    }

    /** Whether the programs are on TCX links, not clsact filters. */
    public boolean tcx()
    {
        return ingressLink >= 0;
    }

    public String toString()
    {
        return "TcLink{" + describe() + (tcx() ? ", tcx" : ", clsact") + (workloadView ? ", workload view" : "") + "}";
    }

    private Void detachBoth()
    {
        CloseHelper.closeAll(() -> detach(Tc.EGRESS), () -> detach(Tc.INGRESS));
        return null;
    }

    private void detach(final int point)
    {
        final LibbpfLog.Captured detached = Tc.detach(ifindex, point, handle);
        if (detached.rc() != 0 && !Tc.isAbsent(detached.rc()))
        {
            throw detached.failure("bpf_tc_detach " + Tc.pointName(point) + " on " + describe());
        }
    }

    String describe()
    {
        return describe(netnsPath, ifname, ifindex);
    }

    static String describe(final String netnsPath, final String ifname, final int ifindex)
    {
        return ifname + " (ifindex " + ifindex + ")" + (netnsPath == null ? "" : " in " + netnsPath);
    }
}
