package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.PinOutcome;
import dev.flowrec.journal.schema.PinnedStateDecoder;
import dev.flowrec.journal.schema.RecorderStartedDecoder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * start, stop, start, kill -9, start, stop on one journal: {@code info} lists the three runs (stopped, crashed,
 * stopped) and the gaps between them, and a query's coverage reports the same gaps in the table's footer, CSV's
 * stderr line, the JSON coverage line and the export's {@code flowrec.coverage}, each within the instants the test
 * saw around the recorders' starts, stops and the kill. Whether the crash's downtime is called adopted follows the
 * journal itself: a PinnedState ADOPTED (or MISMATCH_READ) journaled by the restarted run.
 */
class RecordingGapsTest
{
    /** Kernel timestamps reach the journal through a boot-to-realtime offset taken at start: allow its drift. */
    private static final long SLACK_NS = 100_000_000L;
    private static final Pattern SPAN = Pattern.compile("(\\S+Z) \\.\\. (\\S+Z)");

    @RegisterExtension
    final TestNetns net = TestNetns.ipv4Pair("gp0", "10.213.79.1/24", "gp1", "10.213.79.2/24");

    @TempDir
    Path tmp;

    @Test
    void shouldReportTheGapsOfStopsAndCrashesInInfoAndEveryAnswer() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final long windowStart = now();

        final long start1 = now();
        final Process run1 = start(journal, "run1.log");
        ping();
        final long stopAsked1 = now();
        run1.destroy();
        assertTrue(run1.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, run1.exitValue());
        final long stopped1 = now();
        Thread.sleep(1500);

        final long start2 = now();
        final Process run2 = start(journal, "run2.log");
        final long ping2 = now();
        ping();
        Thread.sleep(700); // more than a flush interval plus a sweep: the pings are journaled
        run2.toHandle().destroyForcibly();
        assertTrue(run2.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, run2.exitValue());
        final long killed2 = now();
        Thread.sleep(1500);

        final long start3 = now();
        final Process run3 = start(journal, "run3.log");
        final long started3 = now();
        ping();
        final long stopAsked3 = now();
        run3.destroy();
        assertTrue(run3.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, run3.exitValue());
        final long stopped3 = now();
        final long windowEnd = now() + 1_000_000_000L;

        final boolean adopted = restartAdopted(journal);

        // info: the runs and the gaps
        final String info = Sh.ok(Sh.FLOWREC, "info", "--journal", journal.toString()).out();
        final List<String> runs = info.lines().dropWhile(l -> !l.startsWith("runs ")).skip(1)
            .takeWhile(l -> l.startsWith("  ")).toList();
        assertEquals(3, runs.size(), info);
        assertTrue(runs.get(0).contains(" stopped "), info);
        assertTrue(runs.get(1).contains(" crashed "), info);
        assertTrue(runs.get(2).contains(" stopped ") && runs.get(2).contains("gp0"), info);
        final String notRecorded = line(info, "  not recorded ");
        within(span(notRecorded)[0], stopAsked1, stopped1, "info: the clean stop");
        within(span(notRecorded)[1], start2, killed2, "info: the second start");
        final String crash = line(info, "  recorder crashed");
        assertEquals(adopted, crash.contains("downtime adopted"), info);
        within(span(crash)[0], ping2 - SLACK_NS, killed2 + SLACK_NS, "info: the crashed run's last event");
        within(span(crash)[1], start3, started3, "info: the restart");
        assertTrue(line(info, "  no recorder after ").endsWith("(stopped)"), info);

        final String since = Instant.ofEpochSecond(0, windowStart).toString();
        final String until = Instant.ofEpochSecond(0, windowEnd).toString();

