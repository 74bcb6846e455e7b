package dev.flowrec.recorder.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.flowrec.syscall.NetNs;
import dev.flowrec.bpf.NetnsFixture;

/**
 * Real kernel: the watcher runs on the test thread after it entered a test namespace (the socket keeps the
 * namespace it was opened in), and `ip -n NS` changes links there.
 */
class InterfaceWatcherTest
{
    @Test
    void shouldReportExistingCreatedRenamedAndDeletedLinks()
    {
        try (NetnsFixture net = new NetnsFixture())
        {
            final String ns = net.netns("w");
            final String container = net.netns("c");
            net.veth(ns, "pre0", ns, "pre1");
            NetNs.call(NetnsFixture.path(ns), () ->
            {
                watchAndChange(net, ns, container);
                return null;
            });
        }
    }

    @Test
    void shouldResyncAfterOverrun()
    {
        try (NetnsFixture net = new NetnsFixture())
        {
            final String ns = net.netns("o");
            NetNs.call(NetnsFixture.path(ns), () ->
            {
                final Recorded recorded = new Recorded();
                final InterfaceWatcher watcher = new InterfaceWatcher(recorded, 1);  // clamped to the kernel minimum
                try
                {
                    await("first dump", watcher::synced, watcher::doWork);
                    final StringBuilder batch = new StringBuilder();
                    for (int i = 0; i < 16; i++)
                    {
                        net.veth(ns, "ov" + i, ns, "ow" + i);
                    }
                    await("32 links up", () -> recorded.upNames().size() == 32, watcher::doWork);
                    assertTrue(watcher.overruns() > 0, "overruns " + watcher.overruns());
                    assertTrue(watcher.dumps() >= 2, "dumps " + watcher.dumps());
                    for (int i = 0; i < 16; i++)
                    {
                        net.ip(ns, "link", "del", "ov" + i);
                    }
                    await("32 links gone", () -> recorded.gone.size() == 32, watcher::doWork);
                }
                finally
                {
                    watcher.onClose();
                }
                return null;
            });
        }
    }

    private static void watchAndChange(final NetnsFixture net, final String ns, final String container)
    {
        final Recorded recorded = new Recorded();
        final InterfaceWatcher watcher = new InterfaceWatcher(recorded);
        try
        {
            await("first dump", watcher::synced, watcher::doWork);
            assertEquals(List.of("pre0", "pre1"), recorded.upNames().stream().sorted().toList(), "loopback is not reported");

            net.veth(ns, "tv0", ns, "tv1");
            await("tv0 and tv1 up", () -> recorded.up("tv0") != null && recorded.up("tv1") != null, watcher::doWork);
            final Link tv0 = recorded.up("tv0");
            final Link tv1 = recorded.up("tv1");
            assertEquals("veth", tv0.kind());
            assertEquals(tv1.ifindex(), tv0.linkIfindex(), "a veth's IFLA_LINK is its peer");
            assertEquals(tv0.ifindex(), tv1.linkIfindex());
            assertEquals(-1, tv0.linkNetnsId(), "peer in the same namespace");
            assertFalse(tv0.isUp(), "created admin-down, reported all the same");

            net.ip(ns, "link", "set", "tv1", "name", "tv2");
            await("rename as gone + up", () -> recorded.gone("tv1") != null && recorded.up("tv2") != null, watcher::doWork);
            assertEquals(tv1.ifindex(), recorded.up("tv2").ifindex());

            final int events = recorded.events.size();
            net.up(ns, "tv0");
            net.veth(ns, "marker", ns, "marker1");
            await("marker up", () -> recorded.up("marker") != null, watcher::doWork);
            assertEquals(events + 2, recorded.events.size(), "a flags change is no event: " + recorded.events);

            // As Docker and CNI plugins do: create the pair here, move one end into the container.
            net.veth(ns, "hv0", ns, "hv1");
            await("hv0 up", () -> recorded.up("hv0") != null, watcher::doWork);
            net.ip(ns, "link", "set", "hv1", "netns", container);
            await("hv1 gone, hv0 again with its peer elsewhere",
                () -> recorded.gone("hv1") != null && recorded.up("hv0").linkNetnsId() >= 0, watcher::doWork);
            assertNotNull(recorded.gone("hv0"), "a peer move is gone + up");

            net.ip(ns, "link", "del", "tv0");
            await("tv0 and tv2 gone", () -> recorded.gone("tv0") != null && recorded.gone("tv2") != null, watcher::doWork);
            assertNotNull(recorded.gone("tv0"));
            assertEquals(0, watcher.overruns());
        }
        finally
        {
            watcher.onClose();
        }
    }

    /** Polls until the condition holds; fails after a generous timeout (the point is "eventually", not speed). */
    static void await(final String what, final BooleanSupplier condition, final Runnable poll)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            poll.run();
            if (condition.getAsBoolean())
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Events in the order they were told. */
    static final class Recorded implements LinkListener
    {
        final List<String> events = new ArrayList<>();
        final List<Link> ups = new ArrayList<>();
        final List<Link> gone = new ArrayList<>();

        @Override
        public void onLinkUp(final Link link)
        {
            events.add("up " + link.name());
            ups.add(link);
        }

        @Override
        public void onLinkGone(final Link link)
        {
            events.add("gone " + link.name());
            gone.add(link);
        }

        List<String> upNames()
        {
            return ups.stream().map(Link::name).toList();
        }

        Link up(final String name)
        {
            return ups.stream().filter(l -> l.name().equals(name)).reduce((a, b) -> b).orElse(null);
        }

        Link gone(final String name)
        {
            return gone.stream().filter(l -> l.name().equals(name)).reduce((a, b) -> b).orElse(null);
        }
    }
}
