package dev.flowrec.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Allocated bytes per file as du(1) counts them (st_blocks × 512): Chronicle's cycle files are sparse and
 * preallocated, so their apparent size says little about the disk they take.
 */
final class Du
{
    private Du()
    {
    }

    /** Every regular file under {@code dir} (relative path) and its allocated bytes. */
    static Map<Path, Long> allocated(final Path dir) throws IOException, InterruptedException
    {
        final Process du = new ProcessBuilder("du", "-a", "--block-size=1", dir.toString()).redirectErrorStream(true).start();
        final Map<Path, Long> bytes = new HashMap<>();
        for (final String line : new String(du.getInputStream().readAllBytes()).split("\n"))
        {
            final int tab = line.indexOf('\t');
            final Path file = Path.of(line.substring(tab + 1));
            if (tab > 0 && Files.isRegularFile(file))
            {
                bytes.put(dir.relativize(file), Long.parseLong(line.substring(0, tab)));
            }
        }
        if (du.waitFor() != 0)
        {
            throw new IOException("du " + dir + " failed");
        }
        return bytes;
    }

    static long sum(final Map<Path, Long> files, final java.util.function.Predicate<Path> which)
    {
        return files.entrySet().stream().filter(e -> which.test(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }
}
