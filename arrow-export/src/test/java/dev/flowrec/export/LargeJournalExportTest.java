package dev.flowrec.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delta export streams: a journal several times larger than the heap exports to Arrow IPC and to Parquet
 * in a child JVM whose heap is capped at 64 MiB (as FLOWREC_JAVA_OPTS=-Xmx64m does for scripts/flowrec),
 * and every delta arrives.
 */
class LargeJournalExportTest
{
    private static final int DELTAS = 2_500_000;
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    static Path tmp;
    static Path journal;

    @BeforeAll
    static void writeLargeJournal() throws Exception
    {
        journal = tmp.resolve("large");
        ExportJournal.write(journal, "large", DELTAS, 3, 4);
        long size = 0;
        try (Stream<Path> files = Files.walk(journal))
        {
            for (final Path f : files.filter(p -> p.toString().endsWith(".cq4")).toList())
            {
                size += Files.size(f);
            }
        }
        assertTrue(size > 4 * (64L << 20), "the journal is several times the child's heap: " + size);
    }

    @Test
    void shouldExportToArrowWithA64MiBHeap() throws Exception
    {
        final Path out = tmp.resolve("large.arrow");
        assertEquals(DELTAS + " rows, max heap 64 MiB", runChild(out, "arrow"));
        long rows = 0;
        try (BufferAllocator allocator = new RootAllocator(); FileChannel channel = FileChannel.open(out);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator))
        {
            while (reader.loadNextBatch())
            {
                rows += reader.getVectorSchemaRoot().getRowCount();
            }
        }
        assertEquals(DELTAS, rows);
    }

    @Test
    void shouldExportToParquetWithA64MiBHeap() throws Exception
    {
        final Path out = tmp.resolve("large.parquet");
        assertEquals(DELTAS + " rows, max heap 64 MiB", runChild(out, "parquet"));
        assertEquals(List.of(List.of(Integer.toString(DELTAS))), DuckDbParquetTest.duck("SELECT count(*) FROM '" + out + "'"));
    }

    private static String runChild(final Path out, final String format) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final List<String> command = new ArrayList<>(List.of(java, "@" + ROOT.resolve("scripts/jvm.options"), "-Xmx64m",
            "-cp", classpath, HeapCappedExport.class.getName(), journal.toString(), out.toString(), format));
        final Path log = tmp.resolve(format + ".log");
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(5, TimeUnit.MINUTES))
        {
            p.destroyForcibly();
            throw new AssertionError("export timed out: " + Files.readString(log));
        }
        final String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output);
        final List<String> lines = output.lines().filter(l -> l.contains(" rows, max heap ")).toList();
        return lines.isEmpty() ? output : lines.getLast();
    }
}
