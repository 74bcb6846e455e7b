package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What a user looks at, against one recorder of loopback ({@code record --iface lo}) in a namespace of this class,
 * run in tmux so that its status line is on a terminal: the loopback flows it journals equal a capture of lo (tcpdump,
 * counted by scripts/it/pcap-flows), in each direction; {@code flowrec top} on a terminal shows the test's flows and
 * its keys change the view, and prints plainly to a pipe; series draw as terminal charts and export as PNG and SVG
 * with one series per group; protocols have their IANA names in tables and filters. Screens are polled against a
 * deadline; nothing is timed.
 */
class TopAndChartsTest
{
    private static final long DEADLINE_MS = 60_000;
    private static final Path TARGET = Sh.ROOT.resolve("system-tests/target");
    private static final String SOCKET = "tm-top-" + ProcessHandle.current().pid();
    private static final String NETNS = "tmtop" + Long.toString(ProcessHandle.current().pid(), 36);
    /** The background flow top must show: UDP 127.0.0.1:41100 → :7100, a datagram every 100 ms. */
    private static final String BACKGROUND = "127.0.0.1:41100 → 127.0.0.1:7100";
    private static final List<String> PALETTE_HEX = List.of("0072b2", "e69f00", "009e73", "cc79a7", "56b4e9");

    /** JUnit's: deleted after the class's tests (the journal, the capture, the shell's files). */
    @TempDir
    static Path dir;
    private static Path journal;
    private static String url;
    private static Process background;
    private static Map<String, long[]> oracle;
    /** When the capture stopped: the journal's flows up to then are the capture's (later ones are the background's). */
    private static String captureEnd;

    @BeforeAll
    static void recordLoopback() throws Exception
    {
        journal = dir.resolve("journal");
        Sh.ok(Sh.ROOT.resolve("scripts/setup").toString(), "--quiet"); // the launches below do not rebuild
        Sh.ok("ip", "netns", "add", NETNS);
        Sh.ok("ip", "-n", NETNS, "link", "set", "lo", "up");
        // every skb a wire packet, so that the capture counts what the recorder counts (no 64 KiB TSO skbs)
        Sh.ok("ip", "netns", "exec", NETNS, "ethtool", "-K", "lo", "tso", "off", "gso", "off", "gro", "off");
        tmux(true, "new-session", "-d", "-s", "rec", "-x", "200", "-y", "20",
            String.join(" ", Sh.flowrecIn(NETNS, "record", "--iface", "lo", "--http", "127.0.0.1:0", "--journal",
                journal.toString())) + "; sleep 600");
        final String screen = await("rec", s -> s.contains("live view on http://"), "the recorder to start");
        final Matcher m = Pattern.compile("live view on (http://127\\.0\\.0\\.1:\\d+)").matcher(screen);
        assertTrue(m.find(), screen);
        url = m.group(1);

        // the oracle: tcpdump on lo while the test's traffic runs, each packet once (the recorder sees it out and in)
        final Path pcap = dir.resolve("lo.pcap");
        final Process tcpdump = new ProcessBuilder("ip", "netns", "exec", NETNS, "tcpdump", "-i", "lo", "-B", "32768",
            "--immediate-mode", "-Z", "root", "-w", pcap.toString()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("tcpdump.out").toFile()).start();
        awaitFile(dir.resolve("tcpdump.out"), "listening on");
        inNetns("socat -u TCP-LISTEN:7001,reuseaddr /dev/null & sleep 0.3; "
            + "head -c 300000 /dev/zero | socat -u - TCP:127.0.0.1:7001,sourceport=41001; wait; "
            + "socat -u UDP-RECV:7002 /dev/null & sleep 0.2; "
            + "for i in 1 2 3 4 5; do echo datagram$i | socat -u - UDP:127.0.0.1:7002,sourceport=41002; done; "
            + "kill %1; ping -c 3 -i 0.2 127.0.0.1 > /dev/null; "
            + "python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47); "
            + "[s.sendto(b\"x\" * (50 + i), (\"127.0.0.1\", 0)) for i in range(7)]'");
        Thread.sleep(500);
        tcpdump.destroy();
        assertTrue(tcpdump.waitFor(30, TimeUnit.SECONDS));
        captureEnd = java.time.Instant.now().toString();
        final String counts = Files.readString(dir.resolve("tcpdump.out"));
        assertTrue(counts.contains("\n0 packets dropped by kernel"), counts);
        oracle = flows(Sh.ok(Sh.ROOT.resolve("scripts/it/pcap-flows").toString(), pcap.toString()).out(), 0, 1, 2, 3, 4, 5, 6);

        background = new ProcessBuilder("ip", "netns", "exec", NETNS, "sh", "-c",
            "socat -u UDP-RECV:7100 /dev/null & while true; do echo tick | socat -u - UDP:127.0.0.1:7100,sourceport=41100; "
                + "sleep 0.1; done").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        awaitFlushed();
    }

