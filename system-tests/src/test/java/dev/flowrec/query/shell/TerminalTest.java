package dev.flowrec.query.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.ShellJournal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell on a real pseudo-terminal: {@code scripts/flowrec shell} in a tmux session, driven by keystrokes
 * ({@code send-keys}) and read back from the screen ({@code capture-pane}, with {@code -e} for colours). The journal
 * holds three million deltas, one flow each, so that a query runs long enough to be cancelled by Ctrl-C.
 * Screens are polled against a deadline; nothing is timed.
 */
class TerminalTest
{
    private static final long DEADLINE_MS = 60_000;
    private static final Pattern SGR = Pattern.compile("\u001b\\[([0-9;]*)m");
    /** A tmux server of its own: the tests never touch a user's sessions. */
    private static final String SOCKET = "flowrec-test-" + ProcessHandle.current().pid();
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    @TempDir
    static Path dir;
    private static Path journal;
    private Path history;
    private Path status;
    private String session;

    @BeforeAll
    static void journal() throws Exception
    {
        journal = ShellJournal.write(dir.resolve("journal"), 3_000_000);
        Launcher.setup();
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        tmux(false, "kill-server");
    }

    @BeforeEach
    void start() throws Exception
    {
        session = "shell" + SESSIONS.incrementAndGet();
        history = dir.resolve(session + ".history");
        status = dir.resolve(session + ".status");
        // bash keeps the shell's exit status (tmux's pane_dead_status is not always kept); its trap only keeps bash
        // alive through a Ctrl-C, the shell's JVM gets SIGINT with the default disposition, as from a login shell.
        final Path run = Files.writeString(dir.resolve(session + ".sh"), String.join("\n",
            "trap : INT",
            "FLOWREC_HISTORY='" + history + "' '" + Launcher.FLOWREC + "' shell --journal '" + journal + "'",
            "echo $? > '" + status + "'", ""));
        tmux(true, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", "exec bash '" + run + "'");
        tmux(true, "set-option", "-t", session, "remain-on-exit", "on");
        awaitPrompt();
    }

    @AfterEach
    void kill() throws Exception
    {
        tmux(false, "kill-session", "-t", session);
    }

    @Test
    void shouldCompleteAndHighlight() throws Exception
    {
        type("gro");
        keys("Tab");
        awaitLine("flowrec> group");
        type("src_addr where iface wl");
        keys("Tab");
        awaitLine("flowrec> group src_addr where iface wlan1");
        keys("Enter");
        await(screen -> screen.contains("192.168.1.5"), "the group of wlan1's flows");
        awaitPrompt();

        type("top 3 where proto tcp and host 10.0.0.1 and port 443 & x");
        awaitLine("flowrec> top 3 where proto tcp and host 10.0.0.1 and port 443 & x");
        final String colours = lastLine(tmux(true, "capture-pane", "-p", "-e", "-t", session));
        final String field = styleBefore(colours, "proto");
        final String keyword = styleBefore(colours, "tcp");
        final String address = styleBefore(colours, "10.0.0.1");
        final String number = styleBefore(colours, "443");
        assertEquals(4, List.of(field, keyword, address, number).stream().distinct().count(),
            "field, keyword, address and number in distinct styles: " + printable(colours));
        assertFalse(field.isEmpty() || keyword.isEmpty() || address.isEmpty() || number.isEmpty(), printable(colours));
        assertEquals("1", styleBefore(colours, "top"), "the command is bold: " + printable(colours));
        assertEquals("1", styleBefore(colours, "where"), "the clause is bold: " + printable(colours));
        final String error = styleBefore(colours, "&");
        assertTrue(error.contains("4") && error.contains("31"), "'&' is red and underlined: " + printable(colours));
    }

    @Test
    void shouldKeepHistoryIgnoreCtrlCAtThePromptAndLeaveOnQuit() throws Exception
    {
        type("format csv");
        keys("Enter");
        awaitPrompt();
        type("top 1 dst_port where udp");
        keys("Enter");
        await(screen -> screen.contains("dst_port,flows,packets,bytes"), "the answer");
        awaitPrompt();
        keys("Up");
        awaitLine("flowrec> top 1 dst_port where udp");
        keys("Up");
        awaitLine("flowrec> format csv");

        keys("C-c"); // at the prompt: the line goes, the shell stays
        await(screen -> lastLine(screen).equals("flowrec>") && screen.lines().filter(l -> l.contains("format csv")).count() == 2,
            "a fresh prompt under the dropped line");
        type("format");
        keys("Enter");
        await(screen -> screen.contains("format csv") && lastLine(screen).equals("flowrec>")
            && screen.lines().anyMatch(l -> l.strip().equals("format csv")), "the shell still answers");

        type("quit");
        keys("Enter");
        assertEquals(0, awaitExit());
        final String saved = Files.readString(history, StandardCharsets.UTF_8);
        assertTrue(saved.contains("format csv") && saved.contains("top 1 dst_port where udp") && saved.contains("quit"), saved);
    }

    @Test
    void shouldCancelARunningQueryOnCtrlCAndLeaveOnCtrlD() throws Exception
    {
        type("flows where bytes > 1T");
        keys("Enter");
        // Accepted and running: the cursor has left the command line, and no prompt is back.
        await(screen -> cursorX() == 0 && lastLine(screen).equals("flowrec> flows where bytes > 1T"), "the query running");
        // The query takes ~13 s; a moment's pause puts the key well inside it, past the line reader's return.
        Thread.sleep(500);
        keys("C-c");
        final String screen = await(s -> s.contains("cancelled") && lastLine(s).equals("flowrec>"), "cancelled, then the prompt");
        assertFalse(screen.contains("first_seen"), "no answer printed");
        type("top 1 src_addr where iface veth7");
        keys("Enter");
        await(s -> s.contains("172.17.0.2") && lastLine(s).equals("flowrec>"), "the next query answers");
        keys("C-d");
        assertEquals(0, awaitExit());
    }

    // --- driving tmux ---

    private void type(final String text) throws Exception
    {
        tmux(true, "send-keys", "-t", session, "-l", text);
    }

    private void keys(final String key) throws Exception
    {
        tmux(true, "send-keys", "-t", session, key);
    }

    private String screen() throws Exception
    {
        return tmux(true, "capture-pane", "-p", "-t", session);
    }

    private int cursorX()
    {
        try
        {
            return Integer.parseInt(tmux(true, "display-message", "-p", "-t", session, "#{cursor_x}").trim());
        }
        catch (final IOException | InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private String await(final Predicate<String> condition, final String what) throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        String screen = screen();
        while (!condition.test(screen))
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("waiting for " + what + "; the screen:\n" + screen);
            }
            Thread.sleep(50);
            screen = screen();
        }
        return screen;
    }

