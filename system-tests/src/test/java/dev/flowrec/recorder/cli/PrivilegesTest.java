package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.recorder.it.Testnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capabilities scripts/flowrec.service grants are enough and each one is needed: the recorder runs as
 * an unprivileged user with exactly that set inside a simulated container host and names its containers;
 * without CAP_NET_ADMIN or CAP_SYS_ADMIN it refuses with one line; without CAP_SYS_PTRACE it records but
 * names containers after their namespaces only. Interfaces alone need just CAP_BPF and CAP_NET_ADMIN.
 */
class PrivilegesTest
{
    private static final NetnsFixture FIXTURE = new NetnsFixture();
    private static Testnet net;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void containerHost() throws Exception
    {
        net = Testnet.up(FIXTURE, Sh.ROOT, 2, true);
        Sh.ok("chmod", "1777", tmp.toString()); // sticky, as /tmp: record refuses a journal in a directory anyone may swap
    }

    @AfterAll
    static void tearDown()
    {
        FIXTURE.close();
    }

    @Test
    void shouldNameContainersWithExactlyTheUnitsCapabilities() throws Exception
    {
        final List<String> caps = unitCapabilities();
        assertEquals(List.of("net_admin", "sys_admin", "sys_ptrace"), caps);
        final Run run = record(caps, "all");
        assertEquals(0, run.exit, run.err);
        assertEquals(2, run.info.lines().filter(l -> l.matches("  [0-9a-f]{12}  (docker|containerd|podman|crio) [0-9a-f]{64}")).count(),
            run.info);
    }

    @Test
    void shouldRefuseWithoutNetAdminOrSysAdmin() throws Exception
    {
        for (final String missing : List.of("net_admin", "sys_admin"))
        {
            final List<String> caps = new ArrayList<>(unitCapabilities());
            caps.remove(missing);
            final Run run = record(caps, "no-" + missing);
            assertEquals(1, run.exit, run.err);
            assertEquals("flowrec record: recording needs CAP_BPF and CAP_NET_ADMIN (run as root)", run.err.strip());
        }
    }

    @Test
    void shouldRecordButNameContainersAfterTheirNamespacesWithoutSysPtrace() throws Exception
    {
        final List<String> noPtrace = new ArrayList<>(unitCapabilities());
        noPtrace.remove("sys_ptrace");
        final Run run = record(noPtrace, "no-sys_ptrace");
        assertEquals(0, run.exit, run.err);
        assertTrue(run.info.contains("  " + net.name() + "-c1  netns " + net.name() + "-c1"), "named after their netns only:\n" + run.info);
    }

    @Test
    void shouldRecordInterfacesWithBpfAndNetAdminOnly() throws Exception
    {
        final Run run = record(List.of("bpf", "net_admin"), "interfaces", "--all-interfaces");
        assertEquals(0, run.exit, run.err);
        assertTrue(run.info.contains("interfaces  br0, " + net.name() + "v1, " + net.name() + "v2"), run.info);
        assertTrue(run.info.contains("\ncontainers  0\nlosses"), "no container looked for:\n" + run.info);
    }

    private record Run(int exit, String err, String info)
    {
    }

    private static Run record(final List<String> caps, final String name) throws Exception
    {
        return record(caps, name, "--containers");
    }

    private static Run record(final List<String> caps, final String name, final String selection) throws Exception
    {
        final Path journal = tmp.resolve(name);
        final String set = String.join(",", caps.stream().map(c -> "+" + c).toList());
        final Sh r = Sh.run("ip", "netns", "exec", net.hostNs(), "setpriv", "--reuid=65534", "--regid=65534",
            "--clear-groups", "--inh-caps=" + (set.isEmpty() ? "-all" : set), "--ambient-caps=" + (set.isEmpty() ? "-all" : set),
            Sh.FLOWREC, "record", selection, "--journal", journal.toString(), "--duration", "2s", "--http", "off");
        final String info = Files.isDirectory(journal) && r.exit() == 0 ?
            Sh.ok(Sh.FLOWREC, "info", "--journal", journal.toString()).out() : "";
        return new Run(r.exit(), r.err(), info);
    }

    /** AmbientCapabilities of the unit, as setpriv names them (cap_bpf → bpf). */
    private static List<String> unitCapabilities() throws Exception
    {
        for (final String line : Files.readAllLines(Sh.ROOT.resolve("scripts/flowrec.service")))
        {
            if (line.startsWith("AmbientCapabilities="))
            {
                return List.of(line.substring(line.indexOf('=') + 1).trim().split("\\s+")).stream()
                    .map(c -> c.toLowerCase(Locale.ROOT).replaceFirst("^cap_", "")).toList();
            }
        }
        throw new AssertionError("no AmbientCapabilities in scripts/flowrec.service");
    }
}
