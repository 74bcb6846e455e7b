package dev.flowrec.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: runs a command, returns its output (stdout and stderr merged). */
final class Shell
{
    private Shell()
    {
    }

    /** Runs the command and fails the test unless it exits 0. */
    static String run(final String... command)
    {
        final Result result = exec(command);
        if (result.exitCode != 0)
        {
            throw new AssertionError(String.join(" ", command) + " exited " + result.exitCode + ": " + result.output);
        }
        return result.output;
    }

    /** Runs the command, whatever its exit code (for cleanup). */
    static Result exec(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            return new Result(process.exitValue(), output);
        }
        catch (final IOException e)
        {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    record Result(int exitCode, String output)
    {
    }
}
