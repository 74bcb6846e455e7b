package dev.flowrec.query.shell;

import dev.flowrec.query.Query;
import dev.flowrec.query.cli.Format;
import java.nio.file.Path;
import java.util.List;

/** What a shell line asks for, as {@link ShellParser} reads it. */
sealed interface Action
{
    /** Run a query; {@code format} and {@code journal} are null for the session's own. */
    record Ask(Query query, Format format, Path journal) implements Action
    {
    }

    /** {@code format} alone shows the current format (null); {@code format csv} sets it. */
    record SetFormat(Format format) implements Action
    {
    }

    /** {@code export OPTIONS}: the options of {@code flowrec export}, split as a shell would. */
    record Export(List<String> args) implements Action
    {
    }

    record Info() implements Action
    {
    }

    /** {@code topic} is a command or clause word, or null for the list. */
    record Help(String topic) implements Action
    {
    }

    record Quit() implements Action
    {
    }

    /** A blank line or a comment. */
    record Nothing() implements Action
    {
    }
}
