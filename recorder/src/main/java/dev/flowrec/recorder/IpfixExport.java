package dev.flowrec.recorder;

import dev.flowrec.ipfix.Collector;
import dev.flowrec.ipfix.IpfixAgent;
import dev.flowrec.ipfix.IpfixExporter;
import dev.flowrec.journal.EventHandler;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import dev.flowrec.recorder.live.LiveView;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * The live IPFIX export of a recording (record --ipfix): an {@link IpfixAgent} on a thread of its own, fed by the
 * journal's tap through its bounded queue, so that a slow or absent collector never slows the drain. This agent, on
 * the recorder's thread, journals the export's counters (ExportLoss) when they move, at most once a second, and at
 * its close (after the drain agent's, which flushed every flow into the queue) stops the export, which sends what its
 * queue still holds, and journals the final counters.
 */
final class IpfixExport implements Agent, EventHandler, AutoCloseable
{
    private static final long PERIOD_NS = TimeUnit.SECONDS.toNanos(1);

    private final IpfixAgent agent;
    private final AgentRunner runner;
    private final String collectors;
    private final long[] counters = new long[6];
    private final long[] journaled = new long[6];
    private final RecorderErrors errors;
    private final Queue<Throwable> exportErrors = new ConcurrentLinkedQueue<>();
    private JournalEvents journal;
    private boolean started;
    private long nextNs;

    private IpfixExport(final IpfixAgent agent, final RecorderErrors errors, final String collectors)
    {
        this.agent = agent;
        this.collectors = collectors;
        this.errors = errors;
        // the export's errors cross to the recorder's thread, whose error handler is single-threaded
        runner = new AgentRunner(new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(1)), exportErrors::offer, null, agent);
    }

    /** Opens the export's sockets (before anything is attached: a failure creates nothing); null when none is asked for. */
    static IpfixExport open(final Recorder.Config config, final LiveView live, final RecorderErrors errors)
    {
        final List<Collector> collectors = config.ipfix();
        if (collectors.isEmpty())
        {
            return null;
        }
        final IpfixExporter exporter = new IpfixExporter(collectors, config.ipfixRate());
        final IpfixExport export = new IpfixExport(new IpfixAgent(exporter, config.ipfixQueueBytes()), errors,
            collectors.stream().map(Collector::text).collect(Collectors.joining(" ")));
        live.metricsAppendix(export::metrics);
        return export;
    }

    /** Starts the export's thread; from now on, journals its counters through {@code journal}. */
    void start(final JournalEvents journal)
    {
        this.journal = journal;
        AgentRunner.startOnThread(runner);
        started = true;
    }

    /** Stops the export's thread if it still runs (a recorder that failed before its agents ran), else its sockets. */
    public void close()
    {
        if (started)
        {
            runner.close();
        }
        else
        {
            agent.exporter().close();
        }
    }

    /** The journal's tap: on the recorder's thread, never waits. */
    public void onEvent(final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        agent.offer(templateId, buffer, offset, length);
    }

    /** Both the live view's tap and this one, the live view first (an exception there still queues the event). */
    EventHandler tee(final EventHandler live)
    {
        return (templateId, buffer, offset, length) ->
        {
            try
            {
                live.onEvent(templateId, buffer, offset, length);
            }
            finally
            {
                onEvent(templateId, buffer, offset, length);
            }
        };
    }

    public String roleName()
    {
        return "ipfix-loss";
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextNs < 0)
        {
            return 0;
        }
        nextNs = nowNs + PERIOD_NS;
        Throwable error;
        while ((error = exportErrors.poll()) != null)
        {
            errors.onError(new IllegalStateException("IPFIX export: " + error.getMessage(), error));
        }
        return journalIfMoved();
    }

    public void onClose()
    {
        runner.close();
        Throwable error;
        while ((error = exportErrors.poll()) != null)
        {
            errors.say("warning: IPFIX export: " + error.getMessage());
        }
        journalIfMoved();
    }

    private int journalIfMoved()
    {
        read(counters);
        if (Arrays.equals(counters, journaled))
        {
            return 0;
        }
        journal.exportLoss(counters, collectors);
        System.arraycopy(counters, 0, journaled, 0, counters.length);
        return 1;
    }

    private void read(final long[] into)
    {
        into[0] = agent.recordsQueued();
        into[1] = agent.recordsDropped();
        into[2] = agent.exporter().recordsSent();
        into[3] = agent.exporter().messagesSent();
        into[4] = agent.exporter().sendErrors();
        into[5] = agent.eventsDropped();
    }

    /** The export's counters in Prometheus text (appended to /metrics). */
    String metrics()
    {
        final long[] now = new long[6];
        read(now);
        return family("flowrec_ipfix_records_queued_total", "Flow deltas handed to the live IPFIX export.", now[0])
            + family("flowrec_ipfix_records_dropped_total",
                "Flow deltas not exported: the export's bounded queue was full (a slow collector, or the pace).", now[1])
            + family("flowrec_ipfix_records_sent_total", "IPFIX data records sent to every collector.", now[2])
            + family("flowrec_ipfix_messages_sent_total", "IPFIX messages sent to every collector, templates included.", now[3])
            + family("flowrec_ipfix_send_errors_total", "IPFIX datagrams the kernel refused to send, per collector.", now[4]);
    }

    private static String family(final String name, final String help, final long value)
    {
        return "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " + value + "\n";
    }
}