    @AfterAll
    static void cleanUp() throws Exception
    {
        if (background != null)
        {
            background.descendants().forEach(ProcessHandle::destroy);
            background.destroy();
        }
        try
        {
            tmux(false, "send-keys", "-t", "rec", "C-c");
            await("rec", s -> s.contains("stopped after"), "the recorder to stop");
        }
        finally
        {
            tmux(false, "kill-server");
        }
        Sh.run("ip", "netns", "del", NETNS);
    }

    @Test
    void shouldRecordLoopbackAsTheCaptureCountsItInEachDirection() throws Exception
    {
        assertEquals(Set.of("tcp", "udp", "icmp", "47"), protocols(oracle.keySet()), "the test's traffic: " + oracle.keySet());
        final String csv = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv", "--until",
            captureEnd, "--where", "iface lo and not port 7100 and not port " + url.substring(url.lastIndexOf(':') + 1)).out();
        for (final String direction : List.of("out", "in"))
        {
            final Map<String, long[]> recorded = new TreeMap<>();
            csv.lines().skip(1).map(l -> l.split(",", -1)).filter(f -> f[4].equals(direction)).forEach(f ->
            {
                final long[] sums = recorded.computeIfAbsent(String.join(",", f[5], f[6], f[7], f[8], f[9]), k -> new long[2]);
                sums[0] += Long.parseLong(f[10]);
                sums[1] += Long.parseLong(f[11]);
            });
            assertEquals(text(oracle), text(recorded), direction + ": every loopback flow, to the packet and byte\n" + csv);
        }
    }

    @Test
    void shouldShowTheStatusLineOnATerminalAndNotInAPipe() throws Exception
    {
        final String screen = await("rec", s -> Pattern.compile("flowrec record: \\d+ flows, rx .*/s .* pkt/s, tx .*, journal "
            + ".*iB, loss none").matcher(s).find(), "the status line");
        assertTrue(screen.contains("recording lo into " + journal), screen);
        // the default selection in a pipe: it says what it leaves out, and prints no status line
        final Sh piped = Sh.ok(Sh.flowrecIn(NETNS, "record", "--http", "off", "--journal", dir.resolve("default").toString(),
            "--duration", "2s").toArray(String[]::new));
        assertTrue(piped.err().contains("flowrec record: left out: lo (loopback: host-internal traffic, seen twice, as out "
            + "and in; --iface lo records it)"), piped.err());
        assertFalse(piped.err().contains("\r") || piped.err().contains("\u001b") || piped.err().contains(" flows, rx "),
            "no status line in a pipe: " + piped.err());
    }

    @Test
    void shouldShowTheFlowsAndChangeTheViewWithKeys() throws Exception
    {
        tmux(true, "new-session", "-d", "-s", "top", "-x", "150", "-y", "30",
            String.join(" ", Sh.flowrecIn(NETNS, "top", "--http", url)) + "; echo top-exited-$?; sleep 600");
        String screen = await("top", s -> s.contains(BACKGROUND), "the background flow on screen");
        assertTrue(screen.contains("sort bytes, group flow"), screen);
        assertTrue(screen.contains("b bytes  p packets  g group  / filter  space pause  q quit"), screen);
        assertTrue(screen.lines().anyMatch(l -> l.startsWith("  lo ")), "the interface and its rates: " + screen);
        Files.writeString(TARGET.resolve("flowrec-top.txt"), screen); // for people, and the README

        tmux(true, "send-keys", "-t", "top", "p");
        await("top", s -> s.contains("sort packets, group flow"), "sorted by packets");
        tmux(true, "send-keys", "-t", "top", "g");
        screen = await("top", s -> s.contains("group src") && s.contains("by src (last 10 s)"), "grouped by source");
        assertTrue(screen.lines().anyMatch(l -> l.startsWith("127.0.0.1 ")), screen);
        tmux(true, "send-keys", "-t", "top", "g", "g", "g", "g"); // dst, container, comm, and round to flow
        await("top", s -> s.contains("group flow"), "grouped by flow again");

        tmux(true, "send-keys", "-t", "top", "/");
        tmux(true, "send-keys", "-t", "top", "-l", "udp and dst port 7100");
        await("top", s -> s.contains("filter: udp and dst port 7100_"), "the filter being typed");
        tmux(true, "send-keys", "-t", "top", "Enter");
        screen = await("top", s -> s.contains(", filter: udp and dst port 7100") && s.contains(BACKGROUND), "the filter applied");
        assertEquals(2, screen.lines().filter(l -> l.startsWith("lo ")).count(), "one tuple passes, seen out and in: "
            + screen);

        tmux(true, "send-keys", "-t", "top", "/");
        tmux(true, "send-keys", "-t", "top", "-l", " and port http");
        tmux(true, "send-keys", "-t", "top", "Enter");
        screen = await("top", s -> s.contains("bad filter at column"), "a bad filter said");
        assertTrue(screen.contains(", filter: udp and dst port 7100"), "the previous filter stays: " + screen);

        tmux(true, "send-keys", "-t", "top", "Space");
        await("top", s -> s.contains("[paused]"), "paused");
        tmux(true, "send-keys", "-t", "top", "q");
        await("top", s -> s.contains("top-exited-0"), "q to quit, exit status 0");
    }

    @Test
    void shouldPrintPlainlyWhenNotOnATerminal() throws Exception
    {
        final Sh http = Sh.ok(Sh.flowrecIn(NETNS, "top", "--http", url, "--count", "2", "--interval", "500ms")
            .toArray(String[]::new));
        assertEquals(2, http.out().lines().filter(l -> l.startsWith("flowrec top  " + url)).count(), http.out());
        assertTrue(http.out().contains(BACKGROUND) && http.out().contains("flows (last 10 s)"), http.out());
        assertFalse(http.out().contains("\u001b") || http.out().contains("q quit"), "plain text: " + http.out());

        final Sh followed = Sh.ok(Sh.FLOWREC, "top", "--journal", journal.toString(), "--count", "1", "--group-by", "dst",
            "--where", "udp");
        assertTrue(followed.out().contains("by dst (last 10 s)") && followed.out().lines().anyMatch(l -> l.startsWith("127.0.0.1 ")),
            "the journal followed: " + followed.out());
        assertTrue(followed.out().contains("lo"), followed.out());
    }

    @Test
    void shouldNameProtocolsInTablesAndFiltersAndKeepNumbersInCsv() throws Exception
    {
        // one shell for four questions (a launch costs seconds)
        final String out = shell("query --where 'proto gre'", "query --where 'proto 47' --format csv",
            "query --where 'proto GRE and direction out'", "query --where 'proto sctp'");
        assertEquals(3, out.lines().filter(l -> l.contains(" gre ")).count(), "out and in, then out: " + out);
        assertTrue(out.contains("\n2 rows; "), out);
        assertEquals(2, out.lines().filter(l -> l.contains(",47,127.0.0.1,0,127.0.0.1,0,7,")).count(),
            "CSV keeps the number (README): " + out);
        assertTrue(out.contains("\n1 row; "), "one row, not 1 rows: " + out);
        assertTrue(out.contains("\n0 rows; "), out);
    }

    @Test
    void shouldDrawSeriesInTheTerminalAndExportThemAsPngAndSvg() throws Exception
    {
        final String series = "--interval 1s --group-by proto --where 'not port 7100 and not port "
            + url.substring(url.lastIndexOf(':') + 1) + "'";
        final Path png = TARGET.resolve("flowrec-series.png");
        final Path svg = TARGET.resolve("flowrec-series.svg");
        // one shell: the chart, both files, and a listing that cannot be charted (its error on stderr)
        final String chart = shell("query --chart " + series, "export --out " + png + " --force " + series,
            "export --out " + svg + " --format svg --force " + series);
        assertTrue(chart.startsWith("bytes per 1s, one column each; ▁ to █ = up to "), chart);
        for (final String proto : List.of("tcp", "udp", "icmp", "gre"))
        {
            assertTrue(chart.lines().anyMatch(l -> l.startsWith(proto + " ") && l.contains("│") && l.contains("peak")),
                proto + ": " + chart);
        }
        assertTrue(chart.contains(" UTC"), "the time axis: " + chart);

        final BufferedImage image = ImageIO.read(png.toFile());
        final Set<String> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++)
        {
            for (int x = 0; x < image.getWidth(); x++)
            {
                colours.add(String.format("%06x", image.getRGB(x, y) & 0xFFFFFF));
            }
        }
        assertEquals(PALETTE_HEX.subList(0, 4), PALETTE_HEX.stream().filter(colours::contains).toList(),
            "four series (tcp, udp, icmp, gre): the palette's first four colours, not the fifth");

        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        final NodeList all = factory.newDocumentBuilder().parse(svg.toFile()).getElementsByTagName("*");
        final StringBuilder paint = new StringBuilder();
        final List<String> texts = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++)
        {
            final Element e = (Element)all.item(i);
            paint.append(e.getAttribute("stroke")).append(e.getAttribute("fill")).append(e.getAttribute("style")).append(' ');
            if (e.getTagName().equals("text"))
            {
                texts.add(e.getTextContent());
            }
        }
        final String painted = paint.toString().toLowerCase();
        assertEquals(PALETTE_HEX.subList(0, 4), PALETTE_HEX.stream().filter(h -> painted.contains(h) ||
            painted.contains(rgb(h))).toList(), "four series in the SVG");
        assertTrue(texts.containsAll(List.of("tcp", "udp", "icmp", "gre")), "the legend: " + texts);
    }

    // --- helpers ---

    private static String rgb(final String hex)
    {
        final int v = Integer.parseInt(hex, 16);
        return "rgb(" + (v >> 16) + "," + (v >> 8 & 0xFF) + "," + (v & 0xFF) + ")";
    }

    /** {@code flowrec shell} on the journal, fed these lines on stdin (pipe mode): its stdout; every line must pass. */
    private static String shell(final String... lines) throws IOException, InterruptedException
    {
        final Path in = Files.writeString(dir.resolve("shell.in"), String.join("\n", lines) + "\n");
        final Path out = dir.resolve("shell.out");
        final Path err = dir.resolve("shell.err");
        final Process p = new ProcessBuilder(Sh.FLOWREC, "shell", "--journal", journal.toString()).redirectInput(in.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the shell timed out");
        assertEquals(0, p.exitValue(), Files.readString(err));
        return Files.readString(out);
    }

    private static void inNetns(final String script) throws IOException, InterruptedException
    {
        Sh.ok("ip", "netns", "exec", NETNS, "bash", "-c", script);
    }

    /** One-way flows of a CSV, keyed by proto,src,sport,dst,dport: packets and bytes. */
    private static Map<String, long[]> flows(final String csv, final int proto, final int src, final int sport,
        final int dst, final int dport, final int packets, final int bytes)
    {
        final Map<String, long[]> flows = new TreeMap<>();
        csv.lines().skip(1).map(l -> l.split(",", -1)).forEach(f ->
        {
            final long[] sums = flows.computeIfAbsent(String.join(",", f[proto], f[src], f[sport], f[dst], f[dport]),
                k -> new long[2]);
            sums[0] += Long.parseLong(f[packets]);
            sums[1] += Long.parseLong(f[bytes]);
        });
        return flows;
    }

    private static Set<String> protocols(final Set<String> keys)
    {
        final Set<String> out = new HashSet<>();
        keys.forEach(k -> out.add(k.substring(0, k.indexOf(','))));
        return out;
    }

    private static String text(final Map<String, long[]> flows)
    {
        final StringBuilder sb = new StringBuilder();
        new TreeMap<>(flows).forEach((k, v) -> sb.append(k).append(' ').append(v[0]).append(' ').append(v[1]).append('\n'));
        return sb.toString();
    }

    /** Waits until the journal holds the test's last packets (a flush interval and a batch). */
    private static void awaitFlushed() throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < deadline)
        {
            final String csv = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv",
                "--where", "iface lo and proto 47 and not port 7100").out();
            final Map<String, long[]> gre = flows(csv, 5, 6, 7, 8, 9, 10, 11);
            if (gre.values().stream().mapToLong(v -> v[0]).sum() == 2 * 7)
            {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the GRE packets never reached the journal");
    }

    private static void awaitFile(final Path file, final String text) throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!(Files.exists(file) && Files.readString(file).contains(text)))
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("no '" + text + "' in " + file);
            }
            Thread.sleep(100);
        }
    }

    private static String await(final String session, final Predicate<String> ready, final String what) throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        String screen = "";
        while (System.currentTimeMillis() < deadline)
        {
            screen = tmux(false, "capture-pane", "-p", "-t", session);
            if (ready.test(screen))
            {
                return screen;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited for " + what + "; the screen:\n" + screen);
    }

    /** tmux on a server of this class's own; the environment (MAVEN_OPTS among it) is the test JVM's. */
    private static String tmux(final boolean check, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("tmux", "-L", SOCKET));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || check && p.exitValue() != 0)
        {
            throw new AssertionError(command + ": " + out);
        }
        return out;
    }
}
