package dev.flowrec.export;

import dev.flowrec.query.Query;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What to export and where. Start from {@link #toFile} or {@link #toStream} and adjust with the {@code with*} methods:
 * <pre>{@code
 * ExportResult r = Exporter.run(ExportRequest.toFile(List.of(journal), query, Path.of("flows.parquet"), ExportFormat.parquet));
 * }</pre>
 *
 * @param journals    journal directories, one per host; rows carry the host named in each journal
 * @param query       the window, filter and fold: a plain listing exports deltas as journaled (streamed);
 *                    --group-by, --top, --interval or --at export the engine's answer
 * @param out         the file, or the directory when partitioned; null when writing to {@code stream}
 * @param stream      where an Arrow IPC stream goes when {@code out} is null (not closed by the export)
 * @param format      Arrow IPC or Parquet
 * @param partitionBy hive partition levels, empty for one file
 * @param compression Parquet page compression; Arrow IPC must be {@link Compression#none}
 * @param commandLine recorded in the metadata as {@code flowrec.query}
 * @param progress    told of rows written
 * @param cancelled   polled between read batches
 * @param force       whether an existing output (a file, or a directory holding a previous partitioned export) is replaced
 */
public record ExportRequest(List<Path> journals, Query query, Path out, OutputStream stream, ExportFormat format,
                            List<PartitionKey> partitionBy, Compression compression, String commandLine,
                            ExportProgress progress, BooleanSupplier cancelled, boolean force)
{
    public ExportRequest
    {
        journals = List.copyOf(journals);
        partitionBy = List.copyOf(partitionBy);
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(compression, "compression");
        if (format == ExportFormat.ipfix)
        {
            throw new IllegalArgumentException("IPFIX is sent to a collector (--out udp://HOST:PORT), not written to a file");
        }
        if (journals.isEmpty())
        {
            throw new IllegalArgumentException("no journal to export");
        }
        if ((out == null) == (stream == null))
        {
            throw new IllegalArgumentException("export to a file or to a stream, exactly one");
        }
        if (stream != null && (format != ExportFormat.arrow || !partitionBy.isEmpty()))
        {
            throw new IllegalArgumentException("only an unpartitioned Arrow IPC stream can be written to standard output");
        }
        if (format == ExportFormat.arrow && compression != Compression.none)
        {
            throw new IllegalArgumentException("Arrow IPC is written uncompressed (not every reader decodes compressed "
                + "IPC bodies): use --compression none, or --format parquet for " + compression);
        }
    }

    /** A file (or, once partitioned, a directory); Parquet is zstd-compressed. */
    public static ExportRequest toFile(final List<Path> journals, final Query query, final Path out, final ExportFormat format)
    {
        return new ExportRequest(journals, query, out, null, format, List.of(),
            format == ExportFormat.parquet ? Compression.zstd : Compression.none, "", ExportProgress.NONE, () -> false, false);
    }

    /** An Arrow IPC stream. */
    public static ExportRequest toStream(final List<Path> journals, final Query query, final OutputStream stream)
    {
        return new ExportRequest(journals, query, null, stream, ExportFormat.arrow, List.of(), Compression.none, "",
            ExportProgress.NONE, () -> false, false);
    }

    public ExportRequest withPartitionBy(final List<PartitionKey> keys)
    {
        return new ExportRequest(journals, query, out, stream, format, keys, compression, commandLine, progress,
            cancelled, force);
    }

    public ExportRequest withCompression(final Compression codec)
    {
        return new ExportRequest(journals, query, out, stream, format, partitionBy, codec, commandLine, progress,
            cancelled, force);
    }

    public ExportRequest withCommandLine(final String text)
    {
        return new ExportRequest(journals, query, out, stream, format, partitionBy, compression, text, progress,
            cancelled, force);
    }

    public ExportRequest withProgress(final ExportProgress listener)
    {
        return new ExportRequest(journals, query, out, stream, format, partitionBy, compression, commandLine,
            listener, cancelled, force);
    }

    public ExportRequest withCancelled(final BooleanSupplier supplier)
    {
        return new ExportRequest(journals, query, out, stream, format, partitionBy, compression, commandLine,
            progress, supplier, force);
    }

    public ExportRequest withForce(final boolean replace)
    {
        return new ExportRequest(journals, query, out, stream, format, partitionBy, compression, commandLine,
            progress, cancelled,
            replace);
    }

    /** Whether the deltas are exported as journaled (streamed) rather than the engine's answer. */
    public boolean streamsDeltas()
    {
        return !query.grouped() && query.top() == 0 && query.atNs() == Query.NO_INSTANT;
    }
}
