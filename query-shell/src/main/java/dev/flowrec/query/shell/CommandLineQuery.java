package dev.flowrec.query.shell;

import dev.flowrec.query.cli.Format;
import dev.flowrec.query.cli.QueryOptions;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The shell's {@code query --where ... --group-by ...}: the options of {@code flowrec query}, parsed by picocli. */
@Command(name = "query", description = "The command line's form of a question, as 'flowrec query' takes it.")
final class CommandLineQuery
{
    @Mixin
    QueryOptions options;

    @Option(names = "--format", description = "table, csv, json or chart for this answer (default: the shell's format).")
    Format format;

    @Option(names = "--chart", description = "A terminal chart of this answer (as --format chart).")
    boolean chart;

    @Option(names = "--journal", paramLabel = "DIR", description = "Another journal for this answer (default: the shell's).")
    Path journal;
}
