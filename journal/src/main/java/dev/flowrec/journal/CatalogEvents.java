package dev.flowrec.journal;

import java.nio.file.Path;

/**
 * Every event of a journal but its flow deltas, in journal order, read from the journal's catalog alone: a few
 * events a second of recording whatever the traffic, and kept when retention deletes the cycle files they came from.
 */
public final class CatalogEvents
{
    private CatalogEvents()
    {
    }

    /** @return false when the journal has no catalog (written before catalogs existed): read the journal instead. */
    public static boolean replay(final Path journalDir, final EventHandler handler)
    {
        return Catalog.replayBefore(journalDir.toAbsolutePath(), Long.MAX_VALUE, handler);
    }
}
