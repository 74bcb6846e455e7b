package dev.flowrec.export;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The files of an export and the batch each row goes to: one file (or stream), or a hive-partitioned
 * directory ({@code host=H/date=2026-11-26/hour=13/part-0.parquet}) with rows routed by their host and the
 * hour of their last_seen (UTC). At most {@link #MAX_OPEN} partitions are open at once, each holding one
 * batch and one writer: the least recently used is closed when another opens, and a partition that opens
 * again gets its next part file. Rows arrive in time order per journal, so that rarely happens.
 * <p>
 * An export to one file or stream is pipelined: a full batch is sealed and written (Parquet's page encoding and
 * compression, Arrow's IPC write) on a second thread while the replay fills a second batch; the two batches swap, so
 * nothing is allocated per row, and the replay waits only when the writer is a whole batch behind. The writer thread
 * reads the dictionaries the replay grows: a value's bytes are in place before the batch naming it is handed over.
 * A partitioned export writes on the replay's thread (a second batch for each of its open files would double them).
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
    /** The thread full batches are written on; null when they are written on the caller's. */
    private final ExecutorService writer;
    private final LinkedHashMap<String, Part> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Integer> partsStarted = new HashMap<>();
    private final List<Path> files = new ArrayList<>();
    private Part last;
    private int lastHost = -1;
    private long lastHour = Long.MIN_VALUE;
    private long rows;

    /**
     * One open file: the batch being filled, its writer and, unless streaming, the staged file under it; pipelined, the
     * other batch ({@code spare}, null until the first is full) and its write under way.
     */
    private static final class Part
    {
        private final BatchSink sink;
        private final StagedFile file;
        private RowBatch batch;
        private RowBatch spare;
        private Future<?> writing;

        Part(final RowBatch batch, final BatchSink sink, final StagedFile file)
        {
            this.batch = batch;
            this.sink = sink;
            this.file = file;
        }
    }

    /**
     * @param metadata  the files' key-value metadata: asked for when an Arrow file opens (to reserve its room) and ends,
     *                  and when a Parquet file ends
     * @param pipelined whether an unpartitioned export writes its batches on a second thread
     */
    Output(final ExportRequest request, final Destination destination, final Schema schema,
        final Dictionaries dictionaries, final Supplier<RowBatch> newBatch, final Supplier<Map<String, String>> metadata,
        final boolean pipelined) throws IOException
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
        this.writer = pipelined && request.partitionBy().isEmpty() ?
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("flowrec-export-writer").daemon().factory()) : null;
        if (request.partitionBy().isEmpty())
        {
            try
            {
                last = openPart("");
            }
            catch (final IOException | RuntimeException ex)
            {
                close();
                throw ex;
            }
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
        if (part.batch.full())
        {
            flush(part);
        }
        rows++;
        return part.batch;
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
                case arrow -> new ArrowFileSink(schema, dictionaries.provider(), file.file(), metadata, ArrowFileSink.SLACK);
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

    /** Writes the part's batch, or hands it to the writer thread and goes on with the spare once that is written. */
    private void flush(final Part part) throws IOException
    {
        final RowBatch full = part.batch;
        if (writer == null)
        {
            try
            {
                write(part, full);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw failed(part, ex);
            }
            full.clear();
            return;
        }
        awaitWrite(part);
        part.batch = part.spare == null ? newBatch.get() : part.spare;
        part.spare = full;
        part.writing = writer.submit(() ->
        {
            write(part, full);
            full.clear();
            return null;
        });
    }

    /** Writes a full batch to its part, and starts the write-back of what reached a file (the commit's fsync waits less). */
    private static void write(final Part part, final RowBatch full) throws IOException
    {
        part.sink.write(full.seal());
        if (part.file != null)
        {
            part.file.writeBehind();
        }
    }

    /** Waits for the part's batch under way to be written, if any; its failure is the part's. */
    private void awaitWrite(final Part part) throws IOException
    {
        final Future<?> writing = part.writing;
        if (writing == null)
        {
            return;
        }
        part.writing = null;
        try
        {
            writing.get();
        }
        catch (final InterruptedException ex)
        {
            part.writing = writing; // still under way: closing waits for it
            Thread.currentThread().interrupt();
            throw failed(part, new InterruptedIOException("interrupted waiting for a batch to be written"));
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof IOException | ex.getCause() instanceof RuntimeException)
            {
                throw failed(part, (Exception)ex.getCause());
            }
            throw new IllegalStateException("write of a batch to " + part.file, ex.getCause());
        }
    }

    /** A failure to write a file, named by the file (its final path); a stream's as it came. */
    private IOException failed(final Part part, final Exception ex)
    {
        if (part.file != null)
        {
            return Destination.failure(destination.finalPath(part.file), ex);
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
            if (part.batch.rows() > 0)
            {
                flush(part);
            }
            awaitWrite(part);
            try
            {
                part.sink.close();
                if (part.file != null)
                {
                    destination.commit(part.file);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                throw failed(part, ex);
            }
        }
        finally
        {
            closeBatches(part);
        }
    }

    /** Closes the part's batches once no write uses them (a write under way after a failure is waited for). */
    private static void closeBatches(final Part part)
    {
        awaitQuietly(part);
        part.batch.close();
        if (part.spare != null)
        {
            part.spare.close();
        }
    }

    /** Waits for the part's write under way, if any, whatever its outcome: the failure that brought us here is the one to report. */
    private static void awaitQuietly(final Part part)
    {
        final Future<?> writing = part.writing;
        part.writing = null;
        boolean interrupted = false;
        while (writing != null)
        {
            try
            {
                writing.get();
                break;
            }
            catch (final ExecutionException ex)
            {
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true; // the batch's memory must outlive its write: wait on
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
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
        if (writer != null)
        {
            writer.shutdown();
        }
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
            awaitQuietly(part);
            try
            {
                if (part.file != null)
                {
                    part.sink.close();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // the failure that brought us here is the one to report
            }
            finally
            {
                closeBatches(part);
            }
        }
        open.clear();
        last = null;
        if (writer != null)
        {
            writer.shutdownNow();
        }
    }
}
