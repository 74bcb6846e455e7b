package dev.flowrec.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.RecorderLockProbe;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.TestJournal;
import dev.flowrec.journal.schema.PinOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage reports every part of a window the journal does not cover, on synthetic journals of known runs: a clean
 * stop until the next start, a crash (its downtime adopted by the next run or not), before the journal's start,
 * after its end (or not, while a recorder runs), hours deleted by retention; a covered window stays complete.
 */
class CoverageGapsTest
{
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_795_694_400L * S; // 2026-11-26T12:00:00Z
    private static final long HOUR = 3600 * S;

    @TempDir
    Path dir;

    @Test
    void shouldReportTheTimeBetweenACleanStopAndTheNextStartAsNotRecorded()
    {
        try (TestJournal j = TestJournal.open(dir, T0))
        {
            run(j, T0, 101).recorderStopped(T0 + 10 * S, 0, "stopped");
            run(j, T0 + 20 * S, 102).recorderStopped(T0 + 30 * S, 0, "stopped");
        }
        final Coverage c = coverage(T0, T0 + 30 * S);
        assertEquals(List.of(gap(T0 + 10 * S, T0 + 20 * S, Gap.Kind.NOT_RECORDED, false)), kinds(c));
        assertFalse(c.complete());
        assertEquals("incomplete: not recorded 2026-11-26T12:00:10.000Z .. 2026-11-26T12:00:20.000Z (recorder stopped)",
            c.describe());
        assertTrue(coverage(T0 + 20 * S, T0 + 30 * S).complete(), "the second run alone");
        assertEquals("complete: no loss journaled", coverage(T0 + 21 * S, T0 + 29 * S).describe());
    }

    @Test
    void shouldReportACrashFromItsLastEventToTheRestartNotAdopted()
    {
        try (TestJournal j = TestJournal.open(dir, T0))
        {
            run(j, T0, 101).lossReport(T0 + 5 * S, 0, 0, 0);
            j.now(T0 + 9 * S).delta().firstNs(T0 + 8 * S).lastNs(T0 + 9 * S).packets(1).bytes(60).ifindex(1).append();
            run(j, T0 + 20 * S, 102);
            j.recorderStopped(T0 + 30 * S, 0, "stopped");
        }
        final Coverage c = coverage(T0, T0 + 30 * S);
        assertEquals(List.of(gap(T0 + 9 * S, T0 + 20 * S, Gap.Kind.CRASH, false)), kinds(c),
            "from the last event (a delta after the last loss report) to the restart");
        assertEquals("incomplete: recorder crashed: not recorded 2026-11-26T12:00:09.000Z .. 2026-11-26T12:00:20.000Z",
            c.describe());
        final Timeline.Run dead = Timeline.of(dir).runs().getFirst();
        assertEquals(Timeline.End.CRASHED, dead.end());
        assertEquals(101, dead.pid());
        assertEquals(List.of("eth0"), dead.interfaces());
    }

    @Test
    void shouldSayACrashsDowntimeWasAdoptedWhenTheNextRunJournaledThePinnedState()
    {
        for (final PinOutcome outcome : PinOutcome.values())
        {
            if (outcome == PinOutcome.NULL_VAL)
            {
                continue;
            }
            final Path journal = dir.resolve(outcome.name());
            try (TestJournal j = TestJournal.open(journal, T0))
            {
                run(j, T0, 101).lossReport(T0 + 5 * S, 0, 0, 0);
                run(j, T0 + 20 * S, 102).pinnedState(T0 + 20 * S, outcome, 101);
                j.recorderStopped(T0 + 30 * S, 0, "stopped");
            }
            final Coverage c = Replay.run(journal, new Window(T0, T0 + 30 * S), (d, i, n) -> { }, () -> false).coverage();
            final boolean adopted = outcome == PinOutcome.ADOPTED || outcome == PinOutcome.MISMATCH_READ;
            assertEquals(List.of(gap(T0 + 5 * S, T0 + 20 * S, Gap.Kind.CRASH, adopted)), kinds(c), outcome.name());
            assertFalse(c.complete(), "an adopted crash gap is still a gap: " + outcome);
            assertEquals(adopted, c.describe().contains("downtime adopted"), c.describe());
        }
    }

