package dev.flowrec.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.query.Query;
import dev.flowrec.query.cli.Format;
import dev.flowrec.query.filter.FilterParser;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Shell lines make the same {@link Query} as the command line's options for the same question; bad lines say what is wrong, and where. */
class ShellParserTest
{
    private static final long NOW_NS = Instant.parse("2026-11-26T12:00:00Z").getEpochSecond() * 1_000_000_000L;

    /** What `flowrec query` makes of these options: its own QueryOptions, through picocli. */
    private static Query cli(final String... args)
    {
        final CommandLineQuery command = new CommandLineQuery();
        final CommandLine cli = new CommandLine(command);
        cli.parseArgs(args);
        return command.options.toQuery(cli, NOW_NS);
    }

    private static Query shell(final String line)
    {
        return assertInstanceOf(Action.Ask.class, ShellParser.parse(line, NOW_NS)).query();
    }

    private static ShellSyntaxException fault(final String line)
    {
        return assertThrows(ShellSyntaxException.class, () -> ShellParser.parse(line, NOW_NS), line);
    }

    @Test
    void shouldMakeTheCommandLinesQueries()
    {
        assertEquals(cli(), shell("flows"));
        assertEquals(cli("--where", "proto tcp and dst port 443", "--since", "-1h", "--until", "-10m"),
            shell("flows where proto tcp and dst port 443 since -1h until -10m"));
        assertEquals(cli("--top", "10", "--group-by", "src_addr", "--by", "bytes", "--where", "proto tcp", "--since", "-1h"),
            shell("top 10 src_addr by bytes where proto tcp since -1h"));
        assertEquals(cli("--top", "5"), shell("top 5"));
        assertEquals(cli("--top", "3", "--by", "packets", "--until", "2026-11-26T11:00:00Z"), shell("top 3 until 2026-11-26T11:00:00Z by packets"));
        assertEquals(cli("--group-by", "src_addr,dst_port", "--by", "flows", "--top", "2"), shell("group src_addr, dst_port by flows top 2"));
        assertEquals(cli("--group-by", "src_net/24,proto"), shell("group src_net/24,proto"));
        assertEquals(cli("--interval", "1m", "--group-by", "iface", "--top", "3", "--where", "udp"), shell("series 1m iface top 3 where udp"));
        assertEquals(cli("--interval", "15m"), shell("series 15m"));
        assertEquals(cli("--at", "2026-11-26T11:30:00Z", "--where", "container web"), shell("at 2026-11-26T11:30:00Z where container web"));
        assertEquals(cli("--at", "2026-11-26 11:30:00"), shell("at 2026-11-26 11:30:00"));
    }

    @Test
    void shouldEndAFilterAtAClauseKeywordUnlessTheFilterAwaitsAValueThere()
    {
        assertEquals(cli("--where", "port 80", "--since", "-1h"), shell("flows where port 80 since -1h"));
        assertEquals(cli("--where", "iface since", "--since", "-1h"), shell("flows where iface since since -1h"));
        assertEquals(cli("--where", "container top or iface by", "--top", "2", "--group-by", "iface"), shell("group iface top 2 where container top or iface by"));
        assertEquals(cli("--where", "bytes > 1M", "--until", "now"), shell("flows where bytes > 1M until now"));
        assertEquals(cli("--where", "not (port 22 or port 53)", "--by", "packets", "--top", "1"),
            shell("top 1 where not (port 22 or port 53) by packets"));
        assertEquals(cli("--since", "2026-11-26 10:00:00", "--where", "udp"), shell("flows since 2026-11-26 10:00:00 where udp"));
        assertEquals(FilterParser.parse("src net 10.0.0.0/8 and ! tcp"), shell("flows where src net 10.0.0.0/8 and ! tcp").where());
    }

    @Test
    void shouldReadWordsInAnyCase()
    {
        assertEquals(cli("--top", "4", "--group-by", "dst_port", "--by", "bytes", "--where", "Proto TCP", "--since", "-2h"),
            shell("TOP 4 dst_port BY Bytes WHERE Proto TCP Since -2h"));
    }

    @Test
    void shouldTakeTheCommandLinesFormToo()
    {
        final Action.Ask ask = assertInstanceOf(Action.Ask.class,
            ShellParser.parse("query --where 'proto tcp and port 443' --group-by src_addr --top 3 --format csv", NOW_NS));
        assertEquals(cli("--where", "proto tcp and port 443", "--group-by", "src_addr", "--top", "3"), ask.query());
        assertEquals(Format.csv, ask.format());
        assertNull(ask.journal());
        assertEquals(shell("series 1h src_addr where udp since -3h"),
            shell("query --interval 1h --group-by src_addr --where \"udp\" --since -3h"));
    }