        // JSON: rows, then the coverage line
        final Sh json = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--since", since, "--until", until,
            "--format", "json");
        final List<String> lines = json.out().lines().toList();
        final JsonNode coverage = new ObjectMapper().readTree(lines.getLast()).path("coverage");
        assertFalse(coverage.path("complete").asBoolean(true), json.out());
        final List<String> kinds = new ArrayList<>();
        coverage.path("gaps").forEach(g -> kinds.add(g.path("kind").asText()));
        assertEquals(List.of("before_journal", "not_recorded", "crash", "after_journal"), kinds, coverage.toString());
        final JsonNode[] gaps = new JsonNode[4];
        for (int i = 0; i < 4; i++)
        {
            gaps[i] = coverage.path("gaps").get(i);
        }
        within(ns(gaps[0], "start"), windowStart, windowStart, "json: the window's start");
        within(ns(gaps[0], "end"), start1, stopAsked1, "json: the first start");
        within(ns(gaps[1], "start"), stopAsked1, stopped1, "json: the clean stop");
        within(ns(gaps[1], "end"), start2, killed2, "json: the second start");
        within(ns(gaps[2], "start"), ping2 - SLACK_NS, killed2 + SLACK_NS, "json: the crashed run's last event");
        within(ns(gaps[2], "end"), start3, started3, "json: the restart");
        assertEquals(adopted, gaps[2].path("adopted").asBoolean(), coverage.toString());
        within(ns(gaps[3], "start"), stopAsked3, stopped3, "json: the last stop");
        within(ns(gaps[3], "end"), windowEnd, windowEnd, "json: the window's end");
        final String describe = coverage.path("describe").asText();
        assertTrue(describe.startsWith("incomplete: journal starts at "), describe);
        assertTrue(describe.contains("not recorded ") && describe.contains("recorder crashed") &&
            describe.contains("no recorder after "), describe);
        for (final String row : lines.subList(0, lines.size() - 1))
        {
            assertTrue(row.startsWith("{\"first_seen\":"), "rows keep their keys: " + row);
        }

        // the table's footer and CSV's stderr say the same
        final Sh table = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--since", since, "--until", until);
        assertTrue(table.out().strip().endsWith(" rows; " + describe), table.out());
        assertEquals("flowrec query: warning: answer " + describe, warning(table));
        final Sh csv = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--since", since, "--until", until,
            "--format", "csv");
        assertEquals("flowrec query: warning: answer " + describe, warning(csv));
        assertFalse(csv.out().contains("complete: no loss journaled") || table.out().contains("complete: no loss"));

        // the export's metadata
        final Path arrow = tmp.resolve("flows.arrow");
        Sh.ok(Sh.FLOWREC, "export", "--journal", journal.toString(), "--out", arrow.toString(), "--since", since,
            "--until", until);
        final JsonNode exported = new ObjectMapper().readTree(metadata(arrow, "flowrec.coverage")).get(0);
        assertFalse(exported.path("complete").asBoolean(true));
        assertEquals(describe, exported.path("describe").asText());
        assertEquals(coverage.path("gaps"), exported.path("gaps"));

        // a window inside one run is complete, in the words it always had
        final Sh inside = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(),
            "--since", Instant.ofEpochSecond(0, started3).toString(),
            "--until", Instant.ofEpochSecond(0, stopAsked3).toString());
        assertTrue(inside.out().strip().endsWith(" rows; complete: no loss journaled"), inside.out());
    }

    /** Whether the restarted run journaled that it adopted the crashed run's pinned state: read from the journal. */
    private static boolean restartAdopted(final Path journal)
    {
        final int[] runs = {0};
        final boolean[] adopted = {false};
        final RecorderStartedDecoder started = new RecorderStartedDecoder();
        final PinnedStateDecoder pinned = new PinnedStateDecoder();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == RecorderStartedDecoder.TEMPLATE_ID)
                {
                    MessageHeader.wrap(started, buffer, offset);
                    runs[0]++;
                }
                else if (templateId == PinnedStateDecoder.TEMPLATE_ID && runs[0] == 3)
                {
                    final PinOutcome outcome = MessageHeader.wrap(pinned, buffer, offset).outcome();
                    adopted[0] |= outcome == PinOutcome.ADOPTED || outcome == PinOutcome.MISMATCH_READ;
                }
            }, 4096) > 0)
            {
                // the handler does the work
            }
        }
        assertEquals(3, runs[0], "three RecorderStarted events");
        return adopted[0];
    }

    private static String metadata(final Path arrow, final String key) throws Exception
    {
        try (RootAllocator allocator = new RootAllocator();
            FileChannel channel = FileChannel.open(arrow, StandardOpenOption.READ);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            return reader.getVectorSchemaRoot().getSchema().getCustomMetadata().get(key);
        }
    }

    private static String warning(final Sh query)
    {
        return line(query.err(), "flowrec query: warning: ");
    }

    private static String line(final String text, final String prefix)
    {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
            .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in:\n" + text));
    }

    private static long[] span(final String line)
    {
        final Matcher m = SPAN.matcher(line);
        assertTrue(m.find(), line);
        return new long[] {parse(m.group(1)), parse(m.group(2))};
    }

    private static long ns(final JsonNode gap, final String field)
    {
        return parse(gap.path(field).asText());
    }

    private static long parse(final String iso)
    {
        final Instant t = Instant.parse(iso);
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Times in words are cut to the millisecond: a bound of [from, to] holds them when cut the same way. */
    private static void within(final long ns, final long from, final long to, final String what)
    {
        final long ms = 1_000_000L;
        assertTrue(ns >= from / ms * ms && ns <= to, () -> what + ": " + Instant.ofEpochSecond(0, ns) + " not in ["
            + Instant.ofEpochSecond(0, from) + ", " + Instant.ofEpochSecond(0, to) + "]");
    }

    private Process start(final Path journal, final String log) throws Exception
    {
        final Path logFile = tmp.resolve(log);
        final Process p = new ProcessBuilder(Sh.flowrecIn(net.name(), "record", "--iface", "gp0", "--journal",
            journal.toString(), "--flush-interval", "200ms", "--http", "off"))
            .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        Logs.await(p, logFile, "recording", 600);
        return p;
    }

    private void ping() throws Exception
    {
        final Sh r = Sh.ok("ip", "netns", "exec", net.name(), "ping", "-q", "-i", "0.05", "-c", "5", "10.213.79.2");
        assertTrue(r.out().contains("5 packets transmitted, 5 received"), r.out());
    }

    private static long now()
    {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
