package dev.flowrec.export;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.query.Answer;
import dev.flowrec.query.Column;
import dev.flowrec.query.Coverage;
import dev.flowrec.query.DeltaView;
import dev.flowrec.query.Owner;
import dev.flowrec.query.QueryCancelledException;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.Replay;
import dev.flowrec.query.Timeline;
import dev.flowrec.query.Window;
import dev.flowrec.query.filter.FilterBinding;
import dev.flowrec.query.filter.FlowFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Exports journals as Arrow IPC or Parquet.
 * <p>
 * A plain listing exports the deltas as journaled, one row each, streamed: a replay folds each delta that
 * passes the window and the filter into an Arrow record batch, written out when it holds
 * {@link #BATCH_ROWS} rows, so memory is bounded by the batch (and Parquet's row group), not the journal.
 * The export is a snapshot: each journal is read up to its end as it stood when the export started
 * ({@link Replay#end}), so deltas a live recorder appends meanwhile are not exported. An Arrow IPC stream, and a
 * partitioned export, read each journal twice: a first pass learns what the files must say up front, the interface
 * and container names (a stream writes each dictionary once, before the first batch), the number of deltas (a
 * progress bar's total) and the coverage (metadata); a single Parquet or Arrow IPC file is written in one pass. A filter on a flow's totals ({@code bytes},
 * {@code packets}, {@code flags}) cannot be applied to a stream of deltas and is refused: group the flows.
 * <p>
 * With --group-by, --top, --interval or --at, the engine's answer for each journal is exported instead
 * (bounded by the number of groups or flows). Several journals make one dataset with a {@code host} column.
 */
public final class Exporter
{
    public static final int BATCH_ROWS = 65_536;
    private static final long PROGRESS_PERIOD_NS = 200_000_000L;

    private Exporter()
    {
    }

    /**
     * @throws IllegalArgumentException for a request the export cannot honour (an aggregate filter on deltas,
     *                                  partitioning an answer by time it does not have)
     * @throws IOException              when an output cannot be written
     */
    public static ExportResult run(final ExportRequest request) throws IOException
    {
        return run(request, false);
    }

    /** @param twoPass survey each journal first even when the format does not need it (the benchmark's A/B) */
    static ExportResult run(final ExportRequest request, final boolean twoPass) throws IOException
    {
        return run(request, twoPass, true);
    }

    /** @param pipelined write full batches on a second thread (off: on the replay's, the benchmark's A/B) */
    static ExportResult run(final ExportRequest request, final boolean twoPass, final boolean pipelined) throws IOException
    {
        final long startNs = System.nanoTime();
        if (request.streamsDeltas() && request.query().where().usesAggregates())
        {
            throw new IllegalArgumentException("--where '" + request.query().where() + "' tests a flow's totals in the "
                + "window (bytes, packets, flags), which an export of single deltas cannot apply as it streams: add "
                + "--group-by (e.g. --group-by conversation) to export summed flows, or filter the exported deltas afterwards");
        }
        final List<String> hosts = HostNames.of(request.journals());
        try (Destination destination = request.out() == null ? null : Destination.prepare(request.out(),
                !request.partitionBy().isEmpty(), request.force(), request.journals());
            BufferAllocator allocator = new RootAllocator(); Dictionaries dictionaries = new Dictionaries(allocator))
        {
            final int[] hostIndex = new int[hosts.size()];
            for (int j = 0; j < hosts.size(); j++)
            {
                hostIndex[j] = dictionaries.host.indexOf(hosts.get(j));
            }
            final Run run = request.streamsDeltas() ?
                deltas(request, twoPass || surveys(request), pipelined, destination, hosts, hostIndex, allocator, dictionaries) :
                answers(request, pipelined, destination, hosts, hostIndex, allocator, dictionaries);
            boolean complete = true;
            final List<String> coverage = new ArrayList<>();
            for (int j = 0; j < hosts.size(); j++)
            {
                complete &= run.coverage.get(j).complete();
                coverage.add(run.coverage.get(j).describe());
            }
            final List<String> warnings = new ArrayList<>();
            for (int j = 0; j < hosts.size(); j++)
            {
                for (final String w : run.warnings.get(j))
                {
                    warnings.add(hosts.get(j) + ": " + w);
                }
            }
            return new ExportResult(run.rows, List.copyOf(run.files), List.copyOf(hosts), coverage, complete,
                System.nanoTime() - startNs, List.copyOf(warnings));
        }
        finally
        {
            request.progress().done(0);
        }
    }

    /** @param warnings per journal, in order */
    private record Run(long rows, List<Path> files, List<Coverage> coverage, List<List<String>> warnings)
    {
    }

    private static Run deltas(final ExportRequest request, final boolean survey, final boolean pipelined,
        final Destination destination,
        final List<String> hosts, final int[] hostIndex, final BufferAllocator allocator, final Dictionaries dictionaries)
        throws IOException
    {
        final int journals = hosts.size();
        final long[] end = new long[journals];
        final List<Coverage> coverage = new ArrayList<>();
        final Timeline[] timelines = new Timeline[journals];
        final FlowFilter[] filters = new FlowFilter[journals];
        final List<List<String>> warnings = new ArrayList<>();
        long total = survey ? 0 : -1;
        for (int j = 0; j < journals; j++)
        {
            final Path dir = request.journals().get(j);
            timelines[j] = Timeline.of(dir, request.query().window());
            final FilterBinding.Bound bound = FilterBinding.bind(request.query().where(),
                timelines[j].namesIn(request.query().window()), "the window");
            filters[j] = bound.filter();
            warnings.add(bound.warnings());
            end[j] = Replay.end(dir);
            if (survey)
            {
                final Replay.Result surveyed = Replay.runUntil(dir, request.query().window(), timelines[j],
                    new Survey(dictionaries, request.query().names(), request.query().inactiveNs()), request.cancelled(),
                    end[j]);
                total += surveyed.deltasFolded();
                coverage.add(surveyed.coverage());
            }
        }
        final boolean withHost = !request.partitionBy().contains(PartitionKey.host);
        final Schema schema = FlowSchema.deltas(dictionaries, withHost, ExportMetadata.of(request, hosts, coverage, "deltas"));
        final List<Coverage> bounds = survey ? coverage : bounds(timelines, request.query().window());
        final DeltaFold fold = new DeltaFold(request, total);
        try (Output output = new Output(request, destination, schema, dictionaries,
            () -> new DeltaBatch(schema, dictionaries, allocator, BATCH_ROWS),
            () -> ExportMetadata.of(request, hosts, coverage.size() == journals ? coverage : bounds, "deltas"), pipelined))
        {
            fold.output = output;
            for (int j = 0; j < journals; j++)
            {
                fold.start(hostIndex[j], filters[j]);
                final Replay.Result replayed = Replay.runUntil(request.journals().get(j), request.query().window(),
                    timelines[j], fold, fold::stop, end[j]);
                if (fold.failure != null)
                {
                    if (destination != null && request.cancelled().getAsBoolean())
                    {
                        // Ctrl-C interrupts a wait for the writer thread: a cancel, not a failure to write
                        throw new IOException("cancelled: nothing written to " + request.out(), fold.failure);
                    }
                    throw fold.failure;
                }
                if (!survey)
                {
                    coverage.add(replayed.coverage());
                }
            }
            request.progress().onRows(output.rows(), total, fold.lastNs);
            final long rows = output.rows();
            if (destination != null && request.cancelled().getAsBoolean())
            {
                throw new IOException("cancelled: nothing written to " + request.out());
            }
            output.finish();
            return new Run(rows, output.files(), coverage, warnings);
        }
    }

    /**
     * Whether an export of deltas reads each journal twice, a survey first: an Arrow IPC stream writes every
     * dictionary's values and its metadata before the first batch, and a partitioned export may close a file before the
     * last journal is read, with the whole export's coverage in its metadata. A single file needs neither: Parquet's
     * dictionaries are per column chunk and its metadata is written last, an Arrow IPC file's dictionaries and footer
     * come after its batches (and its schema message is rewritten at the end, {@link ArrowFileSink}); both passes end
     * at the journal's end as it stood at the start.
     */
    private static boolean surveys(final ExportRequest request)
    {
        return !request.partitionBy().isEmpty() || request.out() == null;
    }

    /**
     * What each journal's coverage can say at most, but for damaged ranges: its known gaps, every counter at its
     * longest. The metadata asked for before the pass has ended, so that an Arrow file's schema message keeps room for
     * the final one.
     */
    private static List<Coverage> bounds(final Timeline[] timelines, final Window window)
    {
        final List<Coverage> bounds = new ArrayList<>();
        for (final Timeline timeline : timelines)
        {
            bounds.add(new Coverage(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
                Long.MAX_VALUE, List.of(), timeline.gapsIn(window)));
        }
        return bounds;
    }

    /**
     * The first pass: the names the files' dictionaries must hold before the first batch.
     * @param wantsNames whether the export names addresses (the query's names, off: empty src_name and dst_name)
     * @param inactiveNs the query's inactive timeout: a flow's deltas keep its first delta's names until it ends
     */
    private record Survey(Dictionaries dictionaries, boolean wantsNames, long inactiveNs)
        implements dev.flowrec.query.FlowFold
    {
        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container)
        {
            onFlow(delta, iface, container, Owner.NONE);
        }

        @Override
        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner)
        {
            onFlow(delta, iface, container, owner, dev.flowrec.query.FlowNames.NONE);
        }

        @Override
        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner,
            final dev.flowrec.query.FlowNames names)
        {
            dictionaries.iface.indexOf(iface);
            dictionaries.container.indexOf(container);
            dictionaries.comm.indexOf(owner.comm());
            dictionaries.names.indexOf(names.srcName());
            dictionaries.names.indexOf(names.dstName());
        }

    }

    /** The streaming fold: filter, route, append; a full batch is written by {@link Output#batchFor}. */
    private static final class DeltaFold implements dev.flowrec.query.FlowFold
    {
        private FlowFilter where;
        private final BooleanSupplier cancelled;
        private final ExportProgress progress;
        private final long total;
        private final DeltaView view = new DeltaView();
        private final boolean names;
        private final long inactiveNs;
        Output output;
        IOException failure;
        long lastNs;
        private int host;
        private long nextProgressNs;

        DeltaFold(final ExportRequest request, final long total)
        {
            this.names = request.query().names();
            this.inactiveNs = request.query().inactiveNs();
            this.cancelled = request.cancelled();
            this.progress = request.progress();
            this.total = total;
        }

        /** @param where the filter bound to this journal's window */
        void start(final int hostIndex, final FlowFilter where)
        {
            this.where = where;
            host = hostIndex;
        }

        boolean stop()
        {
            return failure != null || cancelled.getAsBoolean();
        }

        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container)
        {
            onFlow(delta, iface, container, Owner.NONE);
        }

        @Override
        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner)
        {
            onFlow(delta, iface, container, owner, dev.flowrec.query.FlowNames.NONE);
        }

        @Override
        public boolean wantsNames()
        {
            return names;
        }

        @Override
        public long inactiveNs()
        {
            return inactiveNs;
        }

        @Override
        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner,
            final dev.flowrec.query.FlowNames names)
        {
            if (failure != null)
            {
                return;
            }
            if (!where.test(view.wrap(delta, iface, container, owner, names)))
            {
                return;
            }
            try
            {
                final DeltaBatch batch = (DeltaBatch)output.batchFor(host, delta.lastNs());
                final Dictionaries d = batch.dictionaries();
                batch.append(delta, host, d.iface.indexOf(iface), d.container.indexOf(container), owner.pid(),
                    d.comm.indexOf(owner.comm()), d.names.indexOf(names.srcName()), d.names.indexOf(names.dstName()));
            }
            catch (final IOException ex)
            {
                failure = ex;
                return;
            }
            catch (final UncheckedIOException ex)
            {
                failure = ex.getCause();
                return;
            }
            if ((output.rows() & 4095) == 0)
            {
                final long now = System.nanoTime();
                if (now >= nextProgressNs)
                {
                    nextProgressNs = now + PROGRESS_PERIOD_NS;
                    lastNs = delta.lastNs();
                    progress.onRows(output.rows(), total, lastNs);
                }
            }
        }
    }

    private static Run answers(final ExportRequest request, final boolean pipelined, final Destination destination,
        final List<String> hosts,
        final int[] hostIndex, final BufferAllocator allocator, final Dictionaries dictionaries) throws IOException
    {
        final List<Answer> answers = new ArrayList<>();
        final List<Coverage> coverage = new ArrayList<>();
        final List<List<String>> warnings = new ArrayList<>();
        long total = 0;
        for (final Path dir : request.journals())
        {
            final Answer answer;
            try
            {
                answer = QueryEngine.run(dir, request.query(), request.cancelled());
            }
            catch (final QueryCancelledException ex)
            {
                throw new IOException("cancelled: nothing written to " + request.out(), ex);
            }
            answers.add(answer);
            coverage.add(answer.coverage());
            warnings.add(answer.warnings());
            total += answer.rows().size();
        }
        final List<Column> columns = answers.getFirst().columns();
        final int timeColumn = timeColumn(columns);
        final boolean byTime = request.partitionBy().contains(PartitionKey.date) || request.partitionBy().contains(PartitionKey.hour);
        if (byTime && timeColumn < 0)
        {
            throw new IllegalArgumentException("--partition-by date or hour needs a time in each row: export deltas "
                + "(no --group-by), or add --interval to a grouped export");
        }
        final boolean withHost = !request.partitionBy().contains(PartitionKey.host);
        final Schema schema = FlowSchema.answer(dictionaries, columns, withHost,
            ExportMetadata.of(request, hosts, coverage, request.query().grouped() ? "groups" : "flows"));
        try (Output output = new Output(request, destination, schema, dictionaries,
            () -> new AnswerBatch(schema, allocator, BATCH_ROWS), schema::getCustomMetadata, pipelined))
        {
            for (int j = 0; j < answers.size(); j++)
            {
                for (final Object[] row : answers.get(j).rows())
                {
                    final long timeNs = timeColumn < 0 ? 0 : (Long)row[timeColumn];
                    ((AnswerBatch)output.batchFor(hostIndex[j], timeNs)).append(hostIndex[j], row);
                }
                request.progress().onRows(output.rows(), total, 0);
            }
            final long rows = output.rows();
            if (destination != null && request.cancelled().getAsBoolean())
            {
                throw new IOException("cancelled: nothing written to " + request.out());
            }
            output.finish();
            return new Run(rows, output.files(), coverage, warnings);
        }
    }

    /** The column a row is routed to a date/hour partition by: last_seen of a flow, or the bucket of a series. */
    private static int timeColumn(final List<Column> columns)
    {
        int time = -1;
        for (int i = 0; i < columns.size(); i++)
        {
            if (columns.get(i).name().equals("last_seen"))
            {
                return i;
            }
            if (columns.get(i).name().equals("time"))
            {
                time = i;
            }
        }
        return time;
    }
}
