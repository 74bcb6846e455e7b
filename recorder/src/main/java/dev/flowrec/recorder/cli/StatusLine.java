package dev.flowrec.recorder.cli;

import dev.flowrec.journal.text.Sizes;
import dev.flowrec.recorder.live.Snapshot;
import dev.flowrec.syscall.Libc;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The recorder's one-line status on a terminal: flows, rates, journal size and loss, rewritten in place every second
 * ({@code \r} and erase-line) from the live view's latest snapshot. Other lines said meanwhile erase it first and the
 * next tick draws it again below them. Off in a pipe, a file and under systemd (whose journal would keep every
 * rewrite), and with {@code --quiet}: then {@link #say} is a plain println.
 */
final class StatusLine implements AutoCloseable
{
    private static final String ERASE = "\r\u001b[K";
    private static final long PERIOD_MS = 1000;

    private final PrintWriter err;
    private final boolean enabled;
    private Thread ticker;
    private boolean drawn;

    StatusLine(final PrintWriter err, final boolean enabled)
    {
        this.err = err;
        this.enabled = enabled;
    }

    /** stderr is a terminal and systemd did not start us (it sets INVOCATION_ID and JOURNAL_STREAM). */
    static boolean onTerminal()
    {
        return Libc.isatty(2) && System.getenv("INVOCATION_ID") == null && System.getenv("JOURNAL_STREAM") == null;
    }

    /** Starts drawing, once a second, from the snapshots {@code traffic} gives. */
    synchronized void start(final Supplier<Snapshot> traffic)
    {
        if (!enabled || ticker != null)
        {
            return;
        }
        ticker = Thread.ofPlatform().daemon().name("flowrec-status").start(() ->
        {
            try
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    Thread.sleep(PERIOD_MS);
                    draw(line(traffic.get()));
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A line for people: over the status line, which the next tick draws again. */
    synchronized void say(final String line)
    {
        err.println(drawn ? ERASE + line : line);
        err.flush();
        drawn = false;
    }

    private synchronized void draw(final String status)
    {
        if (ticker == null)
        {
            return; // closed meanwhile
        }
        err.print(ERASE + status);
        err.flush();
        drawn = true;
    }

    /** "flowrec record: 12 flows, rx 1.2 MiB/s 840 pkt/s, tx 3.0 KiB/s 40 pkt/s, journal 3.1 MiB, loss none". */
    static String line(final Snapshot s)
    {
        double rxBps = 0;
        double txBps = 0;
        double rxPps = 0;
        double txPps = 0;
        for (final Snapshot.InterfaceTraffic i : s.interfaces())
        {
            rxBps += i.rx().bps1s();
            txBps += i.tx().bps1s();
            rxPps += i.rx().pps1s();
            txPps += i.tx().pps1s();
        }
        final long lost = s.loss().ringLostEvents() + s.loss().journalLostEvents();
        return String.format(Locale.ROOT, "flowrec record: %d flows, rx %s/s %.0f pkt/s, tx %s/s %.0f pkt/s, journal %s, loss %s",
            s.activeFlows(), Sizes.human((long)(rxBps / 8)), rxPps, Sizes.human((long)(txBps / 8)), txPps,
            s.journalBytes() < 0 ? "?" : Sizes.human(s.journalBytes()), lost == 0 ? "none" : lost + " events");
    }

    /** Stops drawing and erases the status, so that the recorder's last line stands alone. */
    public synchronized void close()
    {
        if (ticker != null)
        {
            ticker.interrupt();
            ticker = null;
        }
        if (drawn)
        {
            err.print(ERASE);
            err.flush();
            drawn = false;
        }
    }
}