    @Test
    void shouldSayWhereTheJournalStartsForAWindowBeforeIt()
    {
        try (TestJournal j = TestJournal.open(dir, T0))
        {
            run(j, T0, 101).recorderStopped(T0 + 10 * S, 0, "stopped");
        }
        final Coverage partly = coverage(T0 - 60 * S, T0 + 5 * S);
        assertEquals(List.of(gap(T0 - 60 * S, T0, Gap.Kind.BEFORE_JOURNAL, false)), kinds(partly));
        assertEquals("incomplete: journal starts at 2026-11-26T12:00:00.000Z", partly.describe());
        final Coverage before = coverage(Long.MIN_VALUE, T0 - HOUR);
        assertEquals(List.of(gap(Long.MIN_VALUE, T0 - HOUR, Gap.Kind.BEFORE_JOURNAL, false)), kinds(before),
            "a window open at its start that ends before the journal lies all before it");
        assertTrue(coverage(Long.MIN_VALUE, T0 + 5 * S).complete(), "open at the start: from the journal's start");

        final Answer at = QueryEngine.run(dir, new Query(Window.ALL, dev.flowrec.query.filter.FilterParser.ALL, List.of(), 0,
            Query.By.bytes, 0, T0 - HOUR), () -> false);
        assertEquals(0, at.rows().size());
        assertEquals("incomplete: journal starts at 2026-11-26T12:00:00.000Z", at.coverage().describe(), "--at before it");
    }

    @Test
    void shouldSayNoRecorderAfterTheJournalsEndUnlessOneRuns() throws IOException
    {
        try (TestJournal j = TestJournal.open(dir, T0))
        {
            run(j, T0, 101).recorderStopped(T0 + 10 * S, 0, "stopped");
        }
        final Coverage after = coverage(T0, T0 + 60 * S);
        assertEquals(List.of(gap(T0 + 10 * S, T0 + 60 * S, Gap.Kind.AFTER_JOURNAL, false)), kinds(after));
        assertEquals("incomplete: no recorder after 2026-11-26T12:00:10.000Z (stopped)", after.describe());
        assertTrue(coverage(T0, Long.MAX_VALUE).complete(), "open at the end: as far as the journal goes");
        assertEquals(List.of(gap(T0 + HOUR, Long.MAX_VALUE, Gap.Kind.AFTER_JOURNAL, false)),
            kinds(coverage(T0 + HOUR, Long.MAX_VALUE)), "a window open at its end that starts after the journal");
    }

