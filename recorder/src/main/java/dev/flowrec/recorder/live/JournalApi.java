package dev.flowrec.recorder.live;

import dev.flowrec.journal.text.Durations;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Column;
import dev.flowrec.query.CoverageJson;
import dev.flowrec.query.GroupKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryCancelledException;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Times;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.AmbiguousNameException;
import dev.flowrec.query.filter.FilterParser;
import dev.flowrec.query.filter.FilterSyntaxException;
import dev.flowrec.query.filter.FlowFilter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/series} and {@code GET /api/top}: the journal's history through the one query engine
 * ({@link QueryEngine}, as {@code flowrec query} and the shell ask it), on the request's virtual thread, never the
 * recorder thread. Work per request is bounded: a window of at most {@value #MAX_WINDOW_HOURS} h, at most
 * {@value #MAX_BUCKETS} buckets in a series, at most {@value #MAX_ROWS} rows answered (the rest cut, said by
 * {@code "truncated":true}), {@value #BUDGET_SECONDS} s of engine time and the recorder's heap at most
 * {@value #HEAP_SHARE} in use (then 503), and {@value #CONCURRENT} queries at once (more: 503). Parameters are strict, as {@code /traffic}'s: unknown, repeated or empty is a 400 of one line.
 */
final class JournalApi
{
    static final int MAX_WINDOW_HOURS = 24;
    static final int MAX_BUCKETS = 1440;
    static final int MAX_ROWS = 10_000;
    static final int BUDGET_SECONDS = 5;
    static final int CONCURRENT = 2;
    static final double HEAP_SHARE = 0.9;
    private static final long MAX_WINDOW_NS = TimeUnit.HOURS.toNanos(MAX_WINDOW_HOURS);
    private static final Set<String> SERIES_PARAMETERS = Set.of("since", "until", "where", "group", "interval", "top", "by");
    private static final Set<String> TOP_PARAMETERS = Set.of("since", "until", "where", "group", "top", "by");
    private static final DateTimeFormatter ISO_NANOS = new DateTimeFormatterBuilder()
        .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
        .appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);

    /** A refusal the client can fix (400) or wait out (503), with one line saying which. */
    static final class Refused extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(final int status, final String message)
        {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final Path journal;
    private final Semaphore running = new Semaphore(CONCURRENT);

    /** @param journal null: every request is 503 (no journal behind this server) */
    JournalApi(final Path journal)
    {
        this.journal = journal;
    }

    /**
     * @param series  true for {@code /api/series} (a time series: one row per bucket and group)
     * @param nowNs   what relative times ({@code -1h}) count from
     * @return the answer as one JSON document
     * @throws Refused with 400 for a bad parameter, 503 when busy or over the budget
     */
    String answer(final boolean series, final String rawQuery, final long nowNs)
    {
        final Query query = parse(series, rawQuery, nowNs);
        if (journal == null)
        {
            throw new Refused(503, "no journal behind this server");
        }
        if (!running.tryAcquire())
        {
            throw new Refused(503, "busy: " + CONCURRENT + " journal queries running; try again");
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(BUDGET_SECONDS);
        final boolean[] heapShort = new boolean[1];
        try
        {
            return render(QueryEngine.run(journal, query, () -> System.nanoTime() - deadlineNs > 0 ||
                (heapShort[0] = heapShort())));
        }
        catch (final QueryCancelledException ex)
        {
            throw new Refused(503, (heapShort[0] ? "over the recorder's heap (" + Math.round(HEAP_SHARE * 100) + "% of it in use)" :
                "over the budget of " + BUDGET_SECONDS + " s of work") + ": ask for a shorter window or a narrower filter");
        }
        catch (final AmbiguousNameException ex)
        {
            throw new Refused(400, "where: " + ex.getMessage());
        }
        finally
        {
            running.release();
        }
    }

    /**
     * The recorder runs in a small heap (128 MiB): a query's flows must not take what recording needs. Polled with the
     * engine's cancellation flag (between read batches, every 1024 steps after), so a query stops well before the heap
     * is out. Never collects: a forced collection stops the whole JVM, the recorder thread's drain included (the
     * recorder runs the serial collector). Garbage counts too, so the mark is high: over it the young generation is
     * nearly full as well and the next allocation collects it; a query refused for garbage is refused once (503), and
     * the dashboard asks again.
     */
    private static boolean heapShort()
    {
        final Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory() > (long)(runtime.maxMemory() * HEAP_SHARE);
    }

    static Query parse(final boolean series, final String rawQuery, final long nowNs)
    {
        final Map<String, String> p = parameters(rawQuery, series ? SERIES_PARAMETERS : TOP_PARAMETERS);
        final long sinceNs = time("since", p.getOrDefault("since", "-1h"), nowNs);
        final long untilNs = time("until", p.getOrDefault("until", "now"), nowNs);
        if (untilNs <= sinceNs)
        {
            throw bad("until must be after since");
        }
        if (untilNs - sinceNs > MAX_WINDOW_NS)
        {
            throw bad("the window is over " + MAX_WINDOW_HOURS + " h: ask for less");
        }
        long intervalNs = 0;
        if (series)
        {
            intervalNs = p.containsKey("interval") ? duration("interval", p.get("interval")) :
                Math.max(TimeUnit.SECONDS.toNanos(1), ceilSeconds((untilNs - sinceNs) / 60));
            if ((untilNs - sinceNs) / intervalNs > MAX_BUCKETS)
            {
                throw bad("interval: over " + MAX_BUCKETS + " buckets in the window: ask for a longer interval");
            }
        }
        final List<GroupKey> group = p.containsKey("group") ? parsed("group", p.get("group"), GroupKey::parseList) : List.of();
        final Query.By by = p.containsKey("by") ? by(p.get("by")) : Query.By.bytes;
        final int top = p.containsKey("top") ? top(p.get("top")) : series ? 0 : 10;
        return new Query(new Window(sinceNs, untilNs), filter(p.get("where")), group, top, by, intervalNs, Query.NO_INSTANT);
    }

    /** {@code {"columns":[{"name","type"}],"rows":[[...]],"truncated":false,"coverage":{...},"warnings":[...]}} */
    static String render(final Answer answer)
    {
        final Json json = new Json().beginObject().key("columns").beginArray();
        for (final Column c : answer.columns())
        {
            json.beginObject().field("name", c.name()).field("type", c.type().name().toLowerCase()).endObject();
        }
        json.endArray().key("rows").beginArray();
        final int n = Math.min(MAX_ROWS, answer.rows().size());
        for (int r = 0; r < n; r++)
        {
            final Object[] row = answer.rows().get(r);
            json.beginArray();
            for (int i = 0; i < row.length; i++)
            {
                value(json, answer.columns().get(i), row[i]);
            }
            json.endArray();
        }
        json.endArray().key("truncated").value(answer.rows().size() > MAX_ROWS);
        json.key("coverage").raw(CoverageJson.object(answer.coverage()));
        json.key("warnings").beginArray();
        answer.warnings().forEach(json::value);
        return json.endArray().endObject().toString();
    }

    /** As {@code flowrec query --format json}: times in ISO-8601 with nanoseconds, text as text, numbers as numbers. */
    private static void value(final Json json, final Column column, final Object value)
    {
        if (value == null)
        {
            json.value((String)null);
        }
        else if (column.type() == Column.Type.TIME)
        {
            json.value(ISO_NANOS.format(java.time.Instant.ofEpochSecond(0, (Long)value)));
        }
        else if (value instanceof Number number)
        {
            json.value(number.longValue());
        }
        else
        {
            json.value(String.valueOf(value));
        }
    }

    private static Map<String, String> parameters(final String rawQuery, final Set<String> known)
    {
        final Map<String, String> p = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty())
        {
            return p;
        }
        for (final String pair : rawQuery.split("&", -1))
        {
            final int eq = pair.indexOf('=');
            final String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            final String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!known.contains(name))
            {
                throw bad("unknown query parameter '" + name + "': expected " + String.join(", ", known.stream().sorted().toList()));
            }
            if (value.isBlank())
            {
                throw bad("query parameter '" + name + "' needs a value");
            }
            if (p.put(name, value) != null)
            {
                throw bad("query parameter '" + name + "' given twice");
            }
        }
        return p;
    }

    private static long time(final String name, final String text, final long nowNs)
    {
        return parsed(name, text, t -> Times.parseNs(t, nowNs));
    }

    private static long duration(final String name, final String text)
    {
        final long ns = parsed(name, text, Durations::parseNs);
        if (ns <= 0)
        {
            throw bad(name + ": must be positive: " + text);
        }
        return ns;
    }

    private static long ceilSeconds(final long ns)
    {
        final long second = TimeUnit.SECONDS.toNanos(1);
        return (ns + second - 1) / second * second;
    }

    private static Query.By by(final String text)
    {
        for (final Query.By by : Query.By.values())
        {
            if (by.name().equals(text))
            {
                return by;
            }
        }
        throw bad("by: expected bytes, packets or flows, got '" + text + "'");
    }

    private static int top(final String text)
    {
        try
        {
            final int top = Integer.parseInt(text);
            if (top >= 1 && top <= LiveView.MAX_TOP_FLOWS)
            {
                return top;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // same answer as out of range
        }
        throw bad("top: expected an integer from 1 to " + LiveView.MAX_TOP_FLOWS + ", got '" + text + "'");
    }

    private static FlowFilter filter(final String text)
    {
        if (text == null)
        {
            return FilterParser.ALL;
        }
        try
        {
            return FilterParser.parse(text);
        }
        catch (final FilterSyntaxException ex)
        {
            throw bad("where: " + ex.getMessage());
        }
    }

    private static <T> T parsed(final String name, final String text, final java.util.function.Function<String, T> parser)
    {
        try
        {
            return parser.apply(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(name + ": " + ex.getMessage());
        }
    }

    private static String decode(final String s)
    {
        try
        {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad("bad percent-encoding in query: '" + s + "'");
        }
    }

    private static Refused bad(final String message)
    {
        return new Refused(400, message.replace('\n', ' '));
    }
}
