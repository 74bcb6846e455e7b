package dev.flowrec.query.cli;

import dev.flowrec.journal.text.OneLine;
import dev.flowrec.query.Gap;
import dev.flowrec.query.JournalSummary;
import dev.flowrec.query.Timeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
    description = "What a journal holds: time span, events, flows, interfaces, containers, losses, size, recorder runs and gaps.")
public final class InfoCommand implements Callable<Integer>
{
    private static final int SHOWN_COMMANDS = 20;

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
        out.println("size        " + Units.bytes(s.diskBytes()) + " on disk (" + s.diskBytes() +
            " bytes allocated, as du -s -B1 counts)");
        runs(s.timeline(), out);
        out.println("owners      " + s.owners() + " flow entries named with their process, " + s.commands().size() +
            " commands" + (s.commands().isEmpty() ? "" : ": " + OneLine.of(String.join(", ", first(s.commands())))));
        out.flush();
        return 0;
    }

    /** The first few of many names, and how many more. */
    private static List<String> first(final java.util.Set<String> names)
    {
        final List<String> shown = new java.util.ArrayList<>(names.stream().limit(SHOWN_COMMANDS).toList());
        if (names.size() > SHOWN_COMMANDS)
        {
            shown.add("... " + (names.size() - SHOWN_COMMANDS) + " more");
        }
        return shown;
    }

    /** Each run (start, stop or crash, pid, interfaces), then each gap after the journal's start, the time after its end included. */
    private static void runs(final Timeline timeline, final PrintWriter out)
    {
        out.println("runs        " + timeline.runs().size() + (timeline.recorderRunning() ? ", a recorder running" : ""));
        for (final Timeline.Run r : timeline.runs())
        {
            final String end = switch (r.end())
            {
                case STOPPED -> AnswerWriter.isoTime(r.endNs()) + "  stopped";
                case CRASHED -> AnswerWriter.isoTime(r.endNs()) + "  crashed (last event)";
                case RUNNING -> "...  recorder running";
            };
            out.println("  " + AnswerWriter.isoTime(r.startNs()) + " .. " + end + "  pid " + r.pid() +
                (r.adoption() == null ? "" : "  pinned state " + r.adoption()) + "  " + OneLine.of(String.join(", ", r.interfaces())));
        }
        final List<Gap> gaps = timeline.gaps().stream().filter(g -> g.kind() != Gap.Kind.BEFORE_JOURNAL).toList();
        out.println("gaps        " + (gaps.isEmpty() ? "none" : gaps.size()));
        for (final Gap g : gaps)
        {
            out.println("  " + g.describe());
        }
    }
}
