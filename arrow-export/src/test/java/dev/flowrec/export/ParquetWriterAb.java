package dev.flowrec.export;

import dev.flowrec.query.Window;
import dev.flowrec.query.Replay;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.io.LocalOutputFile;

/**
 * The Parquet writers alone, A/B on the same record batches in one run: the row-at-a-time writer the export
 * had before issue 20 ({@link RowParquetSink}) against the columnar {@link ParquetSink}, rounds interleaved,
 * the best CPU time of each (the machine may be shared: wall time would measure the neighbours).
 * The batches are a journal's deltas, replayed once into memory (no owners or names: those columns are empty).
 */
public final class ParquetWriterAb implements AutoCloseable
{
    private static final long ROW_GROUP_BYTES = 128L << 20;
    private final BufferAllocator allocator = new RootAllocator();
    private final Dictionaries dictionaries = new Dictionaries(allocator);
    private final Schema schema = FlowSchema.deltas(dictionaries, true, Map.of("flowrec.ab", "1"));
    private final List<DeltaBatch> batches = new ArrayList<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long rows;

    private ParquetWriterAb(final Path journal)
    {
        final int host = dictionaries.host.indexOf("bench");
        final int comm = dictionaries.comm.indexOf("");
        final int name = dictionaries.names.indexOf("");
        Replay.run(journal, Window.ALL, (d, iface, container) ->
        {
            if (batches.isEmpty() || batches.getLast().full())
            {
                batches.add(new DeltaBatch(schema, dictionaries, allocator, Exporter.BATCH_ROWS));
            }
            batches.getLast().append(d, host, dictionaries.iface.indexOf(iface), dictionaries.container.indexOf(container),
                0, comm, name, name);
            rows++;
        }, () -> false);
        for (final DeltaBatch b : batches)
        {
            b.seal();
        }
    }

    /**
     * For a profile of one writer: {@code ParquetWriterAb JOURNAL rows|columns COMPRESSION ROUNDS} writes the
     * journal's batches ROUNDS times with that writer alone.
     */
    public static void main(final String[] args) throws IOException
    {
        try (ParquetWriterAb ab = new ParquetWriterAb(Path.of(args[0])))
        {
            final Path file = Files.createTempFile("flowrec-ab", ".parquet");
            final long start = System.nanoTime();
            long cpu = 0;
            for (int i = 0; i < Integer.parseInt(args[3]); i++)
            {
                cpu += ab.write(file, Compression.valueOf(args[2]), args[1].equals("columns"));
            }
            System.out.printf(Locale.ROOT, "%s %s: %.0f rows/s CPU, %.1f B/row, %.1f s wall%n", args[1], args[2],
                ab.rows * Integer.parseInt(args[3]) / (cpu / 1e9), Files.size(file) / (double)ab.rows,
                (System.nanoTime() - start) / 1e9);
            Files.delete(file);
        }
    }

    /** Prints, for each compression, both writers' rows per CPU second, best of {@code rounds}. */
    public static void report(final Path journal, final Path outDir, final int rounds, final PrintStream out) throws IOException
    {
        try (ParquetWriterAb ab = new ParquetWriterAb(journal))
        {
            out.printf(Locale.ROOT, "Parquet writer alone, %d rows in memory, best of %d interleaved, CPU time:%n", ab.rows, rounds);
            out.printf(Locale.ROOT, "%-40s %14s %14s %8s %10s %10s%n", "compression", "rows/s before", "rows/s after",
                "ratio", "B/row bef", "B/row aft");
            for (final Compression c : Compression.values())
            {
                final Path before = outDir.resolve("ab-rows-" + c + ".parquet");
                final Path after = outDir.resolve("ab-columns-" + c + ".parquet");
                long rowNs = Long.MAX_VALUE;
                long columnNs = Long.MAX_VALUE;
                for (int i = 0; i <= rounds; i++)
                {
                    final long r = ab.write(before, c, false);
                    final long k = ab.write(after, c, true);
                    if (i > 0) // the first round warms up
                    {
                        rowNs = Math.min(rowNs, r);
                        columnNs = Math.min(columnNs, k);
                    }
                }
                out.printf(Locale.ROOT, "%-40s %14.0f %14.0f %7.2fx %10.1f %10.1f%n", "Parquet " + c,
                    ab.rows / (rowNs / 1e9), ab.rows / (columnNs / 1e9), rowNs / (double)columnNs,
                    Files.size(before) / (double)ab.rows, Files.size(after) / (double)ab.rows);
            }
        }
    }

    /** @return the CPU time the writing took */
    private long write(final Path file, final Compression compression, final boolean columnar) throws IOException
    {
        Files.deleteIfExists(file);
        final long start = threads.getCurrentThreadCpuTime();
        try (BatchSink sink = columnar ?
            new ParquetSink(schema, dictionaries, new LocalOutputFile(file), compression, Map::of, ROW_GROUP_BYTES,
                new ParquetColumn.Scratch()) :
            new RowParquetSink(schema, dictionaries, new LocalOutputFile(file), compression, Map::of, ROW_GROUP_BYTES))
        {
            for (final DeltaBatch b : batches)
            {
                sink.write(b.root());
            }
        }
        return threads.getCurrentThreadCpuTime() - start;
    }

    @Override
    public void close()
    {
        for (final DeltaBatch b : batches)
        {
            b.close();
        }
        dictionaries.close();
        allocator.close();
    }
}
