package dev.flowrec.export.readers;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Runs the repository's scripts and the readers as processes; a hung one fails the test instead of the build. */
final class Cli
{
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** scripts/flowrec, or another launcher of the same command line named by FLOWREC_BIN (debugging a build). */
    static final String FLOWREC = System.getenv().getOrDefault("FLOWREC_BIN", ROOT.resolve("scripts/flowrec").toString());

    record Result(int exit, String out, String err)
    {
        Result ok(final String what)
        {
            if (exit != 0)
            {
                throw new AssertionError(what + " exited " + exit + ":\n" + err + out);
            }
            return this;
        }
    }

    private Cli()
    {
    }

    static Result run(final Duration timeout, final String... command) throws IOException, InterruptedException
    {
        return run(timeout, List.of(command));
    }

    static Result run(final Duration timeout, final List<String> command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("cli", ".out");
        final Path err = Files.createTempFile("cli", ".err");
        try
        {
            final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@code first | second}; the result is the second's stdout, both stderrs, and the first non-zero exit. */
    static Result pipe(final Duration timeout, final List<String> first, final List<String> second)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("cli", ".out");
        final Path err1 = Files.createTempFile("cli", ".err");
        final Path err2 = Files.createTempFile("cli", ".err");
        try
        {
            final List<Process> ps = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder(first).redirectError(err1.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))),
                new ProcessBuilder(second).redirectError(err2.toFile()).redirectOutput(out.toFile())));
            final long deadline = System.nanoTime() + timeout.toNanos();
            int exit = 0;
            for (final Process p : ps)
            {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    ps.forEach(q -> { q.descendants().forEach(ProcessHandle::destroyForcibly); q.destroyForcibly(); });
                    throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", first) + " | "
                        + String.join(" ", second));
                }
                exit = exit != 0 ? exit : p.exitValue();
            }
            return new Result(exit, Files.readString(out),
                String.join(" ", first) + ": " + Files.readString(err1) + String.join(" ", second) + ": " + Files.readString(err2));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err1);
            Files.deleteIfExists(err2);
        }
    }

    static List<String> flowrec(final String... args)
    {
        final List<String> cmd = new ArrayList<>(List.of(FLOWREC));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** True when {@code scripts/flowrec --help} lists an export command. */
    static boolean exportAvailable() throws IOException, InterruptedException
    {
        final Result help = run(Duration.ofMinutes(10), flowrec("--help"));
        return help.exit() == 0 && help.out().lines().anyMatch(l -> l.strip().startsWith("export"));
    }

    /** flowrec's own answer: {@code query --journal J --group-by proto --format csv}, proto → {flows, packets, bytes}. */
    static Map<String, long[]> queryByProto(final Path journal) throws IOException, InterruptedException
    {
        final Result r = run(Duration.ofMinutes(2),
            // The readers count a flow per distinct 5-tuple of the export; so does the query, with an inactive timeout
            // longer than the journal (whose TCP deltas carry no FIN or RST, so no SYN cuts a flow either).
            flowrec("query", "--journal", journal.toString(), "--group-by", "proto", "--format", "csv",
                "--inactive-timeout", "3650d"))
            .ok("flowrec query --group-by proto");
        final List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty() || !lines.get(0).equals("proto,flows,packets,bytes"))
        {
            throw new AssertionError("unexpected query csv:\n" + r.out());
        }
        final Map<String, long[]> byProto = new TreeMap<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] f = line.split(",");
            byProto.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        return byProto;
    }

    /** The reader's "tag a b c" lines as tag → list of the rest, in order. */
    static Map<String, List<String>> facts(final String out)
    {
        final Map<String, List<String>> facts = new TreeMap<>();
        out.lines().filter(l -> !l.isBlank()).forEach(l ->
        {
            final int sp = l.indexOf(' ');
            facts.computeIfAbsent(sp < 0 ? l : l.substring(0, sp), k -> new ArrayList<>())
                .add(sp < 0 ? "" : l.substring(sp + 1));
        });
        return facts;
    }
}
