package dev.flowrec.bpf;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.syscall.NetNs;
import dev.flowrec.syscall.SyscallException;
import org.agrona.CloseHelper;

/**
 * flowrec's ingress and egress filters on one interface. Owns them: close detaches both. The filters hold
 * their own reference to the programs, so they keep counting even after the {@link FlowProgram} is closed.
 * In the workload view ({@link #workloadView()}) the programs sit on the opposite hooks, so that directions
 * are those of the workload behind the interface (see {@link FlowProgram#attach(String, String, boolean)}).
 */
public final class TcLink implements AutoCloseable
{
    private final String netnsPath;
    private final String ifname;
    private final int ifindex;
    private final boolean workloadView;
    private final int handle;
    private boolean closed;

    private TcLink(final String netnsPath, final String ifname, final int ifindex, final boolean workloadView,
        final int handle)
    {
        this.handle = handle;
        this.netnsPath = netnsPath;
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.workloadView = workloadView;
    }

    /**
     * Attaches onIngressFd and onEgressFd to the TC hooks of ifname in the network namespace at netnsPath (null:
     * the caller's) with handle, each replacing in one step the filter a dead run of the same instance left there;
     * if egress fails, ingress is detached again. Enters the namespace on the calling thread only, for the
     * duration of the call.
     */
    static TcLink attach(final String netnsPath, final String ifname, final int onIngressFd, final int onEgressFd,
        final boolean workloadView, final int handle)
    {
        return NetNs.call(netnsPath, () ->
        {
            final int ifindex = NetIf.indexOf(ifname);
            final String what = describe(netnsPath, ifname, ifindex);
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
            return new TcLink(netnsPath, ifname, ifindex, workloadView, handle);
        });
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
     * Detaches both directions; idempotent. An interface or namespace that is gone already took the filters
     * with it, which is fine.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
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

    public String toString()
    {
        return "TcLink{" + describe() + (workloadView ? ", workload view" : "") + "}";
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
