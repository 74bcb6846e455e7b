package dev.flowrec.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.bpf.Clocks;
import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.syscall.NetNs;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.Retention;
import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.InterfaceWatcher;
import dev.flowrec.recorder.discovery.Link;
import dev.flowrec.recorder.live.LiveView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container lookup that throws on the drain path (a veth waiting for its container's identity is looked up
 * again before its deltas are journaled) is counted and said once; the drain goes on, and the journal keeps the
 * veth under the namespace it was first journaled with, its traffic journaled to the packet.
 */
class ContainerLookupFailureTest
{
    private static final int PINGS = 5;
    private static final int ICMP = 1;

    @TempDir
    Path tmp;

    @Test
    void shouldCountAFailedLookupOnTheDrainPathAndDrainOn() throws Exception
    {
        final List<String> said = new ArrayList<>();
        final RecorderErrors errors = new RecorderErrors(said::add);
        final Path journal = tmp.resolve("journal");
        final int[] lookups = new int[1];
        try (NetnsFixture net = new NetnsFixture();
            FlowProgram program = FlowProgram.load(FlowProgram.Config.defaults().withFlushIntervalNs(0)))
        {
            final String host = net.netns("host");
            final String workload = net.netns("workload");
            net.veth(host, "v0", workload, "v1");
            net.address(host, "v0", "10.250.0.1/30");
            net.address(workload, "v1", "10.250.0.2/30");
            net.up(host, "v0");
            net.up(workload, "v1");
            // The first lookup finds only the namespace (a process, in no runtime's cgroup); every later one throws.
            final Container unresolved = new Container(workload, workload, "netns", "/user.slice", workload,
                0, "v1");
            final Function<Link, Optional<Container>> resolver = link ->
            {
                if (lookups[0]++ == 0)
                {
                    return Optional.of(unresolved);
                }
                throw new IllegalStateException("setns " + link.name() + ": an odd namespace");
            };
            final int ifindex = NetNs.call(NetnsFixture.path(host), () ->
            {
                record(program, journal, errors, resolver, host);
                return NetIf.indexOf("v0");
            });

            assertTrue(lookups[0] > 1, "looked up again on the drain path: " + lookups[0]);
            assertEquals(lookups[0] - 1, errors.errorsTotal(), "every failed lookup counted");
            assertEquals(List.of("warning: cannot identify containers: setns v0: an odd namespace" +
                " (needs CAP_SYS_ADMIN and CAP_SYS_PTRACE)"), said, "said once");
            assertJournaledUnresolved(journal, ifindex, workload);
        }
    }

    /** The recorder's agents, inside the host namespace: start, the drain alone while pings run, the orderly stop. */
    static void record(final FlowProgram program, final Path journal, final RecorderErrors errors,
        final Function<Link, Optional<Container>> resolver, final String host)
    {
        try (JournalWriter writer = JournalWriter.open(journal))
        {
            final LiveView live = new LiveView();
            final JournalEvents events = new JournalEvents(writer, live, Clocks.bootToRealtimeOffsetNs(), 0);
            final Recorder.Config config = new Recorder.Config(new Selection(Set.of(), false, true, List.of()),
                journal, 0, program.config().maxFlows(), program.config().ringBytes(), Optional.empty(), false,
                Retention.Policy.FOREVER, 0, "test");
            final RecorderContext context = new RecorderContext(config, program, writer, events, live, errors);
            events.recorderStarted(config);
            final DiscoveryAgent discovery = new DiscoveryAgent(context, InterfaceWatcher::new, resolver);
            final DrainAgent drain = new DrainAgent(context, discovery.provisional());
            final JournalAgent journalAgent = new JournalAgent(context);
            discovery.onStart();
            errors.running(true);
            assertEquals(List.of("v0"), discovery.names());

            final Process ping = start("ip", "netns", "exec", host, "ping", "-c", String.valueOf(PINGS),
                "-i", "0.2", "-W", "1", "10.250.0.2");
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ping.isAlive() && System.nanoTime() < deadlineNs)
            {
                drain.doWork(); // throws if the lookup's exception escaped
                Thread.onSpinWait();
            }
            assertTrue(!ping.isAlive(), "ping finished");
            assertEquals(0, ping.exitValue(), "every ping answered");

            errors.running(false);
            discovery.onClose();
            drain.onClose();
            journalAgent.onClose();
            errors.throwIfFatal();
        }
    }

    /** The veth's only container is the namespace it was attached under; its pings are all journaled. */
    private static void assertJournaledUnresolved(final Path journal, final int ifindex, final String netns)
    {
        final List<String> containers = new ArrayList<>();
        final long[] icmpPackets = new long[1];
        final ContainerSeenDecoder seen = new ContainerSeenDecoder();
        final InterfaceAttachedDecoder attached = new InterfaceAttachedDecoder();
        final FlowDeltaDecoder delta = new FlowDeltaDecoder();
        try (JournalReader reader = JournalReader.open(journal))
        {
            while (reader.poll((templateId, buffer, offset, length) ->
            {
                if (templateId == ContainerSeenDecoder.TEMPLATE_ID && MessageHeader.wrap(seen, buffer, offset).ifindex() == ifindex)
                {
                    final String id = seen.id(); // SBE: strings in declared order
                    seen.skipShortId();
                    containers.add("seen " + seen.runtime() + " " + id);
                }
                else if (templateId == InterfaceAttachedDecoder.TEMPLATE_ID
                    && MessageHeader.wrap(attached, buffer, offset).ifindex() == ifindex)
                {
                    containers.add("attached " + attached.ifname() + " " + attached.container());
                }
                else if (templateId == FlowDeltaDecoder.TEMPLATE_ID && MessageHeader.wrap(delta, buffer, offset).ifindex() == ifindex &&
                    delta.proto() == ICMP)
                {
                    icmpPackets[0] += delta.packets();
                }
            }, 1000) > 0)
            {
                // reading
            }
        }
        assertEquals(List.of("seen netns " + netns, "attached v0 " + netns), containers);
        assertEquals(2 * PINGS, icmpPackets[0], "every echo request and reply journaled");
    }

    static Process start(final String... command)
    {
        try
        {
            return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(String.join(" ", command) + " could not run: " + ex.getMessage(), ex);
        }
    }
}
