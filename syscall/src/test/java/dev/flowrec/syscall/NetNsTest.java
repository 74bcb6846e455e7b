package dev.flowrec.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real kernel, as root: a scratch network namespace with a veth pair, entered from the test thread. */
class NetNsTest
{
    private static final Path SELF = Path.of("/proc/thread-self/ns/net");

    private final String name = "frsys" + ProcessHandle.current().pid();
    private final String path = "/run/netns/" + name;

    @BeforeEach
    void createNamespace()
    {
        run("ip", "netns", "add", name);
        run("ip", "-n", name, "link", "add", "frsys0", "type", "veth", "peer", "name", "frsys1");
    }

    @AfterEach
    void deleteNamespace()
    {
        run("ip", "netns", "del", name);
    }

    @Test
    void shouldRunTheActionInsideAndComeBack() throws IOException
    {
        final String home = Files.readSymbolicLink(SELF).toString();
        final long inode = (Long)Files.getAttribute(Path.of(path), "unix:ino");
        final String inside = NetNs.call(path, () -> readLink(SELF));
        assertEquals("net:[" + inode + "]", inside);
        assertNotEquals(home, inside);
        assertEquals(home, Files.readSymbolicLink(SELF).toString(), "back home");
        assertEquals(home, NetNs.call(null, () -> readLink(SELF)), "null: here");
    }

    @Test
    void shouldFindInterfacesOfTheNamespaceItIsIn()
    {
        final int ifindex = NetNs.call(path, () -> NetIf.indexOf("frsys0"));
        assertEquals(ifindex, Integer.parseInt(run("ip", "-n", name, "-o", "link", "show", "frsys0").split(":")[0]));
        final SyscallException e = assertThrows(SyscallException.class, () -> NetIf.indexOf("frsys0"));
        assertEquals("no such interface: frsys0", e.getMessage());
        assertEquals("if_nametoindex", e.call());
        assertEquals("frsys0", e.target());
        assertEquals(Libc.ENODEV, e.errno());
    }

    @Test
    void shouldNameANamespaceThatIsGone() throws IOException
    {
        final String home = Files.readSymbolicLink(SELF).toString();
        final SyscallException e = assertThrows(SyscallException.class, () -> NetNs.call(path + "-gone", () -> 1));
        assertEquals("open " + path + "-gone: No such file or directory (errno 2)", e.getMessage());
        assertEquals(Libc.ENOENT, e.errno());
        assertEquals(home, Files.readSymbolicLink(SELF).toString());
    }

    @Test
    void shouldRefuseAVirtualThread() throws InterruptedException
    {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread.ofVirtual().start(() ->
        {
            try
            {
                NetNs.call(path, () -> 1);
            }
            catch (final Throwable t)
            {
                thrown.set(t);
            }
        }).join();
        assertEquals(IllegalStateException.class, thrown.get().getClass());
    }

    private static String readLink(final Path link)
    {
        try
        {
            return Files.readSymbolicLink(link).toString();
        }
        catch (final IOException e)
        {
            throw new AssertionError(e);
        }
    }

    private static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.waitFor(), () -> String.join(" ", command) + ": " + output);
            return output;
        }
        catch (final IOException | InterruptedException e)
        {
            throw new AssertionError(String.join(" ", command), e);
        }
    }
}
