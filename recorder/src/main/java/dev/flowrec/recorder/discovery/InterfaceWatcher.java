package dev.flowrec.recorder.discovery;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.NetlinkSocket;
import dev.flowrec.syscall.SyscallException;

/**
 * Keeps the link table of one network namespace (the one of the thread that constructs the watcher) and tells a
 * {@link LinkListener} what appears and vanishes. Every non-loopback link is reported, up or admin-down:
 * TC attaches to a down interface and sees its traffic once it comes up, so flags changes are not events.
 *
 * <p>State comes from a dump (RTM_GETLINK) at the first {@link #doWork()} and again after every socket overrun
 * (ENOBUFS: notifications were dropped, so the table can no longer be trusted); in between, from RTMGRP_LINK
 * notifications. Notifications that arrive while a dump is running are applied in arrival order to the table
 * being built: a dump part is produced when it is read, so anything queued before it is no newer than it.
 * A few states that the kernel does not announce completely are asked for one link at a time (RTM_GETLINK for
 * an ifindex): a veth end announced before its pair was complete, and a veth end whose peer moved away.
 *
 * <p>Single-threaded: construct, poll and close on one platform thread. The counters may be read from any thread.
 */
public final class InterfaceWatcher implements Agent
{
    private static final int DATAGRAMS_PER_DUTY_CYCLE = 64;

    private final NetlinkSocket socket;
    private final LinkListener listener;
    private final Int2ObjectHashMap<Link> reported = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Link> dumped = new Int2ObjectHashMap<>();
    private final ArrayDeque<Event> undelivered = new ArrayDeque<>();
    private boolean resyncWanted = true;
    private int lastSeq;
    /** Sequence number of the dump being read, 0 when none is. */
    private int dumpSeq;
    private boolean dumpSpoiled;
    private volatile long dumps;
    private volatile long overruns;

    /** Opens the netlink socket in the calling thread's network namespace: construct on the thread, or in the netns, to watch. */
    public InterfaceWatcher(final LinkListener listener)
    {
        this(listener, 0);
    }

    /** receiveBufferBytes > 0 overrides SO_RCVBUF; tests shrink it to provoke overruns. */
    InterfaceWatcher(final LinkListener listener, final int receiveBufferBytes)
    {
        this.listener = listener;
        this.socket = Rtnl.openRoute(Rtnl.RTMGRP_LINK, true);
        if (receiveBufferBytes > 0)
        {
            socket.receiveBufferSize(receiveBufferBytes);
        }
    }

    @Override
    public String roleName()
    {
        return "interface-watcher";
    }

    @Override
    public int doWork()
    {
        int work = deliver();
        if (resyncWanted && dumpSeq == 0)
        {
            work += startDump();
        }
        for (int i = 0; i < DATAGRAMS_PER_DUTY_CYCLE; i++)
        {
            final int n = socket.receive();
            if (n == NetlinkSocket.AGAIN)
            {
                break;
            }
            work += n == NetlinkSocket.OVERRUN ? onOverrun() : onDatagram(socket.buffer(), n);
        }
        return work + deliver();
    }

    @Override
    public void onClose()
    {
        socket.close();
    }

    /** Full dumps taken: the first one plus one per resynchronisation. */
    public long dumps()
    {
        return dumps;
    }

    /** Times the socket overran (ENOBUFS) and notifications were lost. */
    public long overruns()
    {
        return overruns;
    }

    /** True once the first dump is complete and reported. */
    public boolean synced()
    {
        return dumps > 0 && dumpSeq == 0 && !resyncWanted;
    }

    private int startDump()
    {
        final int seq = nextSeq();
        if (!Rtnl.requestLinkDump(socket, seq))
        {
            return 0;  // EBUSY: a dump is still running; retried on the next duty cycle
        }
        dumpSeq = seq;
        dumpSpoiled = false;
        resyncWanted = false;
        dumped.clear();
        return 1;
    }

    /** Notifications carry seq 0: never use it. */
    private int nextSeq()
    {
        lastSeq = lastSeq == Integer.MAX_VALUE ? 1 : lastSeq + 1;
        return lastSeq;
    }

    private int onOverrun()
    {
        overruns++;
        resyncWanted = true;
        dumpSpoiled = dumpSeq != 0;
        return 1;
    }

    private int onDatagram(final MemorySegment buffer, final int n)
    {
        int messages = 0;
        for (int offset = 0; offset + Rtnl.NLMSG_HDRLEN <= n; messages++)
        {
            final int length = Rtnl.messageLength(buffer, offset);
            if (length < Rtnl.NLMSG_HDRLEN || offset + length > n)
            {
                break;
            }
            onMessage(buffer, offset, length);
            offset += Rtnl.align(length);
        }
        return messages;
    }