    @Test
    void shouldTellARunningRecorderFromACrashedOneByTheJournalsLock() throws IOException, InterruptedException
    {
        try (TestJournal j = TestJournal.open(dir, T0))
        {
            run(j, T0, 101).lossReport(T0 + 10 * S, 0, 0, 0);
        }
        assertEquals("incomplete: no recorder after 2026-11-26T12:00:10.000Z (crashed)", coverage(T0, T0 + 60 * S).describe());
        assertEquals(Timeline.End.CRASHED, Timeline.of(dir).runs().getLast().end());
        // The lock as a recorder holds it, from another process (a probe's close would drop this JVM's own POSIX locks).
        final Process holder = new ProcessBuilder("python3", "-c", "import fcntl, sys, time\n"
            + "f = open(sys.argv[1], 'a'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(120)",
            dir.resolve(RecorderLockProbe.FILE).toString()).redirectErrorStream(true).start();
        try
        {
            assertEquals("locked", new String(holder.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            assertEquals(holder.pid(), RecorderLockProbe.holder(dir));
            assertTrue(coverage(T0, T0 + 60 * S).complete(), "a recorder runs: the window's end is still being recorded");
            final Timeline.Run last = Timeline.of(dir).runs().getLast();
            assertEquals(Timeline.End.RUNNING, last.end());
            assertEquals(Long.MAX_VALUE, last.endNs());
        }
        finally
        {
            holder.destroyForcibly().waitFor();
        }
        assertEquals(RecorderLockProbe.NONE, RecorderLockProbe.holder(dir));
    }

    @Test
    void shouldNameTheHoursRetentionDeleted()
    {
        try (TestJournal j = TestJournal.open(dir, T0 + 600 * S))
        {
            run(j, T0 + 600 * S, 101);
            for (int hour = 0; hour < 3; hour++)
            {
                final long t = T0 + hour * HOUR + 1200 * S;
                j.now(t).delta().at(t).packets(1).bytes(60).ifindex(1).append();
            }
            j.recorderStopped(T0 + 2 * HOUR + 1800 * S, 0, "stopped");
            final long nowMs = (T0 + 3 * HOUR + 1800 * S) / 1_000_000L;
            assertEquals(2, j.applyRetention(new Retention.Policy(3_600_000L, 0), nowMs), "12:00 and 13:00 ended over an hour ago");
        }
        final Coverage c = coverage(T0, T0 + 3 * HOUR);
        assertEquals(List.of(
                gap(T0, T0 + 600 * S, Gap.Kind.BEFORE_JOURNAL, false),
                gap(T0 + 600 * S, T0 + 2 * HOUR, Gap.Kind.RETENTION, false),
                gap(T0 + 2 * HOUR + 1800 * S, T0 + 3 * HOUR, Gap.Kind.AFTER_JOURNAL, false)),
            kinds(c));
        assertTrue(c.describe().contains("hours deleted by retention: 2026-11-26T12:10:00.000Z .. 2026-11-26T14:00:00.000Z"),
            c.describe());
        assertEquals(1, Timeline.of(dir).runs().size(), "the catalog still knows the run whose first hours are gone");
    }

    @Test
    void shouldStayCompleteForAWindowTheJournalCovers()
    {
        try (TestJournal j = TestJournal.open(dir, T0))
        {
            run(j, T0, 101);
            j.now(T0 + 5 * S).delta().at(T0 + 5 * S).packets(1).bytes(60).ifindex(1).append();
            j.recorderStopped(T0 + 10 * S, 0, "stopped");
        }
        final Answer answer = QueryEngine.run(dir, Query.listing(new Window(T0, T0 + 10 * S)), () -> false);
        assertEquals(1, answer.rows().size());
        assertEquals("complete: no loss journaled", answer.coverage().describe());
        assertEquals(List.of(), answer.coverage().gaps());
        assertTrue(Replay.run(dir, (d, i, n) -> { }).complete(), "the whole journal: one run, nothing missing");
    }

    @Test
    void shouldReportBothWindowsOfADiff()
    {
        try (TestJournal j = TestJournal.open(dir, T0))
        {
            run(j, T0, 101).recorderStopped(T0 + 10 * S, 0, "stopped");
            run(j, T0 + 20 * S, 102).recorderStopped(T0 + 30 * S, 0, "stopped");
        }
        final Answer diff = Diff.run(dir, Query.listing(new Window(T0 - 5 * S, T0 + 5 * S)),
            Query.listing(new Window(T0 + 5 * S, T0 + 25 * S)), 0, () -> false);
        assertEquals(List.of(gap(T0 - 5 * S, T0, Gap.Kind.BEFORE_JOURNAL, false),
            gap(T0 + 10 * S, T0 + 20 * S, Gap.Kind.NOT_RECORDED, false)), kinds(diff.coverage()));
    }

    /** A run started at {@code t} by {@code pid} that attached eth0; the journal's clock at {@code t}. */
    private static TestJournal run(final TestJournal j, final long t, final int pid)
    {
        return j.now(t).recorderStarted(t, pid).interfaceAttached(t, 1, "eth0", "");
    }

    private Coverage coverage(final long sinceNs, final long untilNs)
    {
        return Replay.run(dir, new Window(sinceNs, untilNs), (d, i, n) -> { }, () -> false).coverage();
    }

    /** Gaps compared by what a reader sees of them: span, kind, adopted. */
    private static List<String> kinds(final Coverage c)
    {
        return c.gaps().stream().map(g -> gap(g.startNs(), g.endNs(), g.kind(), g.adopted())).toList();
    }

    private static String gap(final long startNs, final long endNs, final Gap.Kind kind, final boolean adopted)
    {
        return startNs + ".." + endNs + " " + kind + (adopted ? " adopted" : "");
    }
}
