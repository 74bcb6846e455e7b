package dev.flowrec.recorder;

import dev.flowrec.bpf.FlowEventDecoder;
import dev.flowrec.bpf.KernelCounters;
import dev.flowrec.bpf.TcLink;
import dev.flowrec.journal.JournalWriter;
import dev.flowrec.journal.schema.FlowDelta;
import dev.flowrec.journal.schema.InterfaceAttached;
import dev.flowrec.journal.schema.InterfaceDetached;
import dev.flowrec.journal.schema.LossReport;
import dev.flowrec.journal.schema.RecorderStarted;
import dev.flowrec.journal.schema.RecorderStopped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns what the recorder sees into journal events. Kernel times are boot-clock nanoseconds; the journal
 * holds UTC, so each is shifted by the boot-to-realtime offset measured at start (and journaled with it).
 * Single-threaded, like the journal appender it writes to.
 */
final class JournalEvents
{
    private final JournalWriter writer;
    private final long bootToRealtimeNs;
    private final FlowDelta delta = new FlowDelta();
    private final LossReport loss = new LossReport();

    JournalEvents(final JournalWriter writer, final long bootToRealtimeNs)
    {
        this.writer = writer;
        this.bootToRealtimeNs = bootToRealtimeNs;
    }

    void flowDelta(final FlowEventDecoder event)
    {
        delta.wrapAndApplyHeader(writer.claim(FlowDelta.ENCODED_LENGTH), 0)
            .firstNs(event.firstNs() + bootToRealtimeNs)
            .lastNs(event.lastNs() + bootToRealtimeNs)
            .packets(event.packets())
            .bytes(event.bytes())
            .putSrcAddr(event.buffer(), event.offset() + FlowEventDecoder.SRC_ADDR_OFFSET)
            .putDstAddr(event.buffer(), event.offset() + FlowEventDecoder.DST_ADDR_OFFSET)
            .ifindex(event.ifindex())
            .srcPort(event.sport())
            .dstPort(event.dport())
            .proto(event.proto())
            .family(event.family())
            .direction(event.direction())
            .tcpFlags(event.tcpFlags())
            .reason(event.reason());
        writer.commit();
    }

    void lossReport(final long[] counters)
    {
        loss.wrapAndApplyHeader(writer.claim(LossReport.ENCODED_LENGTH), 0)
            .timeNs(nowNs())
            .packetsSeen(counters[KernelCounters.PACKETS_SEEN])
            .bytesSeen(counters[KernelCounters.BYTES_SEEN])
            .ringLostEvents(counters[KernelCounters.RB_LOST_EVENTS])
            .ringLostPackets(counters[KernelCounters.RB_LOST_PACKETS])
            .ringLostBytes(counters[KernelCounters.RB_LOST_BYTES])
            .ringDeferred(counters[KernelCounters.RB_DEFERRED])
            .mapFull(counters[KernelCounters.MAP_FULL])
            .nonIp(counters[KernelCounters.NON_IP])
            .malformed(counters[KernelCounters.MALFORMED])
            .journalLostEvents(0);
        writer.commit();
    }

    void recorderStarted(final Recorder.Config config)
    {
        final String host = hostName();
        final String kernel = System.getProperty("os.version");
        final String version = "0.1.0";
        new RecorderStarted().wrapAndApplyHeader(
                writer.claim(RecorderStarted.encodedLength(host, kernel, version, config.commandLine())), 0)
            .timeNs(nowNs())
            .bootToRealtimeOffsetNs(bootToRealtimeNs)
            .flushIntervalNs(config.flushIntervalNs())
            .pid((int)ProcessHandle.current().pid())
            .maxFlows(config.maxFlows())
            .mode(config.flushIntervalNs() == 0 ? RecorderStarted.MODE_PACKET : RecorderStarted.MODE_FLOW)
            .host(host)
            .kernel(kernel)
            .flowrecVersion(version)
            .config(config.commandLine());
        writer.commit();
    }

    void interfaceAttached(final TcLink link)
    {
        new InterfaceAttached().wrapAndApplyHeader(writer.claim(InterfaceAttached.encodedLength(link.ifname(), "")), 0)
            .timeNs(nowNs())
            .netnsIno(0)
            .ifindex(link.ifindex())
            .ifname(link.ifname())
            .container("");
        writer.commit();
    }

    void interfaceDetached(final TcLink link, final String reason)
    {
        new InterfaceDetached().wrapAndApplyHeader(writer.claim(InterfaceDetached.encodedLength(link.ifname(), reason)), 0)
            .timeNs(nowNs())
            .netnsIno(0)
            .ifindex(link.ifindex())
            .ifname(link.ifname())
            .reason(reason);
        writer.commit();
    }

    void recorderStopped(final String reason)
    {
        final long events = writer.eventsAppended() + 1;
        new RecorderStopped().wrapAndApplyHeader(writer.claim(RecorderStopped.encodedLength(reason)), 0)
            .timeNs(nowNs())
            .events(events)
            .reason(reason);
        writer.commit();
    }

    private static long nowNs()
    {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static String hostName()
    {
        try
        {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
