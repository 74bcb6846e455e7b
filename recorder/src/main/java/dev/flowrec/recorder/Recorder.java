package dev.flowrec.recorder;

import dev.flowrec.bpf.Clocks;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.NetIf;
import dev.flowrec.bpf.TcLink;
import dev.flowrec.journal.JournalWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * One recording: opens the journal, loads the BPF program, attaches it, runs the duty cycle until asked to
 * stop, then detaches, flushes every pending flow and closes everything in reverse order of opening.
 */
public final class Recorder
{
    /** Lets programs in flight on other CPUs finish after their filter is removed, before the final sweep. */
    private static final long DETACH_SETTLE_MS = 50;

    public record Config(List<String> ifaces, Path journal, long flushIntervalNs, int maxFlows, int ringBytes,
        String commandLine)
    {
    }

    private Recorder()
    {
    }

    public static void record(final Config config, final StopSignal stop, final Runnable onRecording)
    {
        Privileges.requireRecording();
        for (final String iface : config.ifaces())
        {
            NetIf.indexOf(iface); // fail on a bad name before anything is created
        }
        final long offsetNs = Clocks.bootToRealtimeOffsetNs();
        final Deque<TcLink> links = new ArrayDeque<>();
        try (JournalWriter writer = JournalWriter.open(config.journal());
            FlowProgram program = FlowProgram.load(
                new FlowProgram.Config(config.flushIntervalNs(), config.maxFlows(), config.ringBytes())))
        {
            try
            {
                for (final String iface : config.ifaces())
                {
                    links.push(program.attach(iface));
                }
                final JournalEvents journal = new JournalEvents(writer, offsetNs);
                journal.recorderStarted(config);
                links.descendingIterator().forEachRemaining(journal::interfaceAttached);
                onRecording.run();

                final RecorderAgent agent = new RecorderAgent(program, journal, config.flushIntervalNs());
                final IdleStrategy idle = new BackoffIdleStrategy(
                    100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
                while (!stop.requested())
                {
                    idle.idle(agent.doWork());
                }

                // Orderly stop: nothing new is counted once detached, then everything counted is journaled.
                while (!links.isEmpty())
                {
                    final TcLink link = links.pop();
                    link.close();
                    journal.interfaceDetached(link, "stopped");
                }
                sleep(DETACH_SETTLE_MS);
                agent.flushAll();
                journal.recorderStopped("stopped");
            }
            finally
            {
                while (!links.isEmpty())
                {
                    links.pop().close();
                }
            }
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
