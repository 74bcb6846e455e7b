package dev.flowrec.recorder;

import dev.flowrec.bpf.Clocks;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.Retention;
import dev.flowrec.recorder.discovery.InterfaceWatcher;
import dev.flowrec.recorder.live.HttpEndpoints;
import dev.flowrec.recorder.live.LiveView;
import dev.flowrec.syscall.NetIf;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * One recording: opens the journal, loads the BPF program, serves the live view, attaches to what the
 * selection asks for and follows it, runs the duty cycle until asked to stop, then detaches, flushes every
 * pending flow and closes everything in reverse order of opening.
 */
public final class Recorder
{
    /** Lets programs in flight on other CPUs finish after their filter is removed, before the final sweep. */
    private static final long DETACH_SETTLE_MS = 50;

    public record Config(Selection selection, Path journal, long flushIntervalNs, int maxFlows,
        int ringBytes, Optional<InetSocketAddress> http, boolean httpRequired, Retention.Policy retention,
        long minFreeBytes, String commandLine)
    {
    }

    private Recorder()
    {
    }

    /** @param onRecording told, once everything selected is attached, which interfaces are recorded. */
    public static void record(final Config config, final StopSignal stop, final Consumer<List<String>> onRecording)
    {
        Privileges.requireRecording();
        for (final String iface : config.selection().names())
        {
            NetIf.indexOf(iface); // fail on a bad name before anything is created
        }
        final long offsetNs = Clocks.bootToRealtimeOffsetNs();
        final LiveView live = new LiveView();
        try (JournalWriter writer = JournalWriter.open(config.journal());
            FlowProgram program = FlowProgram.load(
                new FlowProgram.Config(config.flushIntervalNs(), config.maxFlows(), config.ringBytes()));
            AutoCloseable http = serve(config, live))
        {
            live.journalBytes(writer::diskBytes);
            final JournalEvents journal =
                new JournalEvents(writer, live, offsetNs, JournalEvents.lingerNs(config.flushIntervalNs()));
            journal.recorderStarted(config);
            final Attachments attachments = new Attachments(program, journal, config.selection());
            final InterfaceWatcher watcher = new InterfaceWatcher(attachments);
            try
            {
                config.selection().cgroups().forEach(attachments::attachCgroup);
                while (!watcher.synced())
                {
                    watcher.doWork(); // the first dump attaches everything selected that exists now
                }
                for (final String name : config.selection().names())
                {
                    if (!attachments.isAttached(name))
                    {
                        throw new IllegalStateException(attachments.failure(name) != null ?
                            attachments.failure(name) : "interface " + name + " vanished before it could be attached");
                    }
                }
                final RecorderAgent agent = new RecorderAgent(program, journal, writer, config.retention(), watcher,
                    attachments, live, config.flushIntervalNs(), config.minFreeBytes());
                live.publish();
                onRecording.accept(attachments.names());

                final IdleStrategy idle = idleStrategy();
                while (!stop.requested())
                {
                    idle.idle(agent.doWork());
                }

                // Orderly stop: nothing new is counted once detached, then everything counted is journaled.
                attachments.closeAll();
                sleep(DETACH_SETTLE_MS);
                agent.flushAll();
                journal.recorderStopped("stopped");
            }
            finally
            {
                attachments.closeAll();
                watcher.onClose();
            }
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("closing the live view: " + ex.getMessage(), ex);
        }
    }

    /**
     * How the duty cycle waits when it found no work: spin, yield, then park from 1 µs doubling up to 1 ms. The
     * kernel submits records without wakeups (BPF_RB_NO_WAKEUP), so this bounds how late a record is seen.
     */
    /**
     * Spins, yields, then parks up to 10 ms when there is nothing to do. The ring buffer never wakes the
     * recorder (BPF_RB_NO_WAKEUP), so an idle recorder polls; a 1 ms cap made that ~720 wake-ups and ~2 % of a
     * CPU with no traffic (scripts/bench/capture). 10 ms is far inside the flush interval that bounds a delta's
     * age anyway, and a full 16 MiB ring at 3 M events/s still takes 60 ms to fill.
     */
    static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(10));
    }

    /**
     * The live view is asked for explicitly (--http) or by default; a default address that cannot be bound
     * (taken, or no loopback in this namespace) is a warning: recording matters more than watching it.
     */
    private static AutoCloseable serve(final Config config, final LiveView live)
    {
        if (config.http().isEmpty())
        {
            return () -> { };
        }
        try
        {
            return HttpEndpoints.start(config.http().get(), live);
        }
        catch (final UncheckedIOException ex)
        {
            if (config.httpRequired())
            {
                throw ex;
            }
            System.err.println("flowrec record: warning: live view off: " + ex.getMessage());
            return () -> { };
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
