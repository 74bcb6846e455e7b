package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.TcHooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scripts/flowrec record --containers} running inside a testnet's host namespace, and what tests ask of
 * it: whether an interface carries its filters, its HTTP endpoints (reachable only from inside that namespace:
 * it binds the namespace's own 127.0.0.1), an orderly stop, and a query of its journal.
 */
final class HostRecorder
{
    static final Duration START = Duration.ofSeconds(180); // the launcher may build first, then a JVM starts
    private static final Duration SHORT = Duration.ofSeconds(30);

    private final Path root;
    private final Testnet net;
    private final Proc.Background process;
    private final Path journal;
    private final int port;

    private HostRecorder(final Path root, final Testnet net, final Proc.Background process, final Path journal, final int port)
    {
        this.root = root;
        this.net = net;
        this.process = process;
        this.journal = journal;
        this.port = port;
    }

    /** Starts the recorder, a process of the test run that ends with it; the caller waits for readiness. */
    static HostRecorder start(final Path root, final Testnet net, final TestRun run)
    {
        final Path journal = run.dir().resolve("journal");
        try
        {
            Files.createDirectories(journal);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final int port = freePort(net);
        final Proc.Background p = run.start("recorder", net.inHost(root.resolve("scripts/flowrec").toString(),
            "record", "--containers", "--journal", journal.toString(), "--http", "127.0.0.1:" + port, "--flush-interval", "1s"));
        return new HostRecorder(root, net, p, journal, port);
    }

    /** A port nothing listens on in the host namespace (a fresh namespace: the first one tried, normally). */
    private static int freePort(final Testnet net)
    {
        final String listening = Proc.run(SHORT, net.inHost("ss", "-Hltn")).ok().out();
        for (int port = 18080 + (int)(ProcessHandle.current().pid() % 1000); ; port++)
        {
            if (!listening.contains(":" + port + " "))
            {
                return port;
            }
        }
    }

    Proc.Background process()
    {
        return process;
    }

    /** Until the recorder prints that it records; fails at once if it exits. */
    void awaitStarted()
    {
        Proc.await(START, "the recorder to print 'flowrec record: recording'",
            () -> !process.alive() || process.err().contains("flowrec record: recording"),
            () -> "recorder stderr:\n" + process.err());
        assertTrue(process.alive(), "the recorder exited at start:\n" + process.err() + process.out());
    }

    /** Until the interface carries the recorder's filters on ingress and egress (from then on every packet counts). */
    void awaitAttached(final String iface, final Duration timeout)
    {
        Proc.await(timeout, "the recorder to attach to " + iface + " (ingress and egress)",
            () -> !process.alive() || (hasFilter(iface, "ingress") && hasFilter(iface, "egress")),
            () -> "tc filters of " + iface + ":\n" + filters(iface, "ingress") + filters(iface, "egress") +
                "recorder stderr:\n" + process.err());
        assertTrue(process.alive(), "the recorder exited:\n" + process.err() + process.out());
    }

    boolean hasFilter(final String iface, final String hook)
    {
        return filters(iface, hook).contains("flowrec");
    }

    String filters(final String iface, final String hook)
    {
        return TcHooks.show(net.hostNs(), iface, hook);
    }

    /** SIGTERM, then the exit status must be 0 (an orderly stop). */
    void stop()
    {
        final int exit = process.stop(Duration.ofSeconds(60));
        assertEquals(0, exit, "recorder exit status after SIGTERM (pid " + process.pid() + ")\nstderr:\n" + process.err());
    }

    /** GET path from inside the host namespace: the status code and the body. */
    Http get(final String path)
    {
        final Proc.Result r = Proc.run(SHORT, net.inHost("curl", "-sS", "-m", "20", "-w", "\n%{http_code}",
            "http://127.0.0.1:" + port + path));
        assertEquals(0, r.exit(), "curl GET " + path + ": " + r.err());
        final int nl = r.out().lastIndexOf('\n');
        return new Http(Integer.parseInt(r.out().substring(nl + 1).strip()), r.out().substring(0, nl));
    }

    record Http(int status, String body)
    {
    }

    /** {@code flowrec query --format csv} over the whole journal (the recorder may be gone, and its containers). */
    String queryCsv(final Path dir)
    {
        final Proc.Result r = Proc.run(START, List.of(root.resolve("scripts/flowrec").toString(), "query", "--journal",
            journal.toString(), "--format", "csv")).ok();
        try
        {
            Files.writeString(dir.resolve("recorded.csv"), r.out());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return r.out();
    }

    /** The rows of a recorder CSV (header checked against the contract), as fields. */
    static List<List<String>> rows(final String csv)
    {
        OneWayFlows.fromRecorderCsv(csv); // checks the header and every row's shape
        final List<List<String>> out = new ArrayList<>();
        csv.lines().skip(1).filter(l -> !l.isBlank()).forEach(l -> out.add(OneWayFlows.fields(l)));
        return out;
    }

    /** The CSV with only the rows of one interface (header kept), for {@link OneWayFlows#fromRecorderCsv}. */
    static String onlyIface(final String csv, final String iface)
    {
        final List<String> lines = csv.lines().toList();
        final StringBuilder sb = new StringBuilder(lines.getFirst()).append('\n');
        lines.stream().skip(1).filter(l -> !l.isBlank() && OneWayFlows.fields(l).get(2).equals(iface))
            .forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
