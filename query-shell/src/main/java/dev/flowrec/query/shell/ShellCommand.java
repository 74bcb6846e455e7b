package dev.flowrec.query.shell;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flowrec shell}: questions to a journal, one a line, on a terminal (JLine) or from a pipe. */
@Command(name = "shell", mixinStandardHelpOptions = true,
    description = {"An interactive shell over a journal: 'top 10 src_addr by bytes where proto tcp since -1h', 'help' for more.",
        "With stdin not a terminal it reads commands line by line and exits 1 if any failed."})
public final class ShellCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory to read (default: ${DEFAULT-VALUE}).")
    Path journal;

    public Integer call() throws Exception
    {
        final JournalNames names = JournalNames.read(journal); // fails here, once, on a journal that is not one
        final Console console = System.console();
        if (console != null && console.isTerminal())
        {
            return Repl.run(journal, names, historyFile());
        }
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        return PipeLoop.run(journal, in, out, err);
    }

    /** $FLOWREC_HISTORY, else ~/.flowrec_history. */
    static Path historyFile()
    {
        final String set = System.getenv("FLOWREC_HISTORY");
        return set != null && !set.isBlank() ? Path.of(set) : Path.of(System.getProperty("user.home"), ".flowrec_history");
    }
}
