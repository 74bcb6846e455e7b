package dev.flowrec.query.cli;

import dev.flowrec.journal.text.OneLine;
import dev.flowrec.query.JournalSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
    description = "What a journal holds: time span, events, flows, interfaces, containers, losses, size.")
public final class InfoCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--journal", paramLabel = "DIR", defaultValue = "flowrec-journal",
        description = "Journal directory to read (default: ./${DEFAULT-VALUE}, as record writes).")
    Path journal;

    public Integer call()
    {
        final JournalSummary s = JournalSummary.of(journal);
        final PrintWriter out = spec.commandLine().getOut();
        out.println("journal     " + OneLine.of(journal.toAbsolutePath().toString()));
        out.println("time span   " + (s.events() == 0 ? "(empty)" :
            AnswerWriter.isoTime(s.firstNs()) + " .. " + AnswerWriter.isoTime(s.lastNs())));
        out.println("events      " + s.events() + " (" + s.deltas() + " flow deltas), " + s.runs() + " recorder runs");
        out.println("flows       " + s.flows() + " (" + Units.count(s.packets()) + " packets, " + Units.bytes(s.bytes()) + ")");
        out.println("interfaces  " + OneLine.of(String.join(", ", s.interfaces())));
        out.println("containers  " + s.containers().size());
        for (final Map.Entry<String, String> c : s.containers().entrySet())
        {
            out.println("  " + OneLine.of(c.getKey()) + "  " + OneLine.of(c.getValue()));
        }
        out.println("losses      " + s.coverage().describe());
        out.println("size        " + Units.bytes(s.diskBytes()) + " on disk");
        out.flush();
        return 0;
    }
}
