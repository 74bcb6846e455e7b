package dev.flowrec.query.shell;

import dev.flowrec.query.Query;
import dev.flowrec.query.cli.Format;
import java.nio.file.Path;
import java.util.List;

/** What a shell line asks for, as {@link ShellParser} reads it. */
sealed interface Action
{
    /**
     * Run a query; {@code format} and {@code journal} are null for the session's own; {@code ownTimeout} when the line
     * gave its inactive timeout (else the session's applies).
     */
    record Ask(Query query, Format format, Path journal, boolean ownTimeout) implements Action
    {
    }

    /** {@code inactive-timeout} alone shows the session's (0); {@code inactive-timeout 1m} sets it. */
    record SetInactiveTimeout(long ns) implements Action
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
