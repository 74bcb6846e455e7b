package dev.flowrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowrec.journal.TestJournal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    @Test
    void shouldHoldEveryCommandsTopToOneRule()
    {
        assertEquals(new Result(2, "flowrec query: --top must be at least 1: 0\n(see: flowrec query --help)\n"),
            run("query", "--journal", "j", "--top", "0"));
        assertEquals(new Result(2, "flowrec query: --top must be at least 1: -1\n(see: flowrec query --help)\n"),
            run("query", "--journal", "j", "--top", "-1"));
        assertEquals(new Result(2, "flowrec diff: --top must be at least 1: -3\n(see: flowrec diff --help)\n"),
            run("diff", "--journal", "j", "--a", "-2h..-1h", "--b", "-1h..now", "--top", "-3"));
    }

    @Test
    void shouldNameATimeOutOfRangeAsSuch()
    {
        assertEquals(new Result(2, "flowrec query: --since: time '99999999999999999999' is out of range: flowrec's times "
                + "lie between 1970-01-01T00:00:00Z and 2262-04-11T23:47:16Z\n(see: flowrec query --help)\n"),
            run("query", "--journal", "j", "--since", "99999999999999999999"));
    }

    @Test
    void shouldShowAFiltersFaultUnderTheFilterAsTheReadmeDoes()
    {
        assertEquals(new Result(2, "flowrec query: --where: bad filter at column 20: expected a port number after 'port', "
                + "got 'http'\nproto tcp and port http\n                   ^\n(see: flowrec query --help)\n"),
            run("query", "--journal", "j", "--where", "proto tcp and port http"));
    }

    @Test
    void shouldRefuseContradictoryOptions()
    {
        assertEquals(new Result(2, "flowrec query: --at asks for one instant: it does not go with --since\n"
            + "(see: flowrec query --help)\n"), run("query", "--journal", "j", "--at", "-1m", "--since", "-2h"));
        assertEquals(new Result(2, "flowrec query: --at asks for one instant: it does not go with --interval\n"
            + "(see: flowrec query --help)\n"), run("query", "--journal", "j", "--at", "-1m", "--interval", "1m"));
        assertEquals(new Result(2, "flowrec query: --follow keeps printing what is new: it does not go with --until\n"
            + "(see: flowrec query --help)\n"), run("query", "--journal", "j", "--follow", "--until", "-1m"));
    }

    @Test
    void shouldRefuseDurationsWithoutAUnitAndNonsenseSizes()
    {
        // A record command line that, were its options let through, fails at once on its interface: nothing records.
        assertEquals(new Result(2, "flowrec record: --retain: bad duration '7': a unit is required, e.g. 7s, 7m, 7h or 7d\n"
            + "(see: flowrec record --help)\n"), run("record", "--iface", "nosuch0", "--journal", "j", "--retain", "7"));
        assertEquals(new Result(2, "flowrec query: --interval: bad duration '60': a unit is required, e.g. 60s, 60m, 60h or "
            + "60d\n(see: flowrec query --help)\n"), run("query", "--journal", "j", "--interval", "60"));
        assertEquals(new Result(2, "flowrec record: --retain 30m: at least 1h (the journal rolls hourly)\n"
            + "(see: flowrec record --help)\n"), run("record", "--iface", "nosuch0", "--journal", "j", "--retain", "30m"));
        for (final String size : new String[] {"0", "1", "63M"})
        {
            assertEquals(new Result(2, "flowrec record: --max-journal-size " + size + ": at least 64.0 MiB (64M), room for "
                + "more than the hour being written\n(see: flowrec record --help)\n"),
                run("record", "--iface", "nosuch0", "--journal", "j", "--max-journal-size", size));
        }
    }

    @Test
    void shouldReadTheJournalRecordWritesByDefault()
    {
        for (final String command : new String[] {"query", "info", "diff", "export"})
        {
            final CommandLine cli = Main.commandLine(true);
            final Object journal = cli.getSubcommands().get(command).getCommandSpec().findOption("--journal").defaultValue();
            assertEquals("flowrec-journal", journal, command);
        }
    }

    @Test
    void shouldRefuseAnAmbiguousContainerPrefixAsAFilterErrorAndWarnOfNamesNeverSeen(@TempDir final Path dir)
    {
        final long t0 = 1_767_225_600_000_000_000L;
        try (TestJournal journal = TestJournal.openOnEth0(dir, t0))
        {
            journal.containerSeen(t0, 5, "3f2a1b2c3d4e" + "5".repeat(52), "3f2a1b2c3d4e", "docker", "/a", "web", "veth5")
                .interfaceAttached(t0, 5, "veth5", "3f2a1b2c3d4e")
                .containerSeen(t0, 6, "3f2a9f00aa11" + "7".repeat(52), "3f2a9f00aa11", "docker", "/b", "db", "veth6")
                .interfaceAttached(t0, 6, "veth6", "3f2a9f00aa11");
        }
        final String journal = dir.toString();
        assertEquals(new Result(2, "flowrec query: --where: container '3f2a' is ambiguous in the window: it begins the ids "
                + "of '3f2a1b2c3d4e' ('web'), '3f2a9f00aa11' ('db') (give more of the id)\n(see: flowrec query --help)\n"),
            run("query", "--journal", journal, "--where", "container 3f2a"));
        assertEquals(new Result(0, "flowrec query: warning: no interface 'eht0' in the window (closest: 'eth0', 'veth5', "
                + "'veth6')\nflowrec query: warning: no container 'wbe' in the window (closest: 'web', 'db', "
                + "'3f2a1b2c3d4e')\n"),
            run("query", "--journal", journal, "--where", "iface eht0 or container wbe or container 3f2a1b"));
        assertEquals(new Result(0, ""), run("query", "--journal", journal, "--where", "container " + "3f2a1b2c3d4e"
            + "5".repeat(52) + " or container db or iface eth0"));
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
