package dev.flowrec.query.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Cancellation;
import dev.flowrec.query.QueryCancelledException;
import dev.flowrec.query.Column;
import dev.flowrec.query.Coverage;
import dev.flowrec.query.Gap;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every format says what the answer may be missing: the table in its footer, JSON in a last coverage line. */
class AnswerWriterTest
{
    private static final long T = 1_795_694_400_000_000_000L; // 2026-11-26T12:00:00Z
    private static final List<Column> COLUMNS = List.of(new Column("proto", Column.Type.TEXT),
        new Column("bytes", Column.Type.BYTES));
    private static final List<Object[]> ROWS = List.<Object[]>of(new Object[] {"tcp", 1500L});

    @Test
    void shouldEndJsonWithTheCoverageLineGapsIncluded()
    {
        final Coverage gaps = new Coverage(0, 0, 0, 0, 0, List.of(), List.of(
            new Gap(Long.MIN_VALUE, T, Gap.Kind.BEFORE_JOURNAL, false, T, false),
            new Gap(T + 10_000_000_000L, T + 20_000_000_000L, Gap.Kind.CRASH, true, T + 10_000_000_000L, true)));
        assertEquals(List.of("{\"proto\":\"tcp\",\"bytes\":1500}",
                "{\"coverage\":{\"complete\":false,\"describe\":\"incomplete: journal starts at 2026-11-26T12:00:00.000Z; "
                    + "recorder crashed 2026-11-26T12:00:10.000Z .. 2026-11-26T12:00:20.000Z, downtime adopted (the kernel "
                    + "kept counting; journaled at restart)\",\"ring_lost_events\":0,\"ring_lost_packets\":0,"
                    + "\"ring_lost_bytes\":0,\"journal_lost_events\":0,\"skipped_events\":0,\"gaps\":["
                    + "{\"start\":null,\"end\":\"2026-11-26T12:00:00.000000000Z\",\"kind\":\"before_journal\",\"adopted\":false},"
                    + "{\"start\":\"2026-11-26T12:00:10.000000000Z\",\"end\":\"2026-11-26T12:00:20.000000000Z\","
                    + "\"kind\":\"crash\",\"adopted\":true}]}}"),
            write(Format.json, gaps));
    }

    @Test
    void shouldKeepTheFootersWordsForACompleteAnswer()
    {
        final Coverage complete = new Coverage(0, 0, 0, 0, 0, List.of());
        assertEquals("1 row; complete: no loss journaled", write(Format.table, complete).getLast(), "one row, not 1 rows");
        assertEquals("{\"coverage\":{\"complete\":true,\"describe\":\"complete: no loss journaled\",\"ring_lost_events\":0,"
            + "\"ring_lost_packets\":0,\"ring_lost_bytes\":0,\"journal_lost_events\":0,\"skipped_events\":0,\"gaps\":[]}}",
            write(Format.json, complete).getLast());
        assertEquals(List.of("proto,bytes", "tcp,1500"), write(Format.csv, complete), "CSV: rows only, coverage on stderr");
    }

    @Test
    void shouldNameEveryIanaProtocolInATableButKeepTheNumberInCsvAndJson()
    {
        final List<Object[]> rows = List.<Object[]>of(new Object[] {"47", 10L}, new Object[] {"132", 20L},
            new Object[] {"253", 30L}, new Object[] {"udp", 40L});
        final Answer answer = new Answer(COLUMNS, rows, new Coverage(0, 0, 0, 0, 0, List.of()), null);
        final StringWriter table = new StringWriter();
        AnswerWriter.write(Format.table, answer, new PrintWriter(table));
        final List<String> protos = table.toString().lines().skip(1).limit(4).map(l -> l.split(" +")[0]).toList();
        assertEquals(List.of("gre", "sctp", "253", "udp"), protos, table.toString());
        assertTrue(table.toString().contains("4 rows; "), table.toString());
        final StringWriter csv = new StringWriter();
        AnswerWriter.write(Format.csv, answer, new PrintWriter(csv));
        assertEquals(List.of("proto,bytes", "47,10", "132,20", "253,30", "udp,40"), csv.toString().lines().toList(),
            "CSV keeps the README's proto contract: tcp, udp, icmp, icmpv6 or the number");
    }

