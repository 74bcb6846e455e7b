package dev.flowrec.query.cli;

import dev.flowrec.export.Compression;
import dev.flowrec.export.ExportFormat;
import dev.flowrec.export.ExportProgress;
import dev.flowrec.export.ExportRequest;
import dev.flowrec.export.ExportResult;
import dev.flowrec.export.Exporter;
import dev.flowrec.export.IncrementalLake;
import dev.flowrec.export.PartitionKey;
import dev.flowrec.query.Query;
import dev.flowrec.query.chart.ChartFile;
import dev.flowrec.query.filter.AmbiguousNameException;
import dev.flowrec.syscall.Libc;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Exports flows of one or more journals (one per host) as Arrow IPC or Parquet for pandas, DuckDB or Spark.",
        "--format ipfix --out udp://HOST:PORT sends the window's deltas to an IPFIX collector, paced.",
        "Without --group-by/--top/--interval/--at: every delta of the window that passes --where, streamed in bounded "
            + "memory. With them: the query's answer. Several journals make one dataset with a host column.",
        "Schema and metadata: README.md, section export (Arrow, Parquet)."})
public final class ExportCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory to read; repeat for several hosts (default: ./${DEFAULT-VALUE}, as record writes).")
    List<Path> journals;

    @Option(names = "--out", paramLabel = "PATH", required = true,
        description = "Output file; a directory with --partition-by; '-' for an Arrow IPC stream on stdout. Written "
            + "to a temporary file beside it and renamed into place when complete, with the journal's file mode; never "
            + "through a symbolic link; its directory must exist.")
    String out;

    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = FormatNames.class,
        description = "arrow (IPC file, Feather v2), parquet, ipfix (to --out udp://HOST:PORT), or a chart of a series or "
            + "grouped answer: png or svg (default: from --out's extension: .arrow, .feather, .ipc, .parquet, .pq, .png, "
            + ".svg; else parquet). "
            + "An extension of another format (.csv, .json, ...) is refused.")
    String formatName;

    private ExportFormat format;

    @Option(names = "--force",
        description = "Replace an existing output file (or a directory holding a previous partitioned export); "
            + "without it, an existing output is refused and left untouched.")
    boolean force;

    @Mixin
    QueryOptions options;

    @Option(names = "--partition-by", paramLabel = "KEYS",
        description = "Hive-partitioned directory by any of host, date, hour (of last_seen, UTC), e.g. host,date,hour.")
    String partitionBy;

    @Option(names = "--compression", paramLabel = "CODEC",
        description = "Parquet page compression: zstd (default), snappy or none. Arrow IPC is uncompressed.")
    Compression compression;

    @Option(names = "--incremental",
        description = "With --partition-by ...,date,hour: keep the directory --out up to date as a lake, writing only the "
            + "hours complete in the journals and absent from it, each partition renamed into place whole; a second run "
            + "writes nothing new.")
    boolean incremental;

    @Option(names = "--ipfix-rate", paramLabel = "N",
        description = "With --format ipfix: records per second at most (default: 50000; 0: unpaced).")
    Long ipfixRate;

    public Integer call() throws Exception
    {
        final Query query = options.toQuery(spec.commandLine(), Clock.nowNs());
        format = formatName == null || chartKind(formatName, out) != null ? null : switch (formatName)
        {
            case "arrow" -> ExportFormat.arrow;
            case "parquet" -> ExportFormat.parquet;
            case "ipfix" -> ExportFormat.ipfix;
            default -> throw new ParameterException(spec.commandLine(),
                "--format " + formatName + ": expected arrow, parquet, ipfix, png or svg");
        };
        final ChartFile.Kind chart = chartKind(formatName, out);
        if (chart != null && out.regionMatches(true, 0, "udp://", 0, 6))
        {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is a collector: use --format ipfix (or a file for "
                + chart + ")");
        }
        if (format == ExportFormat.ipfix || out.regionMatches(true, 0, "udp://", 0, 6) || ipfixRate != null)
        {
            return IpfixOut.send(spec.commandLine(), journals, query, out, format, ipfixRate,
                partitionBy != null || compression != null || force);
        }
        if (chart != null)
        {
            return ChartExport.write(spec.commandLine(), journals, query, Path.of(out), chart, force);
        }
        final boolean toStdout = out.equals("-");
        final List<PartitionKey> partitions;
        try
        {
            partitions = partitionBy == null ? List.of() : PartitionKey.parseList(partitionBy);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), "--partition-by: " + ex.getMessage());
        }
        final ExportFormat chosen = toStdout ? (format != null ? format : ExportFormat.arrow) : formatOf(out, format);
        if (toStdout && chosen != ExportFormat.arrow)
        {
            throw new ParameterException(spec.commandLine(), "--out - writes an Arrow IPC stream: Parquet needs a file");
        }
        if (toStdout && !partitions.isEmpty())
        {
            throw new ParameterException(spec.commandLine(), "--partition-by needs a directory, not --out -");
        }
        final Compression codec = compression != null ? compression :
            chosen == ExportFormat.parquet ? Compression.zstd : Compression.none;
        final PrintStream stdout = System.out;
        final OutputStream stream = toStdout ? new BufferedOutputStream(stdout, 1 << 16) : null;
        final ExportRequest request;
        try
        {
            request = new ExportRequest(journals, query, toStdout ? null : Path.of(out), stream, chosen, partitions, codec,
                "flowrec " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                ProgressBar.onStderr(), () -> Thread.currentThread().isInterrupted(), force);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        if (incremental)
        {
            return incremental(request);
        }
        final ExportResult result = exported(request);
        if (stream != null)
        {
            stream.flush();
        }
        final var err = spec.commandLine().getErr();
        QueryOptions.warn(spec.commandLine(), result.warnings());
        if (!result.complete())
        {
            for (int i = 0; i < result.hosts().size(); i++)
            {
                err.println("flowrec export: warning: " + result.hosts().get(i) + ": " + result.coverage().get(i));
            }
        }
        if (result.hosts().stream().anyMatch(host -> host.contains("#")))
        {
            err.println("flowrec export: journals that name the same host are exported as distinct hosts: "
                + String.join(", ", result.hosts()));
        }
        if (!toStdout)
        {
            err.printf(Locale.ROOT, "flowrec export: %s to %s (%d file%s) in %.1f s%n",
                AnswerWriter.rows((int)Math.min(Integer.MAX_VALUE, result.rows())), out,
                result.files().size(), result.files().size() == 1 ? "" : "s", result.elapsedNs() / 1e9);
        }
        err.flush();
        return 0;
    }

    /** The chart --format names, or --out's extension (.png, .svg) when --format names none; null: not a chart. */
    private ChartFile.Kind chartKind(final String given, final String path)
    {
        if (given != null)
        {
            return "png".equals(given) ? ChartFile.Kind.png : "svg".equals(given) ? ChartFile.Kind.svg : null;
        }
        final String lower = path.toLowerCase(Locale.ROOT);
        return lower.endsWith(".png") ? ChartFile.Kind.png : lower.endsWith(".svg") ? ChartFile.Kind.svg : null;
    }

    /** What --format completes to. */
    static final class FormatNames extends java.util.ArrayList<String>
    {
        FormatNames()
        {
            super(List.of("arrow", "parquet", "ipfix", "png", "svg"));
        }
    }

    /**
     * The format of a file: --format, else its extension's (parquet when it has none known); an extension that names
     * another format, or one --format contradicts, is refused rather than written as something else.
     */
    private ExportFormat formatOf(final String path, final ExportFormat given)
    {
        final String name = path.substring(path.lastIndexOf('/') + 1);
        final int dot = name.lastIndexOf('.');
        final String extension = dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        final ExportFormat implied = switch (extension)
        {
            case "arrow", "feather", "ipc" -> ExportFormat.arrow;
            case "parquet", "pq" -> ExportFormat.parquet;
            case "png", "svg" -> throw new ParameterException(spec.commandLine(), "--out " + path + " names ."
                + extension + " (a chart) but --format is " + given + ": make them agree");
            case "csv", "tsv", "txt", "json", "jsonl", "ndjson" -> throw new ParameterException(spec.commandLine(),
                "--out " + path + ": export writes Arrow IPC or Parquet, not ." + extension + " (for ."
                + extension + ": flowrec query --format " + (extension.startsWith("j") || extension.equals("ndjson") ?
                "json" : "csv") + " > " + name + ")");
            default -> null;
        };
        if (given != null && implied != null && given != implied)
        {
            throw new ParameterException(spec.commandLine(), "--out " + path + " names ." + extension + " (" + implied
                + ") but --format is " + given + ": make them agree");
        }
        return given != null ? given : implied != null ? implied : ExportFormat.parquet;
    }

    /** --incremental: the hours the lake lacks; says what it wrote. */
    private int incremental(final ExportRequest request) throws IOException
    {
        if (request.out() == null || force)
        {
            throw new ParameterException(spec.commandLine(), "--incremental keeps a directory up to date: give --out DIR, "
                + "without --force");
        }
        final IncrementalLake.Result result;
        try
        {
            result = IncrementalLake.run(request, Clock.nowNs());
        }
        catch (final AmbiguousNameException ex)
        {
            throw new ParameterException(spec.commandLine(), "--where: " + ex.getMessage(), ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final var err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "flowrec export: %d partition%s written (%d rows), %d complete hour%s already in %s, "
            + "%d hour%s not complete yet, in %.1f s%n", result.written().size(), result.written().size() == 1 ? "" : "s",
            result.rows(), result.present(), result.present() == 1 ? "" : "s", out, result.pending(),
            result.pending() == 1 ? "" : "s", result.elapsedNs() / 1e9);
        result.written().forEach(p -> err.println("  " + p));
        err.flush();
        return 0;
    }

    /** Exports; a container prefix of --where that begins several containers' ids is a usage error (exit 2). */
    private ExportResult exported(final ExportRequest request) throws IOException
    {
        try
        {
            return Exporter.run(request);
        }
        catch (final AmbiguousNameException ex)
        {
            throw new ParameterException(spec.commandLine(), "--where: " + ex.getMessage(), ex);
        }
    }

    /** A one-line bar on stderr, redrawn in place, only when stderr is a terminal. */
    static final class ProgressBar implements ExportProgress
    {
        private static final int WIDTH = 30;
        private final PrintStream err = System.err;
        private final long startNs = System.nanoTime();
        private boolean drawn;

        static ExportProgress onStderr()
        {
            return stderrIsTerminal() ? new ProgressBar() : ExportProgress.NONE;
        }

        public void onRows(final long rows, final long totalRows, final long timeNs)
        {
            final double seconds = Math.max(1e-3, (System.nanoTime() - startNs) / 1e9);
            final StringBuilder line = new StringBuilder("\rexport ");
            if (totalRows > 0)
            {
                final double done = Math.min(1.0, (double)rows / totalRows);
                final int filled = (int)(done * WIDTH);
                line.append('[').append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3.0f%% ", done * 100));
            }
            line.append(String.format(Locale.ROOT, "%,d rows  %,.0f rows/s", rows, rows / seconds));
            if (timeNs != 0)
            {
                line.append("  at ").append(AnswerWriter.isoTime(timeNs), 0, 19);
            }
            line.append("\u001b[K");
            err.print(line);
            err.flush();
            drawn = true;
        }

        public void done(final long rows)
        {
            if (drawn)
            {
                err.print("\r\u001b[K");
                err.flush();
                drawn = false;
            }
        }

        /** isatty(2) through the C library: System.console() speaks for stdin and stdout, not stderr. */
        private static boolean stderrIsTerminal()
        {
            try
            {
                return Libc.isatty(2);
            }
            catch (final Throwable ex)
            {
                return System.console() != null && System.console().isTerminal();
            }
        }
    }
}
