package dev.flowrec.export;

import java.nio.file.Path;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param rows     rows written
 * @param files    files written (one unless partitioned; empty for a stream)
 * @param hosts    the host of each journal, in the order given
 * @param coverage per host, what the export may be missing ({@code Coverage.describe()})
 * @param complete whether no journal reported loss in the window
 * @param warnings one line each, e.g. a filter's name a journal's window never saw ("host: ...")
 */
public record ExportResult(long rows, List<Path> files, List<String> hosts, List<String> coverage, boolean complete,
                           long elapsedNs, List<String> warnings)
{
}
