package dev.flowrec.recorder.cli;

import dev.flowrec.query.cli.DiffCommand;
import dev.flowrec.query.cli.InfoCommand;
import dev.flowrec.query.cli.QueryCommand;
import dev.flowrec.query.shell.ShellCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one `flowrec` command line. Subcommands not built yet are not registered. */
@Command(name = "flowrec", mixinStandardHelpOptions = true, version = "flowrec 0.1.0",
    description = "Records every network flow of a host into a journal and answers questions about it.",
    subcommands = {RecordCommand.class, QueryCommand.class, DiffCommand.class, InfoCommand.class, ShellCommand.class, dev.flowrec.query.cli.ExportCommand.class})
public final class Main
{
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    public static int run(final String... args)
    {
        final CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler((ex, ignored) ->
        {
            final String name = ex.getCommandLine().getCommandName();
            ex.getCommandLine().getErr().println("flowrec " + name + ": " + OneLineErrors.oneLine(String.valueOf(ex.getMessage())));
            ex.getCommandLine().getErr().println("(see: flowrec " + name + " --help)");
            return CommandLine.ExitCode.USAGE;
        });
        return cli.execute(args);
    }
}
