package dev.flowrec.export;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host of each journal of an export: from its RecorderStarted event, else the journal directory's name.
 * <p>
 * A journal given twice would export every row twice, so it is refused, whether named twice, through a link or
 * another path (same real path), or as a copy (same first recorder run: host, start time and pid). Distinct
 * journals that name the same host stay distinct rows: each is then {@code HOST#N}, N counting the journals of
 * that host in --journal order, rather than one host that merges two recordings.
 */
final class HostNames
{
    /** A run starts with RecorderStarted: look no further than this into a journal's beginning. */
    private static final int SCAN_LIMIT = 1024;

    private record Journal(Path given, Path real, String host, long startedNs, int pid)
    {
        String identity()
        {
            return host + "'s recorder started at " + Instant.ofEpochSecond(0, startedNs) + " (pid " + pid + ")";
        }
    }

    private HostNames()
    {
    }

    /**
     * @throws IllegalArgumentException when a journal is given twice
     */
    static List<String> of(final List<Path> dirs)
    {
        final List<Journal> journals = new ArrayList<>();
        final Map<String, Integer> perHost = new HashMap<>();
        for (final Path dir : dirs)
        {
            final Journal journal = read(dir);
            for (final Journal earlier : journals)
            {
                if (earlier.real().equals(journal.real()))
                {
                    throw new IllegalArgumentException("--journal " + dir + " is --journal " + earlier.given() + " again ("
                        + journal.real() + "): each journal is exported once");
                }
                if (journal.host() != null && journal.host().equals(earlier.host()) && journal.startedNs() == earlier.startedNs()
                    && journal.pid() == earlier.pid())
                {
                    throw new IllegalArgumentException("--journal " + dir + " is a copy of --journal " + earlier.given()
                        + ": both begin with " + journal.identity() + "; each journal is exported once");
                }
            }
            journals.add(journal);
            perHost.merge(name(journal), 1, Integer::sum);
        }
        final List<String> hosts = new ArrayList<>();
        final Map<String, Integer> seen = new HashMap<>();
        for (final Journal journal : journals)
        {
            final String name = name(journal);
            hosts.add(perHost.get(name) == 1 ? name : name + "#" + seen.merge(name, 1, Integer::sum));
        }
        return hosts;
    }

    private static String name(final Journal journal)
    {
        if (journal.host() == null || journal.host().isBlank())
        {
            final Path name = journal.given().toAbsolutePath().normalize().getFileName();
            return name == null ? "unknown" : name.toString();
        }
        return journal.host();
    }

    private static Journal read(final Path dir)
    {
        final RecorderStartedDecoder started = new RecorderStartedDecoder();
        final Journal[] first = {null};
        Path real;
        try
        {
            real = dir.toRealPath();
        }
        catch (final IOException ex)
        {
            real = dir.toAbsolutePath().normalize(); // the reader says what is wrong with it
        }
        final Path resolved = real;
        final EventHandler firstRun = (templateId, buffer, offset, length) ->
        {
            if (templateId == RecorderStartedDecoder.TEMPLATE_ID && first[0] == null)
            {
                MessageHeader.wrap(started, buffer, offset);
                final long timeNs = started.timeNs();
                final int pid = started.pid();
                first[0] = new Journal(dir, resolved, started.host(), timeNs, pid);
            }
        };
        try (JournalReader reader = JournalReader.open(dir))
        {
            int read = 0;
            int n;
            while (first[0] == null && read < SCAN_LIMIT && (n = reader.poll(firstRun, 64)) > 0)
            {
                read += n;
            }
            if (first[0] == null)
            {
                // the beginning may have been deleted by retention: the catalog keeps every run's start
                reader.toEnd();
                reader.replayStateBefore(firstRun);
            }
        }
        return first[0] != null ? first[0] : new Journal(dir, resolved, null, 0, 0);
    }
}
