package dev.flowrec.cli;

import dev.flowrec.query.cli.DiffCommand;
import dev.flowrec.query.cli.ExportCommand;
import dev.flowrec.query.cli.InfoCommand;
import dev.flowrec.query.cli.QueryCommand;
import dev.flowrec.query.cli.RollupCommand;
import dev.flowrec.query.cli.TopCommand;
import dev.flowrec.query.shell.ShellCommand;
import picocli.CommandLine;

/** The readers' commands, in the order {@code flowrec --help} lists them; loaded only off the recorder's path. */
final class Readers
{
    private Readers()
    {
    }

    static void register(final CommandLine cli)
    {
        cli.addSubcommand("query", new QueryCommand());
        cli.addSubcommand("diff", new DiffCommand());
        cli.addSubcommand("info", new InfoCommand());
        cli.addSubcommand("shell", new ShellCommand());
        cli.addSubcommand("export", new ExportCommand());
        cli.addSubcommand("top", new TopCommand());
        cli.addSubcommand("rollup", new RollupCommand());
    }
}
