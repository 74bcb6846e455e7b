package dev.flowrec.query.cli;

import dev.flowrec.journal.JournalPaths;
import dev.flowrec.journal.text.OneLine;
import dev.flowrec.query.RollupWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes the exact rollups of a journal's sealed hourly cycles, for a journal recorded before rollups existed (or
 * whose rollups were deleted): a query then folds whole hours from them instead of replaying their deltas.
 */
@Command(name = "rollup", mixinStandardHelpOptions = true,
    description = "Writes the rollups of the journal's sealed hours (those missing or stale), for faster queries.")
public final class RollupCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory (default: ./${DEFAULT-VALUE}, as record writes).")
    Path journal;

    public Integer call()
    {
        JournalPaths.requireReadable(journal.toAbsolutePath());
        final PrintWriter out = spec.commandLine().getOut();
        int written = 0;
        int skipped = 0;
        for (final Map.Entry<Integer, RollupWriter.Outcome> e : RollupWriter.writeSealed(journal).entrySet())
        {
            final RollupWriter.Outcome o = e.getValue();
            final String hour = AnswerWriter.isoTime(e.getKey() * 3_600_000_000_000L);
            if (o.skipped() == null)
            {
                written++;
                out.println(hour + "  written: " + o.deltas() + " deltas in " + o.segments() + " segments, " + o.rows() +
                    " rows  " + OneLine.of(o.file().toString()));
            }
            else
            {
                skipped++;
                out.println(hour + "  " + o.skipped());
            }
        }
        out.println(written + " rollups written, " + skipped + " hours left as they were");
        out.flush();
        return 0;
    }
}
