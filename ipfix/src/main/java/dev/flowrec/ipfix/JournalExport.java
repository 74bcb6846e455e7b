package dev.flowrec.ipfix;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.query.Coverage;
import dev.flowrec.query.DeltaView;
import dev.flowrec.query.FlowFold;
import dev.flowrec.query.FlowNames;
import dev.flowrec.query.Owner;
import dev.flowrec.query.Query;
import dev.flowrec.query.Replay;
import dev.flowrec.query.Timeline;
import dev.flowrec.query.filter.FilterBinding;
import dev.flowrec.query.filter.FlowFilter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Sends the flow deltas of journals' windows to IPFIX collectors, paced: {@code flowrec export --format ipfix}. A
 * host that could not reach its collectors catches up this way; each journal is its host's observation domain
 * ({@link IpfixExporter#domainOf}), as the live export names it, so that a collector files both under one exporter.
 */
public final class JournalExport
{
    /**
     * @param records  data records sent
     * @param messages IPFIX messages sent (templates included), to each collector
     * @param hosts    each journal's host (its observation domain's name)
     * @param coverage each journal's, as a query of the window would say it
     * @param warnings of the filter's names, per journal
     */
    public record Result(long records, long messages, long sendErrors, List<String> hosts, List<Coverage> coverage,
                         List<String> warnings, long elapsedNs)
    {
    }

    private JournalExport()
    {
    }

    /**
     * @throws IllegalArgumentException for a query that is not a listing of deltas (grouped, top, at) or filters on
     *                                  totals, which single deltas do not have
     */
    public static Result run(final List<Path> journals, final Query query, final List<Collector> collectors,
        final long recordsPerSecond, final BooleanSupplier cancelled)
    {
        if (query.grouped() || query.top() != 0 || query.atNs() != Query.NO_INSTANT)
        {
            throw new IllegalArgumentException("--format ipfix sends the window's flow deltas as records: "
                + "--group-by, --top, --interval and --at do not apply");
        }
        if (query.where().usesAggregates())
        {
            throw new IllegalArgumentException("--where '" + query.where() + "' tests a flow's totals in the window "
                + "(bytes, packets, flags), which single deltas do not have: IPFIX records are deltas");
        }
        final long startNs = System.nanoTime();
        final List<String> hosts = new ArrayList<>();
        final List<Coverage> coverage = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        try (IpfixExporter exporter = new IpfixExporter(collectors, recordsPerSecond))
        {
            final Sender sender = new Sender(exporter, cancelled);
            sender.names = query.names();
            sender.inactiveNs = query.inactiveNs();
            for (final Path journal : journals)
            {
                final Timeline timeline = Timeline.of(journal, query.window());
                final String host = host(journal, timeline);
                hosts.add(host);
                final FilterBinding.Bound bound = FilterBinding.bind(query.where(), timeline.namesIn(query.window()),
                    "the window");
                bound.warnings().forEach(w -> warnings.add(host + ": " + w));
                exporter.domain(IpfixExporter.domainOf(host));
                sender.where = bound.filter();
                coverage.add(Replay.run(journal, query.window(), timeline, sender, cancelled).coverage());
                sender.flush();
            }
            return new Result(exporter.recordsSent(), exporter.messagesSent(), exporter.sendErrors(), List.copyOf(hosts),
                List.copyOf(coverage), List.copyOf(warnings), System.nanoTime() - startNs);
        }
    }

    /** The host its recorder named, else the journal directory's name (as export names hosts). */
    static String host(final Path journal, final Timeline timeline)
    {
        for (final Timeline.Run run : timeline.runs())
        {
            if (run.host() != null && !run.host().isBlank())
            {
                return run.host();
            }
        }
        return journal.toAbsolutePath().normalize().getFileName().toString();
    }

    /** Filters and adds each delta; a full message waits for its pace, then goes. */
    private static final class Sender implements FlowFold
    {
        private final IpfixExporter exporter;
        /** The query's names (--names): on, name terms of the filter are tested against them. */
        boolean names;
        /** The query's inactive timeout: a flow's deltas keep its first delta's names until it ends. */
        long inactiveNs;
        private final BooleanSupplier cancelled;
        private final DeltaView view = new DeltaView();
        FlowFilter where;

        Sender(final IpfixExporter exporter, final BooleanSupplier cancelled)
        {
            this.exporter = exporter;
            this.cancelled = cancelled;
        }

        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container)
        {
            onFlow(delta, iface, container, Owner.NONE);
        }

        @Override
        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner)
        {
            onFlow(delta, iface, container, owner, FlowNames.NONE);
        }

        /** A filter's name terms see the flow's names, as the listing and the Parquet export do. */
        @Override
        public void onFlow(final FlowDeltaDecoder delta, final String iface, final String container, final Owner owner,
            final FlowNames names)
        {
            if (!where.test(view.wrap(delta, iface, container, owner, names)))
            {
                return;
            }
            final long nowNs = System.nanoTime();
            if (!exporter.add(delta, iface, container, owner.pid(), owner.comm(), nowNs))
            {
                flush();
                exporter.add(delta, iface, container, owner.pid(), owner.comm(), System.nanoTime());
            }
        }

        /** Names only for a filter's name terms: IPFIX records carry none. */
        @Override
        public boolean wantsNames()
        {
            return names && where.usesNames();
        }

        @Override
        public long inactiveNs()
        {
            return inactiveNs;
        }

        /** Sends the message in progress once its pace allows. */
        void flush()
        {
            long delayNs;
            while ((delayNs = exporter.delayNs(System.nanoTime())) > 0 && !cancelled.getAsBoolean())
            {
                LockSupport.parkNanos(delayNs);
            }
            exporter.send(System.nanoTime());
        }
    }
}
