package dev.flowrec.export;

import dev.flowrec.journal.EventHandler;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import java.nio.file.Path;

/** The host a journal was recorded on: from its RecorderStarted event, else the journal directory's name. */
final class HostNames
{
    /** A run starts with RecorderStarted: look no further than this into a journal's beginning. */
    private static final int SCAN_LIMIT = 1024;

    private HostNames()
    {
    }

    static String of(final Path dir)
    {
        final RecorderStartedDecoder started = new RecorderStartedDecoder();
        final String[] host = {null};
        final EventHandler firstRun = (templateId, buffer, offset, length) ->
        {
            if (templateId == RecorderStartedDecoder.TEMPLATE_ID && host[0] == null)
            {
                host[0] = MessageHeader.wrap(started, buffer, offset).host();
            }
        };
        try (JournalReader reader = JournalReader.open(dir))
        {
            int read = 0;
            int n;
            while (host[0] == null && read < SCAN_LIMIT && (n = reader.poll(firstRun, 64)) > 0)
            {
                read += n;
            }
            if (host[0] == null)
            {
                // the beginning may have been deleted by retention: the catalog keeps every run's start
                reader.toEnd();
                reader.replayStateBefore(firstRun);
            }
        }
        if (host[0] == null || host[0].isBlank())
        {
            final Path name = dir.toAbsolutePath().normalize().getFileName();
            return name == null ? "unknown" : name.toString();
        }
        return host[0];
    }
}
