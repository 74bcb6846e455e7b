package dev.flowrec.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowrec.bpf.FlowProgram;
import dev.flowrec.bpf.NetnsFixture;
import dev.flowrec.journal.JournalReader;
import dev.flowrec.journal.schema.ContainerSeenDecoder;
import dev.flowrec.journal.schema.FlowDeltaDecoder;
import dev.flowrec.journal.schema.InterfaceAttachedDecoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.recorder.discovery.Container;
import dev.flowrec.recorder.discovery.Link;
import dev.flowrec.syscall.NetIf;
import dev.flowrec.syscall.NetNs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A veth whose namespace holds no process yet (a runtime makes the veth before it starts the container) is not
 * journaled under a "phantom" container named after the namespace: its first packets carry no container, and
 * the runtime's container names it as soon as it is found.
 */
class ProvisionalContainerTest
{
    private static final String ID = "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8";
    private static final int ICMP = 1;

    @TempDir
    Path tmp;

    @Test
    void shouldNeverJournalANamespaceWithoutAProcessAsAContainer() throws Exception
    {
        final Path journal = tmp.resolve("journal");
        final RecorderErrors errors = new RecorderErrors(line -> { });
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
            // No process in the namespace for the first lookups (the kernel answers the pings), then the container's.
            final Container bare = new Container(workload, workload, "netns", "", workload, 0, "v1");
            final Container docker = new Container(ID, ID.substring(0, 12), "docker",
                "/system.slice/docker-" + ID + ".scope", workload, 0, "v1");
            final int[] lookups = new int[1];
            final Function<Link, Optional<Container>> resolver = link -> Optional.of(lookups[0]++ < 3 ? bare : docker);
            final int ifindex = NetNs.call(NetnsFixture.path(host), () ->
            {
                ContainerLookupFailureTest.record(program, journal, errors, resolver, host);
                return NetIf.indexOf("v0");
            });

            final List<String> events = new ArrayList<>();
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
                        events.add("seen " + seen.runtime() + " " + id);
                    }
                    else if (templateId == InterfaceAttachedDecoder.TEMPLATE_ID
                        && MessageHeader.wrap(attached, buffer, offset).ifindex() == ifindex)
                    {
                        events.add("attached " + attached.ifname() + " " + attached.container());
                    }
                    else if (templateId == FlowDeltaDecoder.TEMPLATE_ID && MessageHeader.wrap(delta, buffer, offset).ifindex() == ifindex
                        && delta.proto() == ICMP)
                    {
                        icmpPackets[0] += delta.packets();
                    }
                }, 1000) > 0)
                {
                    // reading
                }
            }
            assertEquals(List.of("attached v0 ", "seen docker " + ID, "attached v0 " + ID.substring(0, 12)), events,
                "no container named after the namespace, ever");
            assertEquals(10, icmpPackets[0], "every echo request and reply journaled");
        }
    }
}