    private void onMessage(final MemorySegment buffer, final int offset, final int length)
    {
        final int type = Rtnl.messageType(buffer, offset);
        final int seq = Rtnl.messageSeq(buffer, offset);
        final boolean ours = seq != 0 && Rtnl.messagePortId(buffer, offset) == socket.portId();
        final boolean dumpReply = ours && dumpSeq != 0 && seq == dumpSeq;
        if (dumpReply && type != Rtnl.RTM_NEWLINK)
        {
            onDumpControl(buffer, offset, type);
        }
        else if (type == Rtnl.NLMSG_OVERRUN)
        {
            onOverrun();
        }
        else if ((type == Rtnl.RTM_NEWLINK || type == Rtnl.RTM_DELLINK) && Rtnl.linkFamily(buffer, offset) == Rtnl.AF_UNSPEC)
        {
            // AF_BRIDGE link messages only describe a bridge port's state: a DELLINK of that family is a port
            // leaving its bridge, not an interface vanishing.
            if (dumpReply)
            {
                dumpSpoiled |= (Rtnl.messageFlags(buffer, offset) & Rtnl.NLM_F_DUMP_INTR) != 0;
            }
            final Link link = Rtnl.decodeLink(buffer, offset, length);
            if (dumpSeq != 0)
            {
                applyToDump(type, link);
            }
            else
            {
                applyToReported(type, link, ours);
            }
        }
        // NLMSG_ERROR for a single-link request: that link is gone, and its DELLINK says so.
    }

    private void onDumpControl(final MemorySegment buffer, final int offset, final int type)
    {
        if (type == Rtnl.NLMSG_DONE)
        {
            dumpSeq = 0;
            if (dumpSpoiled)
            {
                resyncWanted = true;
            }
            else
            {
                dumps++;
                reconcile();
            }
        }
        else if (type == Rtnl.NLMSG_ERROR)
        {
            final int errno = -Rtnl.errorCode(buffer, offset);
            dumpSeq = 0;
            resyncWanted = true;
            if (errno != Libc.EBUSY)
            {
                throw new SyscallException("RTM_GETLINK", "dump on netlink port " + socket.portId(), errno);
            }
        }
    }

    private void applyToDump(final int type, final Link link)
    {
        if (type == Rtnl.RTM_DELLINK)
        {
            dumped.remove(link.ifindex());
            refreshPeersOf(dumped, link.ifindex());
        }
        else
        {
            dumped.put(link.ifindex(), link);
        }
    }

    /** @param reply true for the answer to our own single-link request, which is never re-requested. */
    private void applyToReported(final int type, final Link link, final boolean reply)
    {
        final Link previous = reported.get(link.ifindex());
        if (type == Rtnl.RTM_DELLINK || !reportable(link))
        {
            if (previous != null)
            {
                reported.remove(link.ifindex());
                undelivered.add(new Event(false, previous));
            }
            if (type == Rtnl.RTM_DELLINK)
            {
                refreshPeersOf(reported, link.ifindex());
            }
            return;
        }
        if (incomplete(link) && !reply)
        {
            Rtnl.requestLink(socket, nextSeq(), link.ifindex());
            return;
        }
        reported.put(link.ifindex(), link);
        if (previous != null && !previous.sameIdentity(link))
        {
            undelivered.add(new Event(false, previous));
        }
        if (previous == null || !previous.sameIdentity(link))
        {
            undelivered.add(new Event(true, link));
        }
    }

    /**
     * A pair end whose same-namespace peer vanished may now have that peer in another namespace: Docker and CNI
     * plugins create the pair here and move one end into the container, and the kernel sends no notification for
     * the end that stays. Ask for its state; the reply updates it (gone + up, with IFLA_LINK_NETNSID) or says it
     * went with its peer.
     */
    private void refreshPeersOf(final Int2ObjectHashMap<Link> table, final int ifindex)
    {
        for (final Link link : table.values())
        {
            if (link.isPaired() && link.linkNetnsId() < 0 && link.linkIfindex() == ifindex)
            {
                Rtnl.requestLink(socket, nextSeq(), link.ifindex());
            }
        }
    }

    /** Turns the difference between what was reported and what the dump found into events. */
    private void reconcile()
    {
        final Int2ObjectHashMap<Link>.ValueIterator old = reported.values().iterator();
        while (old.hasNext())
        {
            final Link previous = old.next();
            final Link now = dumped.get(previous.ifindex());
            if (now == null || !reportable(now) || incomplete(now) || !previous.sameIdentity(now))
            {
                old.remove();
                undelivered.add(new Event(false, previous));
            }
        }
        for (final Link link : dumped.values())
        {
            if (reportable(link) && incomplete(link))
            {
                Rtnl.requestLink(socket, nextSeq(), link.ifindex());
            }
            else if (reportable(link) && reported.put(link.ifindex(), link) == null)
            {
                undelivered.add(new Event(true, link));
            }
        }
        dumped.clear();
    }

    /** Events are queued before they are told, so a listener that throws loses none: the rest follow next cycle. */
    private int deliver()
    {
        int delivered = 0;
        Event event;
        while ((event = undelivered.poll()) != null)
        {
            delivered++;
            if (event.up)
            {
                listener.onLinkUp(event.link);
            }
            else
            {
                listener.onLinkGone(event.link);
            }
        }
        return delivered;
    }

    /** Loopback only to a listener that asks for it (one that records {@code --iface lo}, or says it leaves it out). */
    private boolean reportable(final Link link)
    {
        return !link.isLoopback() || listener.reportsLoopback();
    }

    /**
     * A veth announced before its pair is complete: the kernel notifies the peer end while registering it, before
     * the two ends know each other, so it comes without IFLA_LINK. It is asked for again rather than reported
     * half-known (and then reported a second time as gone + up).
     */
    private static boolean incomplete(final Link link)
    {
        return ("veth".equals(link.kind()) || "netkit".equals(link.kind())) && link.linkIfindex() == 0;
    }

    private record Event(boolean up, Link link)
    {
    }
}
