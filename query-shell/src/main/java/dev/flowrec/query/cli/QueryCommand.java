package dev.flowrec.query.cli;

import dev.flowrec.query.Coverage;
import dev.flowrec.query.FlowListing;
import dev.flowrec.query.Replay;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Lists the flows of a journal: one row per interface, direction and 5-tuple, deltas summed.")
public final class QueryCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", required = true, description = "Journal directory to read.")
    Path journal;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    Format format;

    public Integer call()
    {
        final FlowListing listing = new FlowListing();
        final Coverage coverage = Replay.run(journal, listing);
        if (!coverage.complete())
        {
            spec.commandLine().getErr().println("flowrec query: warning: answer " + coverage.describe());
        }
        ListingWriter.write(format, listing.rows(), coverage, spec.commandLine().getOut());
        return 0;
    }
}
