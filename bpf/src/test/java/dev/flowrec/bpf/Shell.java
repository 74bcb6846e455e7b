package dev.flowrec.bpf;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    /**
     * Runs the command, whatever its exit code (for cleanup). The output goes to a file, not a pipe: a command that
     * hangs is killed after 30 s, with its descendants, instead of blocking the read.
     */
    static Result exec(final String... command)
    {
        File out = null;
        try
        {
            out = File.createTempFile("flowrec-shell", ".out");
            final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(out)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out: " + Files.readString(out.toPath()));
            }
            return new Result(process.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8));
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
        finally
        {
            if (out != null)
            {
                out.delete();
            }
        }
    }

    record Result(int exitCode, String output)
    {
    }
}
