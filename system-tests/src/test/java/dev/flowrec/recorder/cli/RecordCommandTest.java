package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.TcHooks;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record command's contract at its edges: bad input is one clear line on stderr and a non-zero exit
 * with nothing attached; a signal stops it cleanly with its filters removed. Runs the real launcher
 * inside a network namespace holding a veth pair, so nothing touches the host's interfaces.
 */
class RecordCommandTest
{
    @RegisterExtension
    final TestNetns netns = TestNetns.withIdleVeth();

    @TempDir
    Path tmp;

    @Test
    void shouldRejectAnUnknownInterfaceBeforeCreatingTheJournal() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Sh r = record("--iface", "nosuch0", "--journal", journal.toString(), "--duration", "1s");
        assertFailedWithOneLine(r, "flowrec record: no such interface: nosuch0");
        assertFalse(Files.exists(journal), "no journal created");
    }

    @Test
    void shouldValidateCgroupsAndTheLiveViewAddressBeforeCreatingAnything() throws Exception
    {
        final Path absent = tmp.resolve("absent");
        final Path empty = Files.createDirectory(tmp.resolve("empty"), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        // The live view's port is taken: its bind fails as a non-local address does on a host.
        final Process holder = new ProcessBuilder("ip", "netns", "exec", netns.name(), "python3", "-c",
            "import socket,time; s=socket.socket(); s.bind(('0.0.0.0', 18702)); s.listen(); print('bound', flush=True); "
                + "time.sleep(120)").start();
        try
        {
            assertEquals("bound", new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                .readLine());
            for (final Path journal : List.of(absent, empty))
            {
                final Map<String, String> before = snapshot(tmp);
                final Sh cgroup = record("--iface", "d0", "--cgroup", "/no/such/cgroup", "--journal", journal.toString(),
                    "--duration", "1s");
                assertEquals(1, cgroup.exit(), cgroup.err());
                // "no such cgroup", or, where ip netns exec mounted a /sys of its own, "no cgroup2 hierarchy is mounted here"
                assertTrue(cgroup.err().startsWith("flowrec record: --cgroup /no/such/cgroup: no "), cgroup.err());
                assertEquals(before, snapshot(tmp), "a refused --cgroup leaves the directory as it was: " + journal);

                final Sh http = record("--iface", "d0", "--http", "0.0.0.0:18702", "--journal", journal.toString(),
                    "--duration", "1s");
                assertEquals(1, http.exit(), http.err());
                assertTrue(http.err().startsWith("flowrec record: http: cannot listen on 0.0.0.0:18702"), http.err());
                assertEquals(before, snapshot(tmp), "a refused --http leaves the directory as it was: " + journal);
            }
        }
        finally
        {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        assertNoFilters();
    }

    @Test
    void shouldRefuseToRunWithoutPrivileges() throws Exception
    {
        final Sh r = Sh.run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
            Sh.FLOWREC, "record", "--iface", "lo", "--journal", tmp.resolve("j").toString());
        assertFailedWithOneLine(r, "flowrec record: recording needs CAP_BPF and CAP_NET_ADMIN (run as root)");
    }

    @Test
    void shouldRejectAJournalDirectoryItCannotWrite() throws Exception
    {
        final Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        final Sh r = record("--iface", "d0", "--journal", file.resolve("j").toString(), "--duration", "1s");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("flowrec record: journal directory " + file.resolve("j")), r.err());
        assertNoFilters();
    }

    @Test
    void shouldReportAKernelRefusalAndLeaveNothingAttached() throws Exception
    {
        // A flow map of 2^31 entries is more than the kernel will allocate: bpf_object__load fails.
        final Sh r = record("--iface", "d0", "--journal", tmp.resolve("j").toString(), "--max-flows", "2147483647",
            "--duration", "1s");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("flowrec record: bpf_object__load"), r.err());
        assertNoFilters();
    }

    @Test
    void shouldRejectBadOptionValuesWithTheOptionNamed() throws Exception
    {
        final Sh r = record("--iface", "d0", "--journal", tmp.resolve("j").toString(), "--flush-interval", "soon");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("flowrec record: --flush-interval: bad duration 'soon'"), r.err());
        final Sh mode = record("--iface", "d0", "--journal", tmp.resolve("j").toString(), "--mode", "bytes");
        assertEquals(2, mode.exit());
        assertTrue(mode.err().contains("--mode"), mode.err());
    }

    @Test
    void shouldDetachItsFiltersWhenStoppedBySignal() throws Exception
    {
        final Path journal = tmp.resolve("j");
        final Process recorder = new ProcessBuilder(Sh.flowrecIn(netns.name(), "record", "--iface", "d0", "--journal", journal.toString()))
            .redirectErrorStream(true).start();
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(recorder.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("flowrec record: recording"))
            {
                // wait until it says it is recording
            }
            assertTrue(line != null, "recorder said it was recording");
            assertTrue(filters("ingress").contains("flowrec_ingress"), "ingress filter attached");
            assertTrue(filters("egress").contains("flowrec_egress"), "egress filter attached");

            recorder.destroy(); // SIGTERM to `ip netns exec`, which the JVM replaced by exec
            assertTrue(recorder.waitFor(60, TimeUnit.SECONDS), "recorder stopped");
            assertEquals(0, recorder.exitValue(), "a clean stop on SIGTERM exits 0");
            assertNoFilters();
            final Sh q = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv");
            assertEquals(List.of("first_seen,last_seen,iface,container,direction,proto,src_addr,src_port,dst_addr,dst_port,packets,bytes,tcp_flags,pid,comm,src_name,dst_name"),
                q.out().lines().limit(1).toList());
        }
        finally
        {
            recorder.destroyForcibly();
        }
    }

    private Sh record(final String... args) throws Exception
    {
        final String[] cmd = Sh.flowrecIn(netns.name(), "record").toArray(String[]::new);
        final String[] all = new String[cmd.length + args.length];
        System.arraycopy(cmd, 0, all, 0, cmd.length);
        System.arraycopy(args, 0, all, cmd.length, args.length);
        return Sh.run(all);
    }

    private String filters(final String direction) throws Exception
    {
        return TcHooks.show(netns.name(), "d0", direction);
    }

    private void assertNoFilters() throws Exception
    {
        assertEquals("", filters("ingress") + filters("egress"), "no filter left on d0");
    }

    /** Every path under root with its type, mode and (for a file) size and contents. */
    private static Map<String, String> snapshot(final Path root) throws Exception
    {
        final Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.toList())
            {
                all.put(root.relativize(p).toString(), PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) +
                    (Files.isDirectory(p) ? " d" : " f " + Arrays.hashCode(Files.readAllBytes(p))));
            }
        }
        return all;
    }

    private static void assertFailedWithOneLine(final Sh r, final String expected)
    {
        assertNotEquals(0, r.exit(), r.err());
        assertEquals(expected, r.err().strip(), "stderr is one line");
    }
}
