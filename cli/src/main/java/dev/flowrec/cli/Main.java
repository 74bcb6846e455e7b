package dev.flowrec.cli;

import dev.flowrec.journal.text.OneLine;
import dev.flowrec.journal.text.Pointed;
import dev.flowrec.recorder.cli.RecordCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one {@code flowrec} command line: {@code record} from the recorder, the readers' commands from query-shell.
 * <p>
 * The recording daemon runs on the recorder's class path alone (no Arrow, Parquet, Hadoop or JLine, see
 * {@code scripts/flowrec}), so {@code record} must not load a reader's class: the readers are registered only when
 * the command is not {@code record}. Picocli resolves a command class's fields when it is registered, which is why
 * this is not a {@code subcommands = {...}} list.
 */
@Command(name = "flowrec", mixinStandardHelpOptions = true, version = "flowrec 0.1.0",
    description = "Records every network flow of a host into a journal and answers questions about it.")
public final class Main
{
    public static final String RECORD = "record";

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    public static int run(final String... args)
    {
        return commandLine(args.length == 0 || !RECORD.equals(args[0])).execute(args);
    }

    /** The command line with {@code record} and, when asked, the readers' commands; errors as one line each. */
    public static CommandLine commandLine(final boolean withReaders)
    {
        final CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand(RECORD, new RecordCommand());
        if (withReaders)
        {
            Readers.register(cli);
        }
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler((ex, ignored) ->
        {
            // "flowrec query: ..." for a command; "flowrec: ..." for the command line itself (no subcommand given)
            final CommandLine failed = ex.getCommandLine();
            final String name = failed == cli ? "flowrec" : "flowrec " + failed.getCommandName();
            failed.getErr().println(name + ": " + OneLine.of(String.valueOf(ex.getMessage())));
            if (ex.getCause() instanceof Pointed fault && ex.getValue() != null)
            {
                failed.getErr().println(fault.pointer(ex.getValue())); // the filter, a caret under the fault
            }
            failed.getErr().println("(see: " + name + " --help)");
            return CommandLine.ExitCode.USAGE;
        });
        return cli;
    }
}
