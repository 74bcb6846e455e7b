package dev.flowrec.ipfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowrec.journal.schema.FlowDeltaEncoder;
import dev.flowrec.journal.schema.MessageHeader;
import dev.flowrec.journal.schema.Templates;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The live export's queue: an offer never waits, what does not fit is counted, what fits is sent. */
class IpfixAgentTest
{
    @Test
    void shouldDropWhatTheQueueCannotHoldAndSendTheRest() throws Exception
    {
        try (DatagramChannel collector = DatagramChannel.open())
        {
            collector.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            collector.bind(new InetSocketAddress("127.0.0.1", 0));
            final Collector at = Collector.parse("udp://127.0.0.1:" + ((InetSocketAddress)collector.getLocalAddress()).getPort());
            final IpfixAgent agent = new IpfixAgent(new IpfixExporter(List.of(at), 0), 4096);
            final UnsafeBuffer event = new UnsafeBuffer(new byte[Templates.FLOW_DELTA_LENGTH]);
            final FlowDeltaEncoder delta = MessageHeader.wrapAndApplyHeader(new FlowDeltaEncoder(), event, 0);
            for (int i = 0; i < 200; i++)
            {
                delta.firstNs(i).lastNs(i).packets(1).bytes(100).ifindex(1).srcPort(i).dstPort(53).proto((short)17)
                    .family((short)4).direction((short)1);
                agent.offer(FlowDeltaEncoder.TEMPLATE_ID, event, 0, Templates.FLOW_DELTA_LENGTH);
            }
            assertEquals(200, agent.recordsQueued());
            assertTrue(agent.recordsDropped() > 100 && agent.recordsDropped() < 200, "dropped " + agent.recordsDropped());
            agent.onClose(); // sends what the queue holds
            assertEquals(agent.recordsQueued(), agent.recordsDropped() + agent.exporter().recordsSent());
            collector.configureBlocking(false);
            final ByteBuffer datagram = ByteBuffer.allocate(2048);
            int messages = 0;
            long records = 0;
            while (collector.receive(datagram.clear()) != null)
            {
                messages++;
                assertEquals(10, datagram.getShort(0), "IPFIX version");
                final int setId = datagram.getShort(16) & 0xFFFF;
                if (setId != 2)
                {
                    records += (datagram.getShort(18) - 4) / (RecordTemplate.V4_OUT.fixedLength + 7 + "if1".length());
                }
            }
            assertEquals(agent.exporter().messagesSent(), messages);
            assertEquals(agent.exporter().recordsSent(), records);
        }
    }
}
