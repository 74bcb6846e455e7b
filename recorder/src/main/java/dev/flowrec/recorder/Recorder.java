package dev.flowrec.recorder;

import dev.flowrec.bpf.Clocks;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.OwnerLinks;
import dev.flowrec.ipfix.Collector;
import dev.flowrec.ipfix.IpfixAgent;
import dev.flowrec.recorder.discovery.HostNetworkScan;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.UnjournaledLoss;
import dev.flowrec.journal.Retention;
import dev.flowrec.recorder.discovery.ContainerResolver;
import dev.flowrec.recorder.discovery.InterfaceWatcher;
import dev.flowrec.recorder.live.HttpEndpoints;
import dev.flowrec.recorder.live.LiveView;
import dev.flowrec.recorder.live.LiveViewAgent;
import dev.flowrec.recorder.live.Snapshot;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * One recording: opens the journal, loads the BPF program, serves the live view, then runs the agents (discovery,
 * drain, journal upkeep, live view) until asked to stop, and closes everything in reverse order of opening.
 * <p>
 * The agents run composed on this thread, each through its own {@link AgentInvoker}, because the journal's
 * appender is single-threaded and three of them journal. They start in order, the first one attaching everything
 * selected; they close in the same order, which is the orderly stop: the discovery agent detaches every filter,
 * the drain agent then flushes every flow still in the kernel map, the journal agent journals the stop.
 */
public final class Recorder
{
    /**
     * @param owners    whether flows are attributed to the processes that own their sockets (record --no-owners: not)
     * @param dns       whether DNS responses are captured and journaled (record --dns off: not)
     * @param ipfix     IPFIX collectors that get every delta live (record --ipfix), none when empty
     * @param ipfixRate their pace, records per second (0: unpaced)
     * @param ipfixQueueBytes the export's queue (a power of two): deltas that do not fit are dropped and counted
     */
    public record Config(Selection selection, Path journal, long flushIntervalNs, int maxFlows,
        int ringBytes, Optional<InetSocketAddress> http, boolean httpRequired, Retention.Policy retention,
        long minFreeBytes, String commandLine, boolean owners, boolean dns, List<Collector> ipfix, long ipfixRate,
        int ipfixQueueBytes)
    {
        /** With DNS capture, without IPFIX export. */
        public Config(final Selection selection, final Path journal, final long flushIntervalNs, final int maxFlows,
            final int ringBytes, final Optional<InetSocketAddress> http, final boolean httpRequired,
            final Retention.Policy retention, final long minFreeBytes, final String commandLine, final boolean owners)
        {
            this(selection, journal, flushIntervalNs, maxFlows, ringBytes, http, httpRequired, retention, minFreeBytes,
                commandLine, owners, true, List.of(), IpfixAgent.DEFAULT_RATE, IpfixAgent.DEFAULT_QUEUE_BYTES);
        }

        /** With process attribution. */
        public Config(final Selection selection, final Path journal, final long flushIntervalNs, final int maxFlows,
            final int ringBytes, final Optional<InetSocketAddress> http, final boolean httpRequired,
            final Retention.Policy retention, final long minFreeBytes, final String commandLine)
        {
            this(selection, journal, flushIntervalNs, maxFlows, ringBytes, http, httpRequired, retention, minFreeBytes,
                commandLine, true);
        }
    }

    private Recorder()
    {
    }

    /**
     * @param errors      where the recorder's errors and warnings go (the command line's stderr)
     * @param onRecording told, once everything selected is attached, which interfaces are recorded and where the
     *                    live view listens.
     */
    public static void record(final Config config, final StopSignal stop, final RecorderErrors errors,
        final Consumer<Recording> onRecording)
    {
        record(config, null, false, stop, errors, onRecording);
    }

