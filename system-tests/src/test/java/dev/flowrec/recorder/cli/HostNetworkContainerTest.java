package dev.flowrec.recorder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container on the host network has no veth: the recorder finds it by its Docker-named cgroup and records
 * it at that cgroup (cgroup_skb). The traffic is a UDP exchange on loopback, so it never leaves the host.
 */
class HostNetworkContainerTest
{
    private static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");
    private static final String ID = "f1c0ffee".repeat(8);
    private static final int PORT = 47_611;
    private static final int DATAGRAMS = 5;
    private static final int PAYLOAD = 100;

    private final Path cgroup = CGROUP2.resolve("frtest-" + ProcessHandle.current().pid() + ".slice/docker-" + ID + ".scope");
    private Process sink;
    private Process member;

    @TempDir
    Path tmp;

    @AfterEach
    void cleanUp() throws Exception
    {
        for (final Process p : new Process[] {member, sink})
        {
            if (p != null)
            {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Sh.run("rmdir", cgroup.toString());
        Sh.run("rmdir", cgroup.getParent().toString());
    }

    @Test
    void shouldRecordAContainerOnTheHostNetworkAtItsCgroup() throws Exception
    {
        Files.createDirectories(cgroup);
        sink = new ProcessBuilder("socat", "-u", "UDP-RECV:" + PORT + ",bind=127.0.0.1", "/dev/null").start();
        // The container: a shell that joins the Docker-named cgroup, then waits for its cue to send.
        final Path cue = tmp.resolve("go");
        member = new ProcessBuilder("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + "; while [ ! -e " + cue
            + " ]; do sleep 0.1; done; for i in $(seq " + DATAGRAMS + "); do head -c " + PAYLOAD
            + " /dev/zero | socat -u - UDP-SENDTO:127.0.0.1:" + PORT + ",sourceport=47612; done").start();
        for (int i = 0; i < 100 && Files.readString(cgroup.resolve("cgroup.procs")).isBlank(); i++)
        {
            Thread.sleep(50);
        }

        final Path journal = tmp.resolve("j");
        final Path log = tmp.resolve("rec.log");
        final Process recorder = new ProcessBuilder(Sh.FLOWREC, "record", "--containers", "--http", "off", "--journal",
            journal.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            for (int i = 0; i < 300 && !attached(); i++)
            {
                assertTrue(recorder.isAlive(), () -> "recorder died: " + Logs.read(log));
                Thread.sleep(100);
            }
            assertTrue(attached(), () -> "recorder attached to the container's cgroup: " + Logs.read(log));
            Files.writeString(cue, "");
            assertTrue(member.waitFor(30, TimeUnit.SECONDS), "sender finished");
            Thread.sleep(300);
        }
        finally
        {
            recorder.destroy();
            assertTrue(recorder.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(0, recorder.exitValue(), () -> Logs.read(log));

        final List<String> rows = Sh.ok(Sh.FLOWREC, "query", "--journal", journal.toString(), "--format", "csv").out()
            .lines().skip(1).filter(l -> l.contains(",udp,") && l.contains("," + PORT + ",")).toList();
        assertEquals(1, rows.size(), rows::toString);
        final String[] f = rows.get(0).split(",", -1);
        assertEquals("cgroup", f[2], "iface");
        assertEquals(ID.substring(0, 12), f[3], "container: the Docker short id");
        assertEquals("out", f[4]);
        assertEquals("127.0.0.1", f[6]);
        assertEquals("47612", f[7]);
        assertEquals(Long.toString(DATAGRAMS), f[10], "packets");
        assertEquals(Long.toString(DATAGRAMS * (PAYLOAD + 28L)), f[11], "bytes: IP + UDP headers and payload");
    }

    private boolean attached() throws Exception
    {
        final String programs = Sh.run("bpftool", "cgroup", "show", cgroup.toString()).out();
        return programs.contains("flowrec_cgroup_ingress") && programs.contains("flowrec_cgroup_egress");
    }
}
