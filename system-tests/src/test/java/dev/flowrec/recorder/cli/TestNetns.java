package dev.flowrec.recorder.cli;

import dev.flowrec.bpf.NetnsFixture;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The namespace a launcher test records in, made before each test and gone after it (with all in it), so
 * nothing touches the host's interfaces: register as a {@code @RegisterExtension} field and read {@link #name()}.
 */
final class TestNetns implements BeforeEachCallback, AfterEachCallback
{
    private final NetnsFixture net = new NetnsFixture();
    private final Function<NetnsFixture, String> make;
    private String name;

    private TestNetns(final Function<NetnsFixture, String> make)
    {
        this.make = make;
    }

    /** Namespace "cli" holding a veth pair d0–d1, d0 up: an interface to record on that carries no traffic. */
    static TestNetns withIdleVeth()
    {
        return new TestNetns(
            net ->
            {
                final String netns = net.netns("cli");
                net.veth(netns, "d0", netns, "d1");
                net.up(netns, "d0");
                return netns;
            });
    }

    /** The first of two namespaces joined by veth {@code devA}–{@code devB}, addressed as {@link NetnsFixture#ipv4Pair}. */
    static TestNetns ipv4Pair(final String devA, final String addrA, final String devB, final String addrB)
    {
        return new TestNetns(net -> net.ipv4Pair(devA, addrA, devB, addrB).a());
    }

    String name()
    {
        return name;
    }

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        name = make.apply(net);
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        net.close();
    }
}