    /**
     * As {@link #record(Config, StopSignal, RecorderErrors, Consumer)}, as an instance (null: the journal's own,
     * {@link Instance#ofJournal}): its kernel state is pinned, a dead run's adopted ({@link Adoption}), or dropped
     * with fresh; a clean stop unpins it.
     */
    public static void record(final Config config, final Instance given, final boolean fresh, final StopSignal stop,
        final RecorderErrors errors, final Consumer<Recording> onRecording)
    {
        Privileges.requireRecording();
        for (final String iface : config.selection().names())
        {
            NetIf.indexOf(iface); // fail on a bad name before anything is created
        }
        config.selection().cgroups().forEach(CgroupLinks::resolveGiven);
        final long offsetNs = Clocks.bootToRealtimeOffsetNs();
        final LiveView live = new LiveView();
        live.errorsTotal(errors::errorsTotal);
        final FlowProgram.Config programConfig =
            new FlowProgram.Config(config.flushIntervalNs(), config.maxFlows(), config.ringBytes(),
                config.owners() && Privileges.attributesOwners(), config.dns());
        try (IpfixExport ipfix = IpfixExport.open(config, live, errors); // sockets first
            LiveViewServer http = serve(config, live, errors); // bound before the journal: a refusal creates nothing
            JournalWriter writer = JournalWriter.open(config.journal());
            RecorderLock lock = RecorderLock.acquire(config.journal());
            Adoption adoption = Adoption.prepare(instance(given, config), fresh, programConfig, errors);
            FlowProgram program = FlowProgram.load(programConfig, adoption.pinDir(), instance(given, config).tcHandle(),
                errors::say);
            OwnerLinks owners = attachOwners(programConfig, program, errors))
        {
            writer.reserveSpace(); // holding the journal's lock: a refused recorder leaves the running one's reserve
            live.journalBytes(writer::diskBytes);
            final JournalEvents journal =
                new JournalEvents(writer, ipfix == null ? live : ipfix.tee(live), offsetNs,
                    JournalEvents.lingerNs(config.flushIntervalNs()));
            if (ipfix != null)
            {
                ipfix.start(journal);
            }
            final LossBaseline loss = new LossBaseline();
            journal.recorderStarted(config, adoption.begin(program, writer, loss));
            adoption.journal(journal);
            final long unjournaled = UnjournaledLoss.eventsOverlapping(writer.dir(), Long.MIN_VALUE, Long.MAX_VALUE);
            if (unjournaled > 0)
            {
                errors.say("warning: earlier runs stopped with " + unjournaled + " lost events they could not journal ("
                    + writer.dir().resolve(UnjournaledLoss.FILE) + "); every query over their time counts them");
            }
            final RecorderContext context = new RecorderContext(config, program, writer, journal, live, errors, loss);
            final DiscoveryAgent discovery =
                new DiscoveryAgent(context, InterfaceWatcher::new, new ContainerResolver()::resolve);
            run(errors, stop, () ->
                {
                    adoption.drainOrphan(program, journal, loss);
                    onRecording.accept(new Recording(discovery.names(), http.url(), discovery.leftOut(), live::snapshot));
                },
                agents(ipfix, discovery, new DrainAgent(context, discovery.provisional()), new JournalAgent(context),
                    new LiveViewAgent(live)));
            adoption.stopped();
            errors.say(journal.totals().line(stop.elapsedNs(), config.flushIntervalNs() == 0));
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

    /** The agents in order, the IPFIX export's (if any) after the drain's: it closes once every flow is flushed. */
    private static Agent[] agents(final IpfixExport ipfix, final Agent discovery, final Agent drain, final Agent journal,
        final Agent live)
    {
        return ipfix == null ? new Agent[]{discovery, drain, journal, live} :
            new Agent[]{discovery, drain, ipfix, journal, live};
    }

    /**
     * The programs that name each socket's owner, on the root of the cgroup v2 hierarchy (every process's sockets);
     * null when attribution is off (--no-owners, or no CAP_PERFMON: {@link Privileges#attributesOwners}), or there is
     * no cgroup2 hierarchy in this mount namespace (ip netns exec mounts a
     * sysfs of its own): then no flow has an owner, which /metrics shows (flowrec_flows_with_owner_total stays 0), and
     * nothing is said, so that such a recorder starts as quietly as before.
     */
    private static OwnerLinks attachOwners(final FlowProgram.Config config, final FlowProgram program,
        final RecorderErrors errors)
    {
        if (!config.owners())
        {
            return null;
        }
        final Optional<Path> root = HostNetworkScan.cgroup2Mount();
        if (root.isEmpty())
        {
            return null;
        }
        final OwnerLinks links;
        try
        {
            links = program.attachOwners(root.get());
        }
        catch (final RuntimeException ex)
        {
            // e.g. a program already on the root cgroup that allows no other: record, without owners, and say so
            errors.say("warning: process attribution is off: " + ex.getMessage());
            return null;
        }
        try
        {
            program.nameExistingOwners(); // after the programs: no socket made in between goes unnamed
        }
        catch (final RuntimeException ex)
        {
            errors.say("warning: sockets made before the recorder are not attributed: " + ex.getMessage());
        }
        return links;
    }

    /** The instance given, or the journal's own (its directory exists once the writer opened it). */
    private static Instance instance(final Instance given, final Config config)
    {
        return given != null ? given : Instance.ofJournal(config.journal());
    }

    /**
     * Starts the agents in order, runs their duty cycles until stop, then closes those started, in order. An error
     * while starting or closing is fatal and thrown from here; one while running is counted and said.
     */
    private static void run(final RecorderErrors errors, final StopSignal stop, final Runnable onRunning,
        final Agent... agents)
    {
        final AgentInvoker[] invokers = new AgentInvoker[agents.length];
        for (int i = 0; i < agents.length; i++)
        {
            invokers[i] = new AgentInvoker(errors, null, agents[i]);
        }
        try
        {
            if (startAll(invokers))
            {
                stop.startClock();
                onRunning.run();
                errors.running(true);
                final IdleStrategy idle = idleStrategy();
                while (!stop.requested())
                {
                    int work = 0;
                    for (final AgentInvoker invoker : invokers)
                    {
                        work += invoker.invoke();
                    }
                    idle.idle(work);
                }
            }
        }
        finally
        {
            errors.running(false);
            for (final AgentInvoker invoker : invokers)
            {
                if (invoker.isStarted())
                {
                    invoker.close();
                }
            }
        }
        errors.throwIfFatal();
    }

    /** Starts the agents in order until one fails to (the invoker has closed it then, its error kept by errors). */
    private static boolean startAll(final AgentInvoker[] invokers)
    {
        for (final AgentInvoker invoker : invokers)
        {
            invoker.start();
            if (!invoker.isRunning())
            {
                return false;
            }
        }
        return true;
    }

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
    private static LiveViewServer serve(final Config config, final LiveView live, final RecorderErrors errors)
    {
        if (config.http().isEmpty())
        {
            return LiveViewServer.NONE;
        }
        try
        {
            final HttpEndpoints endpoints = HttpEndpoints.start(config.http().get(), live, config.journal());
            return new LiveViewServer()
            {
                public Optional<String> url()
                {
                    return Optional.of(endpoints.url());
                }

                public void close()
                {
                    endpoints.close();
                }
            };
        }
        catch (final UncheckedIOException ex)
        {
            if (config.httpRequired())
            {
                throw ex;
            }
            errors.say("warning: live view off: " + ex.getMessage());
            return LiveViewServer.NONE;
        }
    }

    /**
     * What a started recording tells its caller.
     *
     * @param interfaces the interfaces recorded
     * @param liveView   the live view's URL as bound (the port the kernel chose for :0), if it is served
     * @param leftOut    the interfaces that recording every interface leaves out, each with why
     * @param traffic    the live view's latest snapshot, safe to read from any thread (for a status line)
     */
    public record Recording(List<String> interfaces, Optional<String> liveView, List<String> leftOut,
        Supplier<Snapshot> traffic)
    {
    }

    /** The live view's server, or none. */
    private interface LiveViewServer extends AutoCloseable
    {
        LiveViewServer NONE = new LiveViewServer()
        {
            public Optional<String> url()
            {
                return Optional.empty();
            }

            public void close()
            {
            }
        };

        Optional<String> url();

        void close();
    }
}
