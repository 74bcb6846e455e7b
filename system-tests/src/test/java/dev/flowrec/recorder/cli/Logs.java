package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Output files of what a test started (a recorder's stdout and stderr in one file, a ping's summary), and waiting on a recorder's. */
final class Logs
{
    private Logs()
    {
    }

    /** The file so far; empty before it was written, the failure's text when it cannot be read. */
    static String read(final Path log)
    {
        try
        {
            return Files.exists(log) ? Files.readString(log) : "";
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    /**
     * Waits, polling every 100 ms up to {@code polls} times, until the log holds {@code words}; fails at once, with
     * the log, when the recorder dies first, and with the log when the words never come.
     */
    static void await(final Process recorder, final Path log, final String words, final int polls) throws InterruptedException
    {
        for (int i = 0; i < polls && !read(log).contains(words); i++)
        {
            assertTrue(recorder.isAlive(), () -> "recorder died: " + read(log));
            Thread.sleep(100);
        }
        assertTrue(read(log).contains(words), () -> "no '" + words + "' from the recorder: " + read(log));
    }
}
