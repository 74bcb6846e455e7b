package dev.flowrec.recorder.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowrec.bpf.NetnsFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a system test of this package keeps per test method, registered as a {@code @RegisterExtension} field: the
 * fixture its namespaces come from, the directory its artifacts (logs of what it starts, captures, CSVs) stay in for
 * a failed run, and the processes it starts in the background. After the test those processes are ended, newest
 * first, and then the fixture's namespaces go.
 */
final class TestRun implements BeforeEachCallback, AfterEachCallback
{
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private final NetnsFixture fixture = new NetnsFixture();
    private final List<Proc.Background> started = new ArrayList<>();
    private final Path artifacts;
    private Path dir;

    /** Artifacts go to system-tests/target/AREA/METHOD-ID, ID the fixture's (unique among test JVMs). */
    TestRun(final String area)
    {
        artifacts = ROOT.resolve("system-tests/target").resolve(area);
    }

    /** Skips the test class unless it runs as root with every tool on the PATH; {@code needs} says what for. */
    static void assumeRootWith(final String needs, final List<String> tools)
    {
        assumeTrue("root".equals(System.getProperty("user.name")), needs);
        for (final String tool : tools)
        {
            assumeTrue(onPath(tool), tool + " is not installed");
        }
    }

    static boolean onPath(final String tool)
    {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    NetnsFixture fixture()
    {
        return fixture;
    }

    Path dir()
    {
        return dir;
    }

    /** Starts a process in the background, its output in NAME.out and NAME.err of {@link #dir()}; it ends with the test. */
    Proc.Background start(final String name, final List<String> command)
    {
        final Proc.Background p = Proc.Background.start(name, dir, command);
        started.add(p);
        return p;
    }

    /** Writes an artifact into {@link #dir()}. */
    void write(final String name, final String content)
    {
        try
        {
            Files.writeString(dir.resolve(name), content);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws IOException
    {
        dir = artifacts.resolve(context.getRequiredTestMethod().getName() + "-" + fixture.id());
        Files.createDirectories(dir);
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        for (final Proc.Background p : started.reversed())
        {
            p.close();
        }
        started.clear();
        fixture.close();
    }
}