    @Test
    void shouldPrintBytesInBinaryUnitsAndPacketsExactlyAndSaySoInTheFooter()
    {
        final List<Column> columns = List.of(new Column("packets", Column.Type.COUNT), new Column("bytes", Column.Type.BYTES));
        final List<Object[]> rows = List.<Object[]>of(new Object[] {1_234_567L, 67_108_864L}, new Object[] {12L, 1023L});
        final StringWriter text = new StringWriter();
        AnswerWriter.write(Format.table, new Answer(columns, rows, new Coverage(0, 0, 0, 0, 0, List.of()), null),
            new PrintWriter(text));
        assertEquals(List.of("packets     bytes", "1234567  64.0 MiB", "     12    1023 B",
            "(bytes in KiB/MiB/GiB (powers of 1024); packets and flows exact)", "2 rows; complete: no loss journaled"),
            text.toString().lines().toList());
        final StringWriter csv = new StringWriter();
        AnswerWriter.write(Format.csv, new Answer(columns, rows, new Coverage(0, 0, 0, 0, 0, List.of()), null),
            new PrintWriter(csv));
        assertEquals(List.of("packets,bytes", "1234567,67108864", "12,1023"), csv.toString().lines().toList(),
            "CSV numbers stay exact");
    }

    @Test
    void shouldStopPrintingBetweenRowsSoonAfterCtrlC()
    {
        final List<Object[]> many = new java.util.ArrayList<>();
        for (long i = 0; i < 100_000; i++)
        {
            many.add(new Object[] {"tcp", i});
        }
        final Answer answer = new Answer(COLUMNS, many, new Coverage(0, 0, 0, 0, 0, List.of()), null);
        for (final Format format : Format.values())
        {
            final long flipAt = 30_000;
            final Cancellation[] cancellation = new Cancellation[1];
            cancellation[0] = new Cancellation(() -> cancellation[0].steps() >= flipAt);
            final StringWriter text = new StringWriter();
            assertThrows(QueryCancelledException.class,
                () -> AnswerWriter.write(format, answer, new PrintWriter(text), cancellation[0]), format.name());
            assertTrue(cancellation[0].steps() - flipAt <= Cancellation.STEPS_PER_POLL,
                format + ": rows after Ctrl-C " + (cancellation[0].steps() - flipAt));
            final List<String> lines = text.toString().lines().toList();
            assertTrue(lines.size() < 100_000, format + " printed everything: " + lines.size());
            assertTrue(text.toString().isEmpty() || text.toString().endsWith(System.lineSeparator()),
                format + ": the last line printed is whole");
            for (final String line : lines.subList(format == Format.table || format == Format.chart ? 0 : 1, lines.size()))
            {
                assertTrue(line.matches(format == Format.json ? "\\{\"proto\":\"tcp\",\"bytes\":\\d+\\}"
                    : format == Format.csv ? "tcp,\\d+" : ".*"), format + ": a whole row: " + line);
            }
        }
    }

    private static List<String> write(final Format format, final Coverage coverage)
    {
        final StringWriter text = new StringWriter();
        AnswerWriter.write(format, new Answer(COLUMNS, ROWS, coverage, null), new PrintWriter(text));
        return text.toString().lines().toList();
    }

    @Test
    void shouldPrintAnUnknownPidEmptyInCsvAndTablesAndNullInJson()
    {
        final List<Column> columns = List.of(new Column("tcp_flags", Column.Type.TEXT), new Column("pid", Column.Type.NUMBER),
            new Column("comm", Column.Type.TEXT));
        final List<Object[]> rows = List.<Object[]>of(new Object[] {".A....", 4242, "curl"}, new Object[] {"", null, ""});
        final Answer answer = new Answer(columns, rows, new Coverage(0, 0, 0, 0, 0, List.of()), null);
        assertEquals(List.of("tcp_flags,pid,comm", ".A....,4242,curl", ",,"), lines(Format.csv, answer));
        assertEquals(List.of("{\"tcp_flags\":\".A....\",\"pid\":4242,\"comm\":\"curl\"}",
            "{\"tcp_flags\":\"\",\"pid\":null,\"comm\":\"\"}"), lines(Format.json, answer).subList(0, 2));
        assertEquals(List.of("tcp_flags   pid  comm", ".A....     4242  curl", ""), lines(Format.table, answer).subList(0, 3));
    }

    private static List<String> lines(final Format format, final Answer answer)
    {
        final StringWriter text = new StringWriter();
        AnswerWriter.write(format, answer, new PrintWriter(text));
        return text.toString().lines().toList();
    }
}
