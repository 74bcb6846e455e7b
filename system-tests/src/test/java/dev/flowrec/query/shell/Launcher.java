package dev.flowrec.query.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code scripts/flowrec} as a user would: a separate process, stdin from a text, stdout and stderr kept. */
final class Launcher
{
    /** The project root: the parent of this module's directory. */
    static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
    static final Path FLOWREC = ROOT.resolve("scripts/flowrec");
    /** Generous: the first launch after a source change rebuilds (scripts/setup). */
    private static final long TIMEOUT_S = 600;

    record Result(int status, String out, String err)
    {
    }

    private Launcher()
    {
    }

    static Result run(final String stdin, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(FLOWREC.toString());
        command.addAll(List.of(args));
        final Path dir = Files.createTempDirectory("flowrec-launch");
        final Path in = Files.writeString(dir.resolve("in"), stdin);
        final Process process = new ProcessBuilder(command).directory(ROOT.toFile())
            .redirectInput(in.toFile()).redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile())
            .start();
        if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        final Result result = new Result(process.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
            Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
        for (final String name : List.of("in", "out", "err"))
        {
            Files.delete(dir.resolve(name));
        }
        Files.delete(dir);
        return result;
    }

    /** Brings the build up to date once, so that the launches a test times out on do not rebuild. */
    static void setup() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(ROOT.resolve("scripts/setup").toString(), "--quiet").directory(ROOT.toFile())
            .inheritIO().start();
        if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            process.destroyForcibly();
            throw new AssertionError("scripts/setup failed");
        }
    }
}
