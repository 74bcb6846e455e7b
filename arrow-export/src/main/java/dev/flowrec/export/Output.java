package dev.flowrec.export;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The files of an export and the batch each row goes to: one file (or stream), or a hive-partitioned
 * directory ({@code host=H/date=2026-11-26/hour=13/part-0.parquet}) with rows routed by their host and the
 * hour of their last_seen (UTC). At most {@link #MAX_OPEN} partitions are open at once, each holding one
 * batch and one writer: the least recently used is closed when another opens, and a partition that opens
 * again gets its next part file. Rows arrive in time order per journal, so that rarely happens.
 */
final class Output implements AutoCloseable
{
    static final int MAX_OPEN = 8;
    private static final long HOUR_NS = 3_600_000_000_000L;

    private final ExportRequest request;
    private final Destination destination;
    private final Schema schema;
    private final Dictionaries dictionaries;
    private final Supplier<Map<String, String>> metadata;
    private final Supplier<RowBatch> newBatch;
    private final long rowGroupBytes;
    private final ParquetColumn.Scratch scratch = new ParquetColumn.Scratch();
    private final LinkedHashMap<String, Part> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Integer> partsStarted = new HashMap<>();
    private final List<Path> files = new ArrayList<>();
    private Part last;
    private int lastHost = -1;
    private long lastHour = Long.MIN_VALUE;
    private long rows;

    /** One open file: its batch, its writer and, unless streaming, the staged file under it. */
    private record Part(RowBatch batch, BatchSink sink, StagedFile file)
    {
    }

    /** @param metadata the files' key-value metadata: asked for when an Arrow file opens, and when a Parquet file ends */
    Output(final ExportRequest request, final Destination destination, final Schema schema,
        final Dictionaries dictionaries, final Supplier<RowBatch> newBatch, final Supplier<Map<String, String>> metadata)
        throws IOException
    {
        this.request = request;
        this.destination = destination;
        this.schema = schema;
        this.dictionaries = dictionaries;
        this.metadata = metadata;
        this.newBatch = newBatch;
        final int openFiles = request.partitionBy().isEmpty() ? 1 : MAX_OPEN;
        // a Parquet file holds its row group's pages on the heap: keep all open files' row groups to a quarter of it
        this.rowGroupBytes = Math.clamp(Runtime.getRuntime().maxMemory() / 4 / openFiles, 1L << 20, 128L << 20);
        if (request.partitionBy().isEmpty())
        {
            last = openPart("");
        }
    }

    /** The batch for a row of this host whose time (last_seen) is {@code timeNs}; never full. */
    RowBatch batchFor(final int hostIndex, final long timeNs) throws IOException
    {
        Part part = last;
        if (!request.partitionBy().isEmpty())
        {
            final long hour = Math.floorDiv(timeNs, HOUR_NS);
            if (part == null || hostIndex != lastHost || hour != lastHour)
            {
                final String key = partitionPath(hostIndex, hour);
                part = open.get(key);
                if (part == null)
                {
                    part = openPart(key);
                }
                last = part;
                lastHost = hostIndex;
                lastHour = hour;
            }
        }
        if (part.batch().full())
        {
            flush(part);
        }
        rows++;
        return part.batch();
    }

    long rows()
    {
        return rows;
    }

    List<Path> files()
    {
        return files;
    }

    private String partitionPath(final int hostIndex, final long hour)
    {
        final LocalDateTime time = LocalDateTime.ofEpochSecond(hour * 3600, 0, ZoneOffset.UTC);
        final StringBuilder sb = new StringBuilder();
        for (final PartitionKey key : request.partitionBy())
        {
            switch (key)
            {
                case host -> sb.append("host=").append(escape(dictionaries.host.valueAt(hostIndex)));
                case date -> sb.append("date=").append(time.toLocalDate());
                case hour -> sb.append("hour=").append(String.format("%02d", time.getHour()));
            }
            sb.append('/');
        }
        return sb.toString();
    }

    /** Hive's escaping: characters that a path or a partition value cannot hold become %XX. */
    static String escape(final String value)
    {
        final StringBuilder sb = new StringBuilder();
        for (final byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        {
            final char c = (char)(b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
            {
                sb.append(c);
            }
            else
            {
                sb.append('%').append(String.format("%02X", (int)c));
            }
        }
        return sb.isEmpty() || sb.toString().equals(".") || sb.toString().equals("..") ? "%2E" + sb : sb.toString();
    }

    private Part openPart(final String key) throws IOException
    {
        if (open.size() >= MAX_OPEN)
        {
            final Iterator<Map.Entry<String, Part>> eldest = open.entrySet().iterator();
            final Part evicted = eldest.next().getValue();
            eldest.remove();
            closePart(evicted);
        }
        final RowBatch batch = newBatch.get();
        try
        {
            final Part part = openSink(key, batch);
            open.put(key, part);
            return part;
        }
        catch (final IOException | RuntimeException ex)
        {
            batch.close();
            throw ex;
        }
    }

    private Part openSink(final String key, final RowBatch batch) throws IOException
    {
        if (destination == null)
        {
            return new Part(batch, ArrowSink.stream(batch.root(), dictionaries.provider(), request.stream()), null);
        }
        final String name = key.isEmpty() ? "" : "part-" + (partsStarted.merge(key, 1, Integer::sum) - 1) + "."
            + request.format().extension();
        final StagedFile file;
        try
        {
            file = destination.file(key, name);
        }
        catch (final IOException ex)
        {
            throw Destination.failure(key.isEmpty() ? request.out() : request.out().resolve(key).resolve(name), ex);
        }
        files.add(destination.finalPath(file));
        try
        {
            return new Part(batch, switch (request.format())
            {
                case arrow -> ArrowSink.file(batch.root(), dictionaries.provider(), file.channel(), metadata.get());
                case parquet -> new ParquetSink(schema, dictionaries, file.parquetFile(), request.compression(),
                    metadata, rowGroupBytes, scratch);
                default -> throw new IllegalArgumentException(request.format() + " is not written to files");
            }, file);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw Destination.failure(destination.finalPath(file), ex);
        }
    }

    private void flush(final Part part) throws IOException
    {
        try
        {
            part.sink().write(part.batch().seal());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw failed(part, ex);
        }
        part.batch().clear();
    }

    /** A failure to write a file, named by the file (its final path); a stream's as it came. */
    private IOException failed(final Part part, final Exception ex)
    {
        if (part.file() != null)
        {
            return Destination.failure(destination.finalPath(part.file()), ex);
        }
        if (ex instanceof IOException io)
        {
            return io;
        }
        throw (RuntimeException)ex;
    }

    /** Writes the part's last rows, ends its file and commits it. */
    private void closePart(final Part part) throws IOException
    {
        try
        {
            if (part.batch().rows() > 0)
            {
                flush(part);
            }
            try
            {
                part.sink().close();
                if (part.file() != null)
                {
                    destination.commit(part.file());
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                throw failed(part, ex);
            }
        }
        finally
        {
            part.batch().close();
        }
    }

    /** Writes what is left, commits every file and puts the export in place. */
    void finish() throws IOException
    {
        while (!open.isEmpty())
        {
            final Iterator<Part> first = open.values().iterator();
            final Part part = first.next();
            first.remove();
            closePart(part);
        }
        last = null;
        if (destination != null)
        {
            try
            {
                destination.publish();
            }
            catch (final IOException ex)
            {
                throw Destination.failure(request.out(), ex);
            }
        }
    }

    /**
     * Releases what {@link #finish} did not, after a failure: the batches and the files' writers (their buffers and
     * compressors; what they write on closing goes to temporary files, which the destination then deletes).
     */
    @Override
    public void close()
    {
        for (final Part part : open.values())
        {
            try
            {
                if (part.file() != null)
                {
                    part.sink().close();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // the failure that brought us here is the one to report
            }
            finally
            {
                part.batch().close();
            }
        }
        open.clear();
        last = null;
    }
}
