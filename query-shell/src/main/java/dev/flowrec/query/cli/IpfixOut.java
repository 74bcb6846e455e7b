package dev.flowrec.query.cli;

import dev.flowrec.export.ExportFormat;
import dev.flowrec.ipfix.Collector;
import dev.flowrec.ipfix.IpfixAgent;
import dev.flowrec.ipfix.JournalExport;
import dev.flowrec.query.Query;
import dev.flowrec.query.filter.AmbiguousNameException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code flowrec export --format ipfix --out udp://HOST:PORT}: the window's deltas to an IPFIX collector (a host
 * catching up after its collector was unreachable), with every option of a delta export but those of files.
 */
final class IpfixOut
{
    private IpfixOut()
    {
    }

    /** @param fileOptions whether an option that only files take was given (--partition-by, --compression, --force) */
    static int send(final CommandLine cli, final List<Path> journals, final Query query, final String out,
        final ExportFormat format, final Long rate, final boolean fileOptions)
    {
        if (format != null && format != ExportFormat.ipfix)
        {
            throw new ParameterException(cli, "--out " + out + " is a collector: use --format ipfix (or a file for " + format + ")");
        }
        if (fileOptions)
        {
            throw new ParameterException(cli, "--partition-by, --compression and --force are for files, not --format ipfix");
        }
        if (rate != null && rate < 0)
        {
            throw new ParameterException(cli, "--ipfix-rate " + rate + ": records per second, 0 (unpaced) or more");
        }
        final Collector collector;
        try
        {
            collector = Collector.parse(out);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(cli, "--out " + ex.getMessage());
        }
        final JournalExport.Result result;
        try
        {
            result = JournalExport.run(journals, query, List.of(collector), rate == null ? IpfixAgent.DEFAULT_RATE : rate,
                () -> Thread.currentThread().isInterrupted());
        }
        catch (final AmbiguousNameException ex)
        {
            throw new ParameterException(cli, "--where: " + ex.getMessage(), ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(cli, ex.getMessage(), ex);
        }
        final PrintWriter err = cli.getErr();
        QueryOptions.warn(cli, result.warnings());
        for (int i = 0; i < result.hosts().size(); i++)
        {
            if (!result.coverage().get(i).complete())
            {
                err.println("flowrec export: warning: " + result.hosts().get(i) + ": " + result.coverage().get(i).describe());
            }
        }
        if (result.sendErrors() > 0)
        {
            err.println("flowrec export: warning: " + result.sendErrors() + " messages could not be sent");
        }
        err.printf(Locale.ROOT, "flowrec export: %d records in %d IPFIX messages to %s in %.1f s%n", result.records(),
            result.messages(), out, result.elapsedNs() / 1e9);
        err.flush();
        return 0;
    }
}
