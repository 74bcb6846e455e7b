package dev.flowrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Hostile IPFIX configuration: each bad collector is one line naming the option and the fault, and the recorder creates
 * nothing (no journal directory: it refuses before it opens anything, let alone attaches).
 */
class IpfixOptionsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseEachBadCollectorInOneLineBeforeAnythingIsCreated()
    {
        final Path journal = dir.resolve("journal");
        final String[][] cases = {
            {"udp://127.0.0.1:70000", "--ipfix udp://127.0.0.1:70000: port 70000 out of range 1-65535"},
            {"tcp://127.0.0.1:4739", "--ipfix tcp://127.0.0.1:4739: unknown scheme 'tcp': only udp:// (IPFIX over UDP, RFC 7011 section 10)"},
            {"udp://no-such-host.invalid:4739", "--ipfix udp://no-such-host.invalid:4739: cannot resolve host 'no-such-host.invalid'"},
            {"collector:4739", "--ipfix collector:4739: not a collector URL: use udp://HOST:PORT"},
            {"udp://[::1:4739", "--ipfix udp://[::1:4739: an IPv6 address in brackets lacks its ']'"},
        };
        for (final String[] c : cases)
        {
            assertEquals(new Result(2, "flowrec record: " + c[1] + "\n(see: flowrec record --help)\n"),
                run("record", "--journal", journal.toString(), "--http", "off", "--ipfix", "udp://127.0.0.1:4739",
                    "--ipfix", c[0]), c[0]);
            assertFalse(Files.exists(journal), "a refused recorder created its journal: " + c[0]);
        }
        assertEquals(new Result(2, "flowrec record: --ipfix-rate -1: records per second, 0 (unpaced) or more\n"
            + "(see: flowrec record --help)\n"), run("record", "--journal", journal.toString(), "--ipfix-rate", "-1"));
    }

    @Test
    void shouldRefuseWhatAnIpfixExportCannotDo()
    {
        assertEquals(new Result(2, "flowrec export: --out tcp://127.0.0.1:4739: unknown scheme 'tcp': only udp:// "
            + "(IPFIX over UDP, RFC 7011 section 10)\n(see: flowrec export --help)\n"),
            run("export", "--journal", "j", "--format", "ipfix", "--out", "tcp://127.0.0.1:4739"));
        assertEquals(new Result(2, "flowrec export: --out udp://127.0.0.1:4739 is a collector: use --format ipfix (or a "
            + "file for parquet)\n(see: flowrec export --help)\n"),
            run("export", "--journal", "j", "--format", "parquet", "--out", "udp://127.0.0.1:4739"));
        assertEquals(new Result(2, "flowrec export: --partition-by, --compression and --force are for files, not "
            + "--format ipfix\n(see: flowrec export --help)\n"),
            run("export", "--journal", "j", "--out", "udp://127.0.0.1:4739", "--partition-by", "host"));
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
