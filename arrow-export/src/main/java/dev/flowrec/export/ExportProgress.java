package dev.flowrec.export;

/** Told how an export advances; called on the exporting thread, at most a few times a second. */
public interface ExportProgress
{
    ExportProgress NONE = new ExportProgress()
    {
    };

    /**
     * @param rows      rows written so far
     * @param totalRows rows the export will write at most, or -1 when not known in advance
     * @param timeNs    last_seen of the latest row (epoch ns), or 0
     */
    default void onRows(final long rows, final long totalRows, final long timeNs)
    {
    }

    /** The export is over (successfully or not): clear whatever was drawn. */
    default void done(final long rows)
    {
    }
}
