package dev.flowrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A usage error names the command that failed once: "flowrec: ..." for the command line, "flowrec query: ..." for a command. */
class MainTest
{
    @Test
    void shouldNameTheCommandLineOnceWhenNoCommandIsGiven()
    {
        assertEquals(new Result(2, "flowrec: Missing required subcommand\n(see: flowrec --help)\n"), run());
    }

    @Test
    void shouldNameTheCommandThatFailed()
    {
        assertEquals(new Result(2, "flowrec query: Unknown option: '--nonsense'\n(see: flowrec query --help)\n"),
            run("query", "--journal", "j", "--nonsense"));
    }

    private record Result(int exit, String err)
    {
    }

    private static Result run(final String... args)
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = Main.commandLine(true);
        cli.setErr(new PrintWriter(err, true));
        cli.getSubcommands().values().forEach(c -> c.setErr(new PrintWriter(err, true)));
        return new Result(cli.execute(args), err.toString());
    }
}