    private void awaitPrompt() throws Exception
    {
        await(screen -> lastLine(screen).equals("flowrec>"), "the prompt");
    }

    private void awaitLine(final String line) throws Exception
    {
        await(screen -> lastLine(screen).equals(line), "'" + line + "'");
    }

    /** The shell's exit status, once it has exited. */
    private int awaitExit() throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < deadline)
        {
            if (Files.exists(status))
            {
                final String text = Files.readString(status).strip();
                if (!text.isEmpty())
                {
                    return Integer.parseInt(text);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the shell did not exit; the screen:\n" + screen());
    }

    private static String lastLine(final String screen)
    {
        final List<String> lines = screen.lines().map(String::stripTrailing).filter(l -> !l.isEmpty()).toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    /** The SGR parameters in force where {@code text} starts on the line (those set since the last reset). */
    private static String styleBefore(final String line, final String text)
    {
        final int at = line.indexOf(text);
        assertTrue(at >= 0, text + " on " + printable(line));
        final Matcher m = SGR.matcher(line.substring(0, at));
        final List<String> params = new ArrayList<>();
        while (m.find())
        {
            if (m.group(1).isEmpty() || m.group(1).equals("0") || m.group(1).equals("39") || m.group(1).equals("49")
                || m.group(1).equals("22") || m.group(1).equals("24"))
            {
                params.clear();
            }
            else
            {
                params.add(m.group(1));
            }
        }
        return String.join(";", params);
    }

    private static String printable(final String s)
    {
        return s.replace("\u001b", "\\e");
    }

    private static String tmux(final boolean check, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("tmux hung: " + command);
        }
        if (check && process.exitValue() != 0)
        {
            throw new AssertionError(command + " failed: " + out);
        }
        return out;
    }
}
