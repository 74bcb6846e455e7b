package dev.flowrec.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
    private final Schema schema;
    private final Dictionaries dictionaries;
    private final Map<String, String> metadata;
    private final Supplier<RowBatch> newBatch;
    private final long rowGroupBytes;
    private final LinkedHashMap<String, Part> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Integer> partsStarted = new HashMap<>();
    private final List<Path> files = new ArrayList<>();
    private Part last;
    private int lastHost = -1;
    private long lastHour = Long.MIN_VALUE;
    private long rows;

    private record Part(RowBatch batch, BatchSink sink)
    {
    }

    Output(final ExportRequest request, final Schema schema, final Dictionaries dictionaries,
        final Supplier<RowBatch> newBatch) throws IOException
    {
        this.request = request;
        this.schema = schema;
        this.dictionaries = dictionaries;
        this.metadata = schema.getCustomMetadata();
        this.newBatch = newBatch;
        final int openFiles = request.partitionBy().isEmpty() ? 1 : MAX_OPEN;
        // parquet-java buffers a row group on the heap: keep all open files' row groups to a quarter of it
        this.rowGroupBytes = Math.clamp(Runtime.getRuntime().maxMemory() / 4 / openFiles, 1L << 20, 128L << 20);
        if (request.out() != null && !request.partitionBy().isEmpty())
        {
            final Path dir = request.out();
            if (Files.isDirectory(dir))
            {
                try (var entries = Files.list(dir))
                {
                    if (entries.findAny().isPresent())
                    {
                        throw new IOException("output directory " + dir + " is not empty: a partitioned export writes a new directory");
                    }
                }
            }
            else if (Files.exists(dir))
            {
                throw new IOException("output " + dir + " exists and is not a directory (a partitioned export writes a directory)");
            }
            Files.createDirectories(dir);
        }
        else
        {
            if (request.out() != null && Files.isDirectory(request.out()))
            {
                throw new IOException("output " + request.out() + " is a directory: give a file name, or --partition-by");
            }
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
        final BatchSink sink;
        try
        {
            sink = openSink(key, batch);
        }
        catch (final IOException | RuntimeException ex)
        {
            batch.close();
            throw ex;
        }
        final Part part = new Part(batch, sink);
        open.put(key, part);
        return part;
    }

    private BatchSink openSink(final String key, final RowBatch batch) throws IOException
    {
        if (request.out() == null)
        {
            return ArrowSink.stream(batch.root(), dictionaries.provider(), request.stream());
        }
        final Path path;
        if (key.isEmpty())
        {
            path = request.out();
            final Path parent = path.toAbsolutePath().getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
        }
        else
        {
            final int n = partsStarted.merge(key, 1, Integer::sum) - 1;
            final Path dir = request.out().resolve(key);
            Files.createDirectories(dir);
            path = dir.resolve("part-" + n + "." + request.format().extension());
        }
        files.add(path);
        return switch (request.format())
        {
            case arrow -> ArrowSink.file(batch.root(), dictionaries.provider(), path, metadata);
            case parquet -> new ParquetSink(schema, dictionaries, path, request.compression(), () -> metadata, rowGroupBytes);
        };
    }

    private static void flush(final Part part) throws IOException
    {
        part.sink().write(part.batch().seal());
        part.batch().clear();
    }

    private static void closePart(final Part part) throws IOException
    {
        try
        {
            if (part.batch().rows() > 0)
            {
                flush(part);
            }
            part.sink().close();
        }
        finally
        {
            part.batch().close();
        }
    }

    /** Writes what is left and closes every file. */
    @Override
    public void close() throws IOException
    {
        IOException failure = null;
        for (final Part part : open.values())
        {
            try
            {
                closePart(part);
            }
            catch (final IOException | UncheckedIOException ex)
            {
                if (failure == null)
                {
                    failure = ex instanceof IOException io ? io : ((UncheckedIOException)ex).getCause();
                }
            }
        }
        open.clear();
        last = null;
        if (failure != null)
        {
            throw failure;
        }
    }
}
