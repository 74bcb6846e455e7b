package dev.flowrec.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.ShellJournal;
import dev.flowrec.journal.TestJournal;
import java.nio.file.Path;
import java.util.List;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Completion and highlighting follow the parser's reading of the line; names come from a real journal. */
class ShellCompleterTest
{
    @TempDir
    static Path dir;
    private static ShellCompleter completer;

    @BeforeAll
    static void journal()
    {
        final JournalNames names = JournalNames.read(ShellJournal.write(dir, 0));
        assertEquals(List.of("eth0", "veth7", "wlan1"), names.interfaces());
        assertEquals(List.of("c0ffee1234ab", ShellJournal.CONTAINER), names.containers());
        completer = new ShellCompleter(names);
    }

    /** Completes the last word of {@code before} (empty after a space). */
    private static List<String> complete(final String before)
    {
        final int space = before.lastIndexOf(' ');
        return completer.complete(before, before.substring(space + 1));
    }

    @Test
    void shouldCompleteCommands()
    {
        assertEquals(Verb.words(), complete(""));
        assertTrue(complete("gr").contains("group"));
        assertEquals(List.of("table", "csv", "json", "chart"), complete("format "));
        assertTrue(complete("help ").containsAll(List.of("top", "where", "series")));
    }

    @Test
    void shouldCompleteTheClausesACommandTakesAndHasNotUsed()
    {
        assertEquals(List.of("where", "since", "until"), complete("flows "));
        assertEquals(List.of("bytes", "packets", "flows"), complete("top 5 by "));
        assertEquals(List.of(), complete("top "));
        assertEquals(List.of("where", "since", "until"), complete("top 5 src_addr by bytes "));
        final List<String> afterN = complete("top 5 ");
        assertTrue(afterN.containsAll(List.of("dst_port", "src_net/", "by", "where", "since", "until")), afterN.toString());
        assertEquals(List.of("where"), complete("at now "));
    }

    @Test
    void shouldCompleteGroupByKeysAfterAComma()
    {
        assertTrue(complete("group ").containsAll(List.of("src_addr", "conversation", "dst_net/")));
        assertTrue(complete("group src_addr,d").contains("src_addr,dst_port"));
        assertTrue(complete("query --group-by ").contains("iface"));
    }

    @Test
    void shouldCompleteInterfaceNamesAndContainerIdsOfTheJournal()
    {
        assertEquals(List.of("eth0", "veth7", "wlan1"), complete("flows where iface "));
        assertEquals(List.of("eth0", "veth7", "wlan1"), complete("top 3 where proto tcp and iface e"));
        assertEquals(List.of("c0ffee1234ab", ShellJournal.CONTAINER), complete("flows where not container "));
        assertEquals(List.of("eth0", "veth7", "wlan1"), complete("flows where port 80 or (iface "));
    }

    @Test
    void shouldCompleteCommandNamesOfTheJournalsSocketOwners(@TempDir final Path owned)
    {
        final long t0 = 1_767_225_600_000_000_000L;
        try (TestJournal journal = TestJournal.openOnEth0(owned, t0))
        {
            journal.delta().at(t0).packets(1).bytes(60).ipv4(0x0A000001, 0x0A000002).srcPort(40000).dstPort(443).proto(6)
                .direction(1).ifindex(1).socketOwner(0, 4242, "nginx").append();
            journal.delta().at(t0).packets(1).bytes(60).ipv4(0x0A000001, 0x0A000002).srcPort(40001).dstPort(443).proto(6)
                .direction(1).ifindex(1).socketOwner(0, 4243, "curl").append();
        }
        final JournalNames names = JournalNames.read(owned);
        assertEquals(List.of("curl", "nginx"), names.commands());
        final ShellCompleter withOwners = new ShellCompleter(names);
        assertEquals(List.of("curl", "nginx"), withOwners.complete("flows where comm ", ""));
        assertEquals(List.of("curl", "nginx"), withOwners.complete("flows where tcp and comm n", "n"));
        assertTrue(complete("group ").containsAll(List.of("pid", "comm")));
        assertTrue(complete("flows where ").containsAll(List.of("pid", "comm")));
    }

    @Test
    void shouldCompleteTheDnsNamesOfTheJournalsAnswers(@TempDir final Path answered)
    {
        final long t0 = 1_767_225_600_000_000_000L;
        try (TestJournal journal = TestJournal.openOnEth0(answered, t0))
        {
            journal.dnsAnswer(t0, 1, "www.example.org", "www.example.org", 60, 0xC0000250)
                .dnsAnswer(t0, 1, "api.example.org", "edge.example.net", 60, 0xC0000251);
        }
        final JournalNames names = JournalNames.read(answered);
        assertEquals(List.of("api.example.org", "www.example.org"), names.dnsNames(), "the questions asked");
        final ShellCompleter withNames = new ShellCompleter(names);
        assertEquals(List.of("api.example.org", "www.example.org"), withNames.complete("flows where dst name ", ""));
        assertEquals(List.of("api.example.org", "www.example.org"), withNames.complete("flows where tcp and name a", "a"));
        assertTrue(complete("group ").containsAll(List.of("src_name", "dst_name")));
        assertTrue(complete("flows where ").contains("name"));
    }

    @Test
    void shouldCompleteFilterWordsAndTheClausesAfterAFilter()
    {
        final List<String> start = complete("flows where ");
        assertTrue(start.containsAll(List.of("proto", "port", "iface", "not")), start.toString());
        assertFalse(start.contains("since"), "a filter first");
        final List<String> after = complete("flows where port 80 ");
        assertTrue(after.containsAll(List.of("and", "or", "since", "until")), after.toString());
        assertTrue(complete("flows where (po").contains("(port"));
        assertEquals(List.of("tcp", "udp", "icmp", "icmpv6"), complete("flows where proto "));
    }

    @Test
    void shouldHighlightCommandsClausesAndFilterTokens()
    {
        final String line = "top 3 where proto tcp and host 10.0.0.1 and bytes > 1M & x since -1h";
        final AttributedString a = ShellHighlighter.highlight(line);
        assertEquals(line, a.toString());
        assertEquals(ShellHighlighter.COMMAND, a.styleAt(0));
        assertEquals(ShellHighlighter.COMMAND, a.styleAt(line.indexOf("where")));
        assertEquals(ShellHighlighter.FIELD, a.styleAt(line.indexOf("proto")));
        assertEquals(ShellHighlighter.KEYWORD, a.styleAt(line.indexOf("tcp")));
        assertEquals(ShellHighlighter.ADDRESS, a.styleAt(line.indexOf("10.0.0.1")));
        assertEquals(ShellHighlighter.NUMBER, a.styleAt(line.indexOf("1M")));
        assertEquals(ShellHighlighter.ERROR, a.styleAt(line.indexOf("&")));
        assertEquals(ShellHighlighter.COMMAND, a.styleAt(line.indexOf("since")));
        assertEquals(AttributedStyle.DEFAULT, a.styleAt(line.indexOf("-1h")));
        assertEquals(ShellHighlighter.UNKNOWN, ShellHighlighter.highlight("tops 3").styleAt(0));
    }
}