    @Test
    void shouldReadTheOtherCommands()
    {
        assertEquals(new Action.SetFormat(Format.json), ShellParser.parse("format json", NOW_NS));
        assertEquals(new Action.SetFormat(null), ShellParser.parse("format", NOW_NS));
        assertEquals(new Action.SetInactiveTimeout(60_000_000_000L), ShellParser.parse("inactive-timeout 1m", NOW_NS));
        assertEquals(new Action.SetInactiveTimeout(0), ShellParser.parse("inactive-timeout", NOW_NS));
        assertEquals(30_000_000_000L, shell("query --inactive-timeout 30s").inactiveNs());
        assertEquals(true, assertInstanceOf(Action.Ask.class, ShellParser.parse("query --inactive-timeout 30s", NOW_NS))
            .ownTimeout(), "the line's own timeout is kept over the session's");
        assertEquals(15_000_000_000L, shell("flows").inactiveNs(), "the default, 15 s");
        assertEquals(new Action.Help(null), ShellParser.parse("help", NOW_NS));
        assertEquals(new Action.Help("top"), ShellParser.parse("help TOP", NOW_NS));
        assertEquals(new Action.Help("where"), ShellParser.parse("help where", NOW_NS));
        assertEquals(new Action.Info(), ShellParser.parse("info", NOW_NS));
        assertEquals(new Action.Quit(), ShellParser.parse("quit", NOW_NS));
        assertEquals(new Action.Quit(), ShellParser.parse("  exit  ", NOW_NS));
        assertEquals(new Action.Nothing(), ShellParser.parse("   ", NOW_NS));
        assertEquals(new Action.Nothing(), ShellParser.parse("# a comment", NOW_NS));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        flows where port http         | 18 | bad filter at column 6: expected a port number after 'port', got 'http'
        flows where (port 80 since -1h| 21 | bad filter at column 9: expected ')' to close the '(' at column 1
        flows where port 80 & udp     | 21 | bad filter at column 9: '&' is not an operator
        tops 10                       | 1  | unknown command 'tops' (commands: flows, top, group
        top x                         | 5  | top N: expected a positive whole number, got 'x'
        top 0 src_addr                | 5  | top N: expected a positive whole number, got '0'
        top                           | 5  | top needs N: top N [KEYS] [by bytes|packets|flows]
        top 10 src_adr                | 8  | unknown group-by key 'src_adr'
        group src_addr,dst_prt        | 16 | unknown group-by key 'dst_prt'
        group                         | 7  | group needs KEYS
        flows by bytes                | 7  | 'by' does not go with flows: flows [where EXPR] [since T] [until T]
        at now top 3                  | 8  | 'top' does not go with at: at T [where EXPR]
        flows since -1h since -2h     | 17 | 'since' given twice
        flows since                   | 13 | 'since' needs a value: since T
        flows until -2h since -1h     | 7  | until must be after since
        flows since yesterday         | 13 | since: bad time 'yesterday': expected ISO-8601
        top 3 by size                 | 10 | by: expected bytes, packets or flows, got 'size'
        top 3 by bytes packets        | 16 | unexpected 'packets' after 'by bytes'
        series 0s                     | 8  | series D: the interval must be positive
        series often                  | 8  | series D: bad duration 'often'
        flows eth0                    | 7  | unexpected 'eth0': flows [where EXPR]
        format xml                    | 8  | format: expected table, csv, json or chart, got 'xml'
        info now                      | 6  | unexpected 'now': info
        help me                       | 6  | help: no command 'me'
        query --where 'port http'     | 0  | query: --where: bad filter at column 6: expected a port number after 'port', got 'http'
        query --top 3 --bogus         | 0  | query: Unknown option: '--bogus'
        query --where 'proto tcp      | 0  | query: unclosed '
        """)
    void shouldSayWhatIsWrongAndWhere(final String line, final int column, final String message)
    {
        final ShellSyntaxException ex = fault(line);
        assertTrue(ex.getMessage().startsWith(message), () -> "'" + line + "': " + ex.getMessage());
        assertEquals(column, ex.column(), () -> "'" + line + "': " + ex.getMessage());
    }

    @Test
    void shouldPointAtTheFaultInTheLine()
    {
        final String line = "top 5 src_addr where port http since -1h";
        final ShellSyntaxException ex = fault(line);
        assertEquals(line + "\n" + " ".repeat(line.indexOf("http")) + "^", ex.pointer(line));
    }

    @Test
    void shouldGenerateHelpFromTheUsageTable()
    {
        final List<String> all = HelpText.lines(null);
        for (final Verb verb : Verb.values())
        {
            assertTrue(all.contains("  " + verb.usage()), verb.usage());
        }
        assertEquals("top N [KEYS] [by bytes|packets|flows] [where EXPR] [since T] [until T]", HelpText.lines("top").getFirst());
        assertTrue(HelpText.lines("where").stream().anyMatch(l -> l.contains("portrange")));
        assertTrue(HelpText.lines("query").stream().anyMatch(l -> l.contains("--group-by=KEYS")));
    }
}
