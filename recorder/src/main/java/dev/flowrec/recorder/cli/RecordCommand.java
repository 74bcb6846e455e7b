package dev.flowrec.recorder.cli;

import dev.flowrec.bpf.LibbpfLog;
import dev.flowrec.ipfix.Collector;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.text.Durations;
import dev.flowrec.journal.text.OneLine;
import dev.flowrec.journal.text.Sizes;
import dev.flowrec.recorder.Instance;
import dev.flowrec.recorder.Recorder;
import dev.flowrec.recorder.RecorderErrors;
import dev.flowrec.recorder.Selection;
import dev.flowrec.recorder.StopSignal;
import dev.flowrec.recorder.live.HttpEndpoints;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "record", mixinStandardHelpOptions = true,
    description = "Records every flow of the host and its containers into a journal, until SIGINT/SIGTERM or --duration.")
public final class RecordCommand implements Callable<Integer>
{
    enum Mode { flow, packet }

    /** Below an hour, retention would delete the hour being written as soon as it rolls: nonsense, refused. */
    private static final long MIN_RETAIN_NS = java.util.concurrent.TimeUnit.HOURS.toNanos(1);
    /**
     * Below this, retention would keep nothing but the hour being written (a cycle file of a busy hour is larger):
     * a journal that small is a mistake, refused.
     */
    private static final long MIN_JOURNAL_BYTES = 64L << 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--iface", paramLabel = "NAME",
        description = "Interface to record (TC ingress and egress); repeat for several. Followed if it vanishes and returns.")
    List<String> ifaces = List.of();

    @Option(names = "--all-interfaces", description = "Record every non-loopback interface, including ones that appear later.")
    boolean allInterfaces;

    @Option(names = "--containers",
        description = "Record every container veth, named from its cgroup (Docker, containerd/Kubernetes, CRI-O, Podman); "
            + "directions from the container's point of view. With no interface option: all interfaces and containers.")
    boolean containers;

    @Option(names = "--cgroup", paramLabel = "PATH",
        description = "Record the traffic of a cgroup (cgroup2 path or directory), e.g. a container on the host network.")
    List<Path> cgroups = List.of();

    @Option(names = "--http", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:8080",
        description = "Live view: GET /traffic, /metrics, /healthz (default: ${DEFAULT-VALUE}); 'off' to disable.")
    String http;

    @Option(names = "--retain", paramLabel = "D", description = "Delete journal hours older than this, with a unit: 12h, 7d (at least 1h).")
    String retain;

    @Option(names = "--max-journal-size", paramLabel = "SIZE", description = "Delete the oldest journal hours beyond this disk usage, e.g. 20G (k, M, G, T: powers of 1024; at least 64M).")
    String maxJournalSize;

    @Option(names = "--min-free", paramLabel = "SIZE", defaultValue = "64M",
        description = "Stop writing the journal while its file system has less than this free, counting what is not written as lost "
            + "(default: ${DEFAULT-VALUE}; k, M, G, T: powers of 1024).")
    String minFree;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory (default: ${DEFAULT-VALUE}); a restart appends to it.")
    Path journal;

    @Option(names = "--mode", defaultValue = "flow", description = "flow: deltas per flow; packet: one event per packet.")
    Mode mode;

    @Option(names = "--flush-interval", paramLabel = "D", defaultValue = "1s",
        description = "Longest a counted packet waits before its flow's delta is journaled (default: ${DEFAULT-VALUE}).")
    String flushInterval;

    @Option(names = "--duration", paramLabel = "D", description = "Stop after recording this long, counted from the moment the filters are attached (e.g. 30s).")
    String duration;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "65536",
        description = "Size of the kernel flow map (default: ${DEFAULT-VALUE}); when full, packets are journaled alone.")
    int maxFlows;

    @Option(names = "--ring-size", paramLabel = "BYTES", defaultValue = "16777216", hidden = true,
        description = "Ring buffer size, a power of two of at least one page.")
    int ringBytes;

    @Option(names = "--instance", paramLabel = "NAME",
        description = "Name of this recorder instance: its kernel state is pinned under /sys/fs/bpf/flowrec/NAME and its "
            + "filters carry a TC handle of its own, so that a restart adopts what a crashed run counted and other instances "
            + "are never touched (default: the journal directory's name and a hash of its real path). [A-Za-z0-9_.-], 1 to 64.")
    String instance;

    @Option(names = "--fresh",
        description = "Drop the instance's pinned kernel state instead of adopting it (what it held is counted as lost).")
    boolean fresh;

    @Option(names = "--no-owners",
        description = "Do not attribute flows to the processes that own their sockets (no pid or comm; no cgroup "
            + "programs on the root cgroup, no socket lookup per new flow): to measure what attribution costs. "
            + "Attribution needs CAP_PERFMON (or CAP_SYS_ADMIN) and a cgroup2 hierarchy; without them it is off.")
    boolean noOwners;

    @Option(names = "--ipfix", paramLabel = "udp://HOST:PORT",
        description = "Send every flow delta, as it is journaled, to this IPFIX collector (nfcapd, pmacct, GoFlow2, ...); "
            + "repeat for several. A collector that is down or slow costs export records (counted), never the recording.")
    List<String> ipfix = List.of();

    @Option(names = "--ipfix-rate", paramLabel = "N", defaultValue = "50000",
        description = "Records per second at most to the IPFIX collectors (default: ${DEFAULT-VALUE}; 0: unpaced).")
    long ipfixRate;

    @Option(names = "--ipfix-queue", paramLabel = "BYTES", defaultValue = "4194304", hidden = true,
        description = "The IPFIX export's queue, a power of two of at least 4096: what does not fit is dropped and counted.")
    int ipfixQueueBytes;

    @Option(names = "--quiet",
        description = "No status line: by default, on a terminal (not in a pipe, not under systemd), the recorder "
            + "rewrites one line on stderr every second with its flows, rates, journal size and loss.")
    boolean quiet;

    @Option(names = "--dns", paramLabel = "on|off", defaultValue = "on",
        description = "Capture the DNS responses the recorded interfaces carry (UDP and TCP from port 53, at most 2048 "
            + "bytes of each) and journal the names and addresses they give, to name flows' peers (default on). "
            + "off: no payload byte leaves the kernel and no name is kept.")
    String dns;

    public Integer call()
    {
        if (!"on".equals(dns) && !"off".equals(dns))
        {
            throw new ParameterException(spec.commandLine(), "--dns " + dns + ": expected on or off");
        }
        final Instance named;
        try
        {
            named = instance == null ? null : new Instance(instance);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), "--instance: " + ex.getMessage());
        }
        final long flushNs = parsed(flushInterval, "--flush-interval", Durations::parseNs);
        if (flushNs <= 0)
        {
            throw new ParameterException(spec.commandLine(), "--flush-interval must be positive (use --mode packet for per-packet events)");
        }
        if (maxFlows < 1)
        {
            throw new ParameterException(spec.commandLine(), "--max-flows must be at least 1");
        }
        if (ringBytes < 4096 || Integer.bitCount(ringBytes) != 1)
        {
            throw new ParameterException(spec.commandLine(), "--ring-size must be a power of two of at least 4096");
        }
        final long durationNs = duration == null ? 0 : parsed(duration, "--duration", Durations::parseNs);
        final long retainNs = retain == null ? 0 : parsed(retain, "--retain", Durations::parseNs);
        if (retain != null && retainNs < MIN_RETAIN_NS)
        {
            throw new ParameterException(spec.commandLine(), "--retain " + retain + ": at least 1h (the journal rolls hourly)");
        }
        final long maxBytes = maxJournalSize == null ? 0 : parsed(maxJournalSize, "--max-journal-size", Sizes::parseBytes);
        if (maxJournalSize != null && maxBytes < MIN_JOURNAL_BYTES)
        {
            throw new ParameterException(spec.commandLine(), "--max-journal-size " + maxJournalSize + ": at least "
                + Sizes.human(MIN_JOURNAL_BYTES) + " (64M), room for more than the hour being written");
        }
        final Retention.Policy retention = new Retention.Policy(retainNs / 1_000_000L, maxBytes);
        final List<Collector> collectors = new ArrayList<>();
        for (final String url : ipfix)
        {
            try
            {
                collectors.add(Collector.parse(url));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), "--ipfix " + ex.getMessage());
            }
        }
        if (ipfixRate < 0)
        {
            throw new ParameterException(spec.commandLine(), "--ipfix-rate " + ipfixRate + ": records per second, 0 (unpaced) or more");
        }
        if (ipfixQueueBytes < 4096 || Integer.bitCount(ipfixQueueBytes) != 1)
        {
            throw new ParameterException(spec.commandLine(), "--ipfix-queue must be a power of two of at least 4096");
        }
        final Optional<InetSocketAddress> bind;
        try
        {
            bind = HttpEndpoints.parseBind(http);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final Recorder.Config config = new Recorder.Config(Selection.of(new LinkedHashSet<>(ifaces), allInterfaces, containers, cgroups),
            journal.toAbsolutePath(), mode == Mode.packet ? 0 : flushNs, maxFlows, ringBytes, bind,
            spec.commandLine().getParseResult().hasMatchedOption("--http"), retention,
            parsed(minFree, "--min-free", Sizes::parseBytes),
            String.join(" ", spec.commandLine().getParseResult().originalArgs()), !noOwners, "on".equals(dns), collectors, ipfixRate,
            ipfixQueueBytes);
        final StatusLine status = new StatusLine(spec.commandLine().getErr(), !quiet && StatusLine.onTerminal());
        final Consumer<String> stderr = line -> status.say("flowrec record: " + OneLine.of(line));
        LibbpfLog.sink(stderr);
        final RecorderErrors errors = new RecorderErrors(stderr);
        try (StopSignal stop = new StopSignal(durationNs); status)
        {
            Recorder.record(config, named, fresh, stop, errors, recording ->
            {
                stderr.accept("recording " +
                    (recording.interfaces().isEmpty() ? "(no interface yet)" : String.join(", ", recording.interfaces()))
                    + " into " + config.journal() + recording.liveView().map(url -> "; live view on " + url).orElse(""));
                if (!recording.leftOut().isEmpty())
                {
                    stderr.accept("left out: " + String.join(", ", recording.leftOut()));
                }
                status.start(recording.traffic());
            });
        }
        return 0;
    }

    /** Reads an option's value with a parser that says what is wrong by an IllegalArgumentException. */
    private long parsed(final String text, final String option, final ToLongFunction<String> parser)
    {
        try
        {
            return parser.applyAsLong(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), option + ": " + ex.getMessage());
        }
    }
}
