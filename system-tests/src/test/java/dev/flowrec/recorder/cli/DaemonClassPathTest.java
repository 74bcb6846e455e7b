package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording daemon runs with none of the readers' libraries: the class path of a running
 * {@code scripts/flowrec record}, as its JVM reports it ({@code jcmd PID VM.system_properties}), holds no Arrow,
 * Parquet, Hadoop, JLine, DuckDB, nor the query-shell or arrow-export modules. The query module is there: the live
 * view's {@code ?where=} compiles its filter with the readers' filter language (one filter compiler); it brings no
 * library of its own (journal and Agrona, which the recorder has anyway).
 */
class DaemonClassPathTest
{
    private static final Pattern READER_LIBRARY =
        Pattern.compile("arrow|parquet|hadoop|jline|duckdb|jqwik|flowrec-arrow-export|query-shell|arrow-export");

    @RegisterExtension
    final TestNetns netns = TestNetns.withIdleVeth();

    @TempDir
    Path tmp;

    @Test
    void shouldRecordWithNoReaderLibraryOnItsClassPath() throws Exception
    {
        final Path log = tmp.resolve("recorder.log");
        final Process recorder = new ProcessBuilder("ip", "netns", "exec", netns.name(), Sh.FLOWREC, "record", "--iface", "d0",
            "--journal", tmp.resolve("j").toString(), "--http", "off", "--duration", "60s")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            Logs.await(recorder, log, "recording d0", 600);
            final List<String> classPath = classPathOf(Sh.javaPidUnder(recorder));
            assertTrue(classPath.stream().anyMatch(e -> e.contains("flowrec-bpf")), classPath::toString);
            assertTrue(classPath.stream().anyMatch(e -> e.contains("chronicle-queue")), classPath::toString);
            assertEquals(List.of(), classPath.stream().filter(e -> READER_LIBRARY.matcher(Path.of(e).getFileName().toString()).find()).toList(),
                "reader libraries on the daemon's class path");
        }
        finally
        {
            recorder.destroy();
            assertTrue(recorder.waitFor(30, TimeUnit.SECONDS), "recorder stops on SIGTERM");
        }
    }

    private static List<String> classPathOf(final long pid) throws Exception
    {
        final Sh r = Sh.ok(System.getProperty("java.home") + "/bin/jcmd", Long.toString(pid), "VM.system_properties");
        final String line = r.out().lines().filter(l -> l.startsWith("java.class.path=")).findFirst()
            .orElseThrow(() -> new AssertionError("no java.class.path in: " + r.out()));
        // jcmd escapes ':' in property values as '\:'
        return Arrays.asList(line.substring("java.class.path=".length()).replace("\\:", ":").split(":"));
    }
}
