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

    /**
     * @return false when the journal has no catalog (written before catalogs existed) or a damaged one (an event that
     * failed its checksum, a range it could not read): read the journal instead, with a fresh handler, as this one
     * may have seen some of the catalog's events.
     */
    public static boolean replay(final Path journalDir, final EventHandler handler)
    {
        final Catalog.Damage damage = new Catalog.Damage();
        return Catalog.replayBefore(journalDir.toAbsolutePath(), Long.MAX_VALUE, handler, damage) && damage.none();
    }
}
