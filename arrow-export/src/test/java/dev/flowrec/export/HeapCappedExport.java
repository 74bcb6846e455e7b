package dev.flowrec.export;

import dev.flowrec.query.Query;
import dev.flowrec.query.Window;
import java.nio.file.Path;
import java.util.List;

/** The export run in a child JVM with a capped heap: {@code HeapCappedExport JOURNAL OUT arrow|parquet}; prints the row count. */
public final class HeapCappedExport
{
    private HeapCappedExport()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final ExportResult result = Exporter.run(ExportRequest.toFile(List.of(Path.of(args[0])), Query.listing(Window.ALL),
            Path.of(args[1]), ExportFormat.valueOf(args[2])));
        final Runtime rt = Runtime.getRuntime();
        System.out.println(result.rows() + " rows, max heap " + rt.maxMemory() / (1 << 20) + " MiB");
    }
}
