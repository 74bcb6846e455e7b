package dev.flowrec.query.cli;

import dev.flowrec.query.Answer;
import dev.flowrec.query.Column;
import dev.flowrec.query.Query;
import dev.flowrec.query.QueryEngine;
import dev.flowrec.query.chart.ChartData;
import dev.flowrec.query.chart.ChartFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code flowrec export --format png|svg}: the query's answer as a chart file, a line per group over time for a
 * series (--interval), a bar per group for a grouped or top-N answer. Written as every export is: to a hidden file
 * beside --out, fsync'd and renamed into place, never over an existing file without --force, never through a link.
 */
final class ChartExport
{
    private ChartExport()
    {
    }

    static int write(final CommandLine cli, final List<Path> journals, final Query query, final Path out,
        final ChartFile.Kind kind, final boolean force) throws IOException
    {
        if (!query.grouped())
        {
            throw new ParameterException(cli, "--format " + kind + " charts a series or a grouped answer: add --interval D "
                + "or --group-by KEYS (with --top N for the largest)");
        }
        final Map<String, TreeMap<Long, Long>> series = new LinkedHashMap<>();
        ChartData first = null;
        String keys = "";
        for (final Path journal : journals)
        {
            final Answer answer = QueryOptions.answering(cli, () -> QueryEngine.run(journal, query,
                () -> Thread.currentThread().isInterrupted()));
            QueryOptions.warn(cli, answer.warnings());
            if (!answer.coverage().complete())
            {
                cli.getErr().println("flowrec export: warning: " + journal + ": " + answer.coverage().describe());
            }
            final ChartData data = ChartData.of(answer, query.by().name(), query.intervalNs());
            first = first == null ? data : first;
            keys = answer.columns().stream().map(Column::name)
                .filter(n -> !List.of("time", "flows", "packets", "bytes").contains(n)).collect(Collectors.joining(","));
            final String host = journals.size() > 1 ? journal.getFileName() + " " : "";
            data.series().forEach((label, values) -> series.put(host + label, values));
        }
        final ChartData all = new ChartData(first.metric(), first.timed(), first.intervalNs(), series);
        final String title = title(all, keys);
        writeSafely(out, force, stream -> ChartFile.write(all, title, kind, stream));
        cli.getErr().println("flowrec export: a chart of " + series.size() + " series to " + out);
        cli.getErr().flush();
        return 0;
    }

    private static String title(final ChartData data, final String keys)
    {
        return "flowrec: " + data.metric() + (keys.isEmpty() ? "" : " by " + keys);
    }

    interface Body
    {
        void write(OutputStream out) throws IOException;
    }

    /** A hidden temporary file beside out, synced and moved over it; a failure leaves nothing behind. */
    private static void writeSafely(final Path out, final boolean force, final Body body) throws IOException
    {
        final Path target = out.toAbsolutePath();
        final Path dir = target.getParent();
        if (!Files.isDirectory(dir))
        {
            throw new NoSuchFileException("export: directory " + dir + " does not exist");
        }
        if (Files.isSymbolicLink(target))
        {
            throw new IOException("output " + out + " is a symbolic link: not followed, not even with --force");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && (!force || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)))
        {
            throw new FileAlreadyExistsException("output " + out + (force ? " is not a regular file" : " exists (--force replaces it)"));
        }
        final Path temp = dir.resolve("." + target.getFileName() + ".flowrec-" + ProcessHandle.current().pid());
        boolean done = false;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            body.write(Channels.newOutputStream(channel));
            channel.force(true);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        }
        finally
        {
            if (!done)
            {
                Files.deleteIfExists(temp);
            }
        }
    }
}
