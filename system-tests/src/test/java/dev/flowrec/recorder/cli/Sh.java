package dev.flowrec.recorder.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a timeout; a hung command fails the test instead of hanging the build. */
record Sh(int exit, String out, String err)
{
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final String FLOWREC = ROOT.resolve("scripts/flowrec").toString();

    static Sh run(final String... command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("sh", ".out");
        final Path err = Files.createTempFile("sh", ".err");
        try
        {
            final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Sh(p.exitValue(), Files.readString(out), Files.readString(err));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Sh ok(final String... command) throws IOException, InterruptedException
    {
        final Sh r = run(command);
        if (r.exit != 0)
        {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit + ": " + r.err);
        }
        return r;
    }

    /** The HTTP status of GET {@code path} on the live view at 127.0.0.1:8080 of the network namespace {@code netns}. */
    static String httpStatus(final String netns, final String path) throws IOException, InterruptedException
    {
        return run("ip", "netns", "exec", netns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:8080" + path).out().trim();
    }

    /** Runs scripts/flowrec inside a network namespace. */
    static List<String> flowrecIn(final String netns, final String... args)
    {
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, FLOWREC));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code ip netns exec} forks the launcher, which execs java: the JVM is the first java process below it. */
    static long javaPidUnder(final Process process)
    {
        return process.toHandle().descendants()
            .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
            .findFirst()
            .or(() -> process.info().command().filter(c -> c.endsWith("/java")).map(c -> process.toHandle()))
            .orElseThrow(() -> new AssertionError("no java process under " + process.pid()))
            .pid();
    }
}
