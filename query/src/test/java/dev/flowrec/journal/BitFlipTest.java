package dev.flowrec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Coverage;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.JournalSummary;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: 200 single-bit flips at random offsets of a written journal, each answered by the query engine; no answer
 * may differ from the undamaged journal's without saying that it read damage. The journal is a recorder's mix over
 * four hourly cycle files: batched deltas (IPv4 and IPv6) and a few single ones, interfaces and a container, loss
 * reports, two recorder runs. The answers: a listing, a top-N, a grouped time series, a window that seeks (and so
 * replays the catalog), grouped and filtered, and {@code info}'s counts. Each flip lands in a random file (cycle files, the catalog's, the
 * metadata files) at a random offset within the bytes it uses, and is undone after the answers.
 * <p>
 * An answer "reports damage" when its coverage counts skipped or checksum-failed events or names an unreadable
 * range; a reader that refuses the journal with a {@link JournalException} is an error, also never silent. Loss
 * reports make every answer incomplete on purpose, so loss is compared as part of the answer, not as damage.
 */
class BitFlipTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0_NS = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * SECOND_NS;
    private static final int HOURS = 4;
    private static final int FLIPS = 200;
    /** Bytes past the last non-zero byte of a file that a flip may still land in (a header after the last document). */
    private static final int TAIL_SLACK = 64;
    /** Far above an answer's time: a reader that takes this long on one flip hangs. */
    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** Far above an undamaged answer's time (about 0.2 s): printed, to find what makes a reader wait. */
    private static final long SLOW_NS = 2_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void shouldNeverAnswerWronglyWithoutReportingDamage() throws IOException
    {
        final Path dir = tmp.resolve("journal");
        write(dir);
        final List<String> undamaged = answers(dir);
        for (int i = 0; i < 3; i++)
        {
            final long startNs = System.nanoTime();
            assertEquals(undamaged, answers(dir));
            System.out.printf("undamaged answers in %.0f ms%n", (System.nanoTime() - startNs) / 1e6);
        }
        assertTrue(undamaged.stream().allMatch(a -> a.startsWith("intact")), () -> String.join("\n", undamaged));
        final List<Path> files = files(dir);
        final long seed = Long.getLong("flowrec.bitflip.seed", System.nanoTime());
        System.out.println("BitFlipTest seed " + seed + " (rerun with -Dflowrec.bitflip.seed=" + seed + ")");
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Path, Long> used = new TreeMap<>();
        for (final Path file : files)
        {
            used.put(file, usedLength(file));
        }

        final Map<String, Integer> outcomes = new TreeMap<>();
        final List<String> silent = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        for (int i = 0; i < FLIPS; i++)
        {
            final Path file = files.get(random.nextInt(files.size()));
            final long offset = random.nextLong(used.get(file));
            final int bit = random.nextInt(8);
            final String outcome = outcomeOf(dir, undamaged, file, offset, bit, seed, silent, unexpected);
            outcomes.merge(outcome.length() > 110 ? outcome.substring(0, 110) : outcome, 1, Integer::sum);
            outcomes.merge("in " + kind(dir, file), 1, Integer::sum);
        }
        outcomes.forEach((what, count) -> System.out.printf("%5d  %s%n", count, what));
        assertEquals(undamaged, answers(dir), "every flip undone");
        assertEquals(List.of(), silent, "silent wrong answers (seed " + seed + ")");
        assertEquals(List.of(), unexpected, "readers throw nothing but a JournalException (seed " + seed + ")");
    }

    /** Four hours of a recorder's journal, two runs, written through the writer the recorder uses. */
    private static void write(final Path dir)
    {
        final SplittableRandom random = new SplittableRandom(13);
        try (TestJournal journal = TestJournal.open(dir, T0_NS))
        {
            long lost = 0;
            for (int hour = 0; hour < HOURS; hour++)
            {
                final long hourNs = T0_NS + hour * 3600 * SECOND_NS;
                if (hour % 2 == 0)
                {
                    journal.now(hourNs).recorderStarted(hourNs, "host-a", "6.18", "0.1", "record --containers");
                    journal.interfaceAttached(hourNs, 2, "eth0", "");
                    journal.interfaceAttached(hourNs, 3, "eth1", "");
                    journal.containerSeen(hourNs, 9, "0123456789abcdef", "0123456789ab", "docker", "/docker/0123",
                        "", "veth9");
                    journal.interfaceAttached(hourNs, 9, "veth9", "0123456789ab");
                    lost = 0;
                }
                for (int s = 0; s < 3600; s += 15)
                {
                    final long t = hourNs + s * SECOND_NS;
                    journal.now(t);
                    final int deltas = 1 + random.nextInt(10);
                    for (int d = 0; d < deltas; d++)
                    {
                        final int flow = random.nextInt(300);
                        final TestJournal.Delta delta = journal.delta().firstNs(t - random.nextLong(SECOND_NS)).lastNs(t)
                            .packets(1 + random.nextInt(50)).bytes(64 + random.nextInt(60_000))
                            .ifindex(flow % 7 == 0 ? 9 : 2 + flow % 2).srcPort(1024 + flow).dstPort(flow % 3 == 0 ? 53 : 443)
                            .proto(flow % 3 == 0 ? 17 : 6).direction(flow & 1).tcpFlags(flow % 3 == 0 ? 0 : 0x18);
                        if (flow % 4 == 0)
                        {
                            delta.ipv6(0x20010db800000000L, flow, 0x20010db8ffff0000L, 1);
                        }
                        else
                        {
                            delta.ipv4(0x0A000000 | flow, 0xC0A80001);
                        }
                        if (random.nextInt(100) == 0)
                        {
                            delta.append();
                        }
                        else
                        {
                            delta.appendToBatch();
                        }
                    }
                    journal.commitDeltas();
                    if (s % 600 == 0)
                    {
                        lost += random.nextInt(3);
                        journal.lossReport(t, lost, lost * 2, lost * 300);
                    }
                }
                if (hour % 2 == 1)
                {
                    final long stopNs = hourNs + 3599 * SECOND_NS;
                    journal.now(stopNs).recorderStopped(stopNs, 1000, "stopped");
                }
            }
        }
    }

    /**
     * Every bit of the first header word of every file (a store's header: Chronicle waited for ever on a catalog
     * metadata.cq4t whose metadata bit a flip cleared, seed 29782475819321): each flip is read around, reported or
     * refused, at once.
     */
    @Test
    void shouldNeverHangNorAnswerWronglyOnAFlipInAStoreHeader() throws IOException
    {
        final Path dir = tmp.resolve("journal");
        write(dir);
        olderByAnHour(dir); // damaged, not a writer's new file: readers give the newest cycle no time to get a header
        final List<String> undamaged = answers(dir);
        final List<String> silent = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        final Map<String, Integer> outcomes = new TreeMap<>();
        for (final Path file : files(dir))
        {
            if (!file.getFileName().toString().endsWith(".cq4t") && !file.equals(newestOf(file.getParent())))
            {
                continue; // one cycle file of each directory: every cycle file's header is alike
            }
            for (int bit = 0; bit < 32; bit++)
            {
                outcomes.merge(outcomeOf(dir, undamaged, file, bit / 8, bit % 8, 0, silent, unexpected), 1, Integer::sum);
            }
        }
        outcomes.forEach((what, count) -> System.out.printf("%5d  %s%n", count, what));
        assertEquals(undamaged, answers(dir), "every flip undone");
        assertEquals(List.of(), silent, "silent wrong answers");
        assertEquals(List.of(), unexpected, "readers throw nothing but a JournalException");
    }

    private static void olderByAnHour(final Path dir) throws IOException
    {
        final FileTime anHourAgo = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000L);
        for (final Path file : files(dir))
        {
            Files.setLastModifiedTime(file, anHourAgo);
        }
    }

    private static Path newestOf(final Path dir) throws IOException
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.filter(p -> p.toString().endsWith(".cq4")).max(Path::compareTo).orElseThrow();
        }
    }

    /**
     * Flips one bit, answers, undoes the flip: "same answer", "damage reported" or the JournalException's message;
     * a silent wrong answer or any other exception is added to its list. A reader that takes {@link #LIMIT} fails.
     */
    private static String outcomeOf(final Path dir, final List<String> undamaged, final Path file, final long offset,
        final int bit, final long seed, final List<String> silent, final List<String> unexpected) throws IOException
    {
        final String flip = dir.relativize(file) + " offset " + offset + " bit " + bit + " (seed " + seed + ")";
        flip(file, offset, bit);
        final long startNs = System.nanoTime();
        try
        {
            final List<String> damaged = assertTimeoutPreemptively(LIMIT, () -> answers(dir), flip);
            if (damaged.equals(undamaged))
            {
                return "same answer";
            }
            if (differingReportDamage(undamaged, damaged))
            {
                return "damage reported";
            }
            silent.add(flip + ": " + firstDifference(undamaged, damaged));
            return "SILENT WRONG ANSWER";
        }
        catch (final JournalException ex)
        {
            assertEquals(-1, ex.getMessage().indexOf('\n'), ex.getMessage());
            return "error: " + ex.getMessage().replaceAll("[0-9a-f]{6,}|/\\S+", "…");
        }
        catch (final Exception | InternalError ex)
        {
            unexpected.add(flip + ": " + ex);
            ex.printStackTrace(System.out);
            return "UNEXPECTED " + ex;
        }
        finally
        {
            flip(file, offset, bit);
            if (System.nanoTime() - startNs > SLOW_NS)
            {
                System.out.printf("slow: %s answered in %.1f s%n", flip, (System.nanoTime() - startNs) / 1e9);
            }
        }
    }

    /**
     * A document header flipped to "not complete" in the newest cycle reads, to Chronicle, as a live writer's event in
     * progress: the end of the journal. The documents the writer committed after it say otherwise.
     */
    @Test
    void shouldReportADocumentMarkedIncompleteBeforeTheEndOfTheNewestCycle() throws IOException
    {
        assertFlipInAHeaderOfTheNewestCycleReported(7); // the top bit of the little-endian header word: NOT_COMPLETE
    }

    /**
     * A document header whose metadata bit is flipped (seed 25205491207851: 20260101-01F.cq4 offset 100459 bit 6, a
     * batch of deltas) is passed over by Chronicle's readers in silence, as if it were Chronicle's own metadata: the
     * reader looks at every metadata document and counts one of ours as damage.
     */
    @Test
    void shouldReportAnEventFlaggedAsChronicleMetadata() throws IOException
    {
        assertFlipInAHeaderOfTheNewestCycleReported(6); // the second bit from the top of the header word: META_DATA
    }

    /** Flips {@code bit} of the last byte of a document header in the middle of the newest cycle: the answers say so. */
    private void assertFlipInAHeaderOfTheNewestCycleReported(final int bit) throws IOException
    {
        final Path dir = tmp.resolve("journal");
        write(dir);
        final List<String> undamaged = answers(dir);
        final Path newest = files(dir).stream().filter(p -> p.getParent().equals(dir) && p.toString().endsWith(".cq4"))
            .reduce((a, b) -> b).orElseThrow();
        flip(newest, headerInTheMiddleOf(dir, newest) + 3, bit);
        final List<String> damaged = answers(dir);
        assertTrue(!damaged.equals(undamaged), "the flip changes what can be read");
        assertTrue(differingReportDamage(undamaged, damaged), () -> firstDifference(undamaged, damaged));
    }

    /**
     * A flip in a high byte of metadata.cq4t's listing.highestCycle (seed 22125491249897: offset 187 bit 2) names a last
     * cycle far ahead: at the end of a cycle Chronicle's tailer then stepped into the earlier cycles again, under the
     * last one's number, for ever. A flip in listing.lowestCycle (seed 34077254221933: offset 224 bit 0) made it start
     * an hour late, in silence. Readers now compare the listing with the cycle files in the directory and, when they
     * differ, read the directory without the metadata: every answer as if nothing were damaged.
     */
    @Test
    void shouldReadEveryEventOnceWhenTheCycleListingNamesOtherCycles() throws IOException
    {
        final Path dir = tmp.resolve("journal");
        write(dir);
        final List<String> undamaged = answers(dir);
        final Path metadata = dir.resolve(JournalPaths.METADATA_FILE);
        final String text = new String(Files.readAllBytes(metadata), StandardCharsets.ISO_8859_1);
        for (final String key : new String[] {"listing.highestCycle", "listing.lowestCycle"})
        {
            final int at = text.indexOf(key);
            final int value = text.indexOf((char)0xA7, at) + 1; // BINARY_LIGHT's int64 marker, then the cycle, little-endian
            assertTrue(at > 0 && value > at, key + " in " + metadata);
            for (final int[] flip : new int[][] {{3, 2}, {0, 0}}) // + 2^26 cycles; the next or previous hour
            {
                flip(metadata, value + flip[0], flip[1]);
                try
                {
                    assertEquals(undamaged, assertTimeoutPreemptively(LIMIT, () -> answers(dir)), key + " " + Arrays.toString(flip));
                }
                finally
                {
                    flip(metadata, value + flip[0], flip[1]);
                }
            }
        }
    }

    /** The file position of the header of a document half-way through {@code cycleFile}. */
    private static long headerInTheMiddleOf(final Path dir, final Path cycleFile)
    {
        final List<Long> headers = new ArrayList<>();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build();
             ExcerptTailer tailer = queue.createTailer())
        {
            final int cycle = queue.lastCycle();
            tailer.moveToCycle(cycle);
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent() || tailer.cycle() != cycle)
                    {
                        break;
                    }
                    headers.add(dc.wire().bytes().readPosition() - 4);
                }
            }
        }
        assertTrue(headers.size() > 100, () -> cycleFile + ": " + headers.size() + " documents");
        return headers.get(headers.size() / 2);
    }

    /** The fixed set of answers, each with what its coverage says of damage; JournalException passes through. */
    private static List<String> answers(final Path dir)
    {
        final long hour1 = T0_NS + 3600 * SECOND_NS;
        final Window second = new Window(hour1 + 600 * SECOND_NS, hour1 + 4200 * SECOND_NS);
        final List<String> answers = new ArrayList<>();
        answers.add(answer(dir, Query.listing(Window.ALL)));
        answers.add(answer(dir, new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("src_addr"), 10,
            Query.By.bytes, 0, Query.NO_INSTANT)));
        answers.add(answer(dir, new Query(Window.ALL, FilterParser.ALL, GroupKey.parseList("iface,container,proto"), 0,
            Query.By.packets, 600 * SECOND_NS, Query.NO_INSTANT)));
        answers.add(answer(dir, new Query(second, FilterParser.parse("proto udp or ip 2001:db8::4"),
            GroupKey.parseList("dst_port,iface,direction"), 0, Query.By.flows, 0, Query.NO_INSTANT)));
        final JournalSummary info = JournalSummary.of(dir);
        answers.add(said(info.coverage()) + " info " + info.events() + " events, " + info.deltas() + " deltas, " +
            info.flows() + " flows, " + info.packets() + " packets, " + info.bytes() + " bytes, " + info.firstNs() + ".." +
            info.lastNs() + ", " + info.runs() + " runs, " + info.interfaces() + " " + info.containers() + "; " +
            info.coverage().describe());
        return answers;
    }

    private static String answer(final Path dir, final Query query)
    {
        final Answer answer = QueryEngine.run(dir, query, () -> false);
        final StringBuilder sb = new StringBuilder(said(answer.coverage())).append(' ').append(query).append(": ");
        for (final Object[] row : answer.rows())
        {
            sb.append(Arrays.deepToString(row)).append('\n');
        }
        return sb.append(answer.coverage().describe()).toString();
    }

    private static String said(final Coverage coverage)
    {
        return coverage.skippedEvents() != 0 || coverage.checksumFailures() != 0 || !coverage.unreadableRanges().isEmpty() ?
            "damage reported" : "intact";
    }

    /** Whether every answer that differs from the undamaged one says it read damage (one that reads none may not). */
    private static boolean differingReportDamage(final List<String> undamaged, final List<String> damaged)
    {
        for (int i = 0; i < undamaged.size(); i++)
        {
            if (!undamaged.get(i).equals(damaged.get(i)) && !damaged.get(i).startsWith("damage reported"))
            {
                return false;
            }
        }
        return true;
    }

    private static String firstDifference(final List<String> undamaged, final List<String> damaged)
    {
        for (int i = 0; i < undamaged.size(); i++)
        {
            if (!undamaged.get(i).equals(damaged.get(i)))
            {
                final String a = undamaged.get(i);
                final String b = damaged.get(i);
                int at = 0;
                while (at < Math.min(a.length(), b.length()) && a.charAt(at) == b.charAt(at))
                {
                    at++;
                }
                return "answer " + i + " at char " + at + ": " + b.substring(0, Math.min(b.length(), 100)).replace('\n', '|') +
                    " ... was " + a.substring(Math.max(0, at - 40), Math.min(a.length(), at + 60)).replace('\n', '|') +
                    " now " + b.substring(Math.max(0, at - 40), Math.min(b.length(), at + 60)).replace('\n', '|');
            }
        }
        return "?";
    }

    private static String kind(final Path dir, final Path file)
    {
        final String name = dir.relativize(file).toString();
        return name.endsWith(".cq4t") ? "metadata " + name : name.startsWith(Catalog.DIRECTORY) ? "catalog cycle file" : "cycle file";
    }

    /** Every file of the journal a flip may land in: cycle files, the catalog's, the metadata tables. */
    private static List<Path> files(final Path dir) throws IOException
    {
        try (Stream<Path> walk = Files.walk(dir))
        {
            final List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            assertTrue(files.stream().filter(p -> p.toString().endsWith(".cq4")).count() >= HOURS + 1, files::toString);
            return files;
        }
    }

    /** The file's length up to its last non-zero byte, plus a slack: flips in the zeros a writer has not reached change nothing. */
    private static long usedLength(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        int last = bytes.length - 1;
        while (last > 0 && bytes[last] == 0)
        {
            last--;
        }
        return Math.min(bytes.length, last + 1 + TAIL_SLACK);
    }

    /** Flips one bit and keeps the file's modification time, as damage on the medium does. */
    private static void flip(final Path file, final long offset, final int bit) throws IOException
    {
        final FileTime modified = Files.getLastModifiedTime(file);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(offset);
            final int b = f.read();
            f.seek(offset);
            f.write(b ^ (1 << bit));
        }
        Files.setLastModifiedTime(file, modified);
    }
}
