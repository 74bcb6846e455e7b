package dev.flowrec.recorder.cli;

import dev.flowrec.query.Durations;
import dev.flowrec.recorder.Recorder;
import dev.flowrec.recorder.StopSignal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "record", mixinStandardHelpOptions = true,
    description = "Records every flow crossing the given interfaces into a journal, until SIGINT/SIGTERM or --duration.")
final class RecordCommand implements Callable<Integer>
{
    enum Mode { flow, packet }

    @Spec
    CommandSpec spec;

    @Option(names = "--iface", paramLabel = "NAME", required = true,
        description = "Interface to record (TC ingress and egress); repeat for several.")
    List<String> ifaces;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory (default: ${DEFAULT-VALUE}); a restart appends to it.")
    Path journal;

    @Option(names = "--mode", defaultValue = "flow", description = "flow: deltas per flow; packet: one event per packet.")
    Mode mode;

    @Option(names = "--flush-interval", paramLabel = "D", defaultValue = "1s",
        description = "Longest a counted packet waits before its flow's delta is journaled (default: ${DEFAULT-VALUE}).")
    String flushInterval;

    @Option(names = "--duration", paramLabel = "D", description = "Stop after this long (e.g. 30s).")
    String duration;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "65536",
        description = "Size of the kernel flow map (default: ${DEFAULT-VALUE}); when full, packets are journaled alone.")
    int maxFlows;

    @Option(names = "--ring-size", paramLabel = "BYTES", defaultValue = "16777216", hidden = true,
        description = "Ring buffer size, a power of two of at least one page.")
    int ringBytes;

    public Integer call()
    {
        final long flushNs = duration(flushInterval, "--flush-interval");
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
        final long durationNs = duration == null ? 0 : duration(duration, "--duration");
        final Recorder.Config config = new Recorder.Config(ifaces, journal.toAbsolutePath(),
            mode == Mode.packet ? 0 : flushNs, maxFlows, ringBytes, String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        try (StopSignal stop = new StopSignal(durationNs))
        {
            Recorder.record(config, stop, () -> spec.commandLine().getErr().println(
                "flowrec record: recording " + String.join(", ", ifaces) + " into " + config.journal()));
        }
        return 0;
    }

    private long duration(final String text, final String option)
    {
        try
        {
            return Durations.parseNs(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), option + ": " + ex.getMessage());
        }
    }
}
