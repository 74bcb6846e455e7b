package dev.flowrec.ipfix;

import dev.flowrec.journal.schema.FlowDeltaDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The exporting process (RFC 7011): turns flow deltas into IPFIX messages of one observation domain at a time and
 * sends each, paced, to every collector over UDP. Each domain has its own sequence number (the data records sent in
 * it before the message) and its own templates, sent before its first data and again every
 * {@link #TEMPLATE_PERIOD_NS} (UDP has no session: a collector that starts later learns them then).
 * <p>
 * A collector that is down costs nothing here: the socket is not connected, so the kernel reports no ICMP
 * unreachable to it, and a datagram the collector's host drops is lost as UDP loses it. A send that fails locally
 * (no route, a full socket buffer) is counted in {@link #sendErrors()}, never thrown. Single-threaded, but the
 * counters may be read from any thread.
 */
public final class IpfixExporter implements AutoCloseable
{
    /** RFC 7011 section 8.4 leaves the period to the exporter; nfcapd and pmacct keep templates until replaced. */
    public static final long TEMPLATE_PERIOD_NS = TimeUnit.SECONDS.toNanos(10);

    private final List<Collector> collectors;
    private final DatagramChannel[] channels;
    private final Pacer pacer;
    private final MessageEncoder data = new MessageEncoder();
    private final MessageEncoder templates = new MessageEncoder();
    private final Int2ObjectHashMap<Domain> domains = new Int2ObjectHashMap<>();
    private final AtomicLong recordsSent = new AtomicLong();
    private final AtomicLong messagesSent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private Domain domain;
    private String lastError = "";

    /** A domain's count of data records sent and when its templates last went. */
    private static final class Domain
    {
        final int id;
        long sequence;
        long templatesSentNs;
        boolean templatesSent;

        Domain(final int id)
        {
            this.id = id;
        }
    }

    /**
     * @param recordsPerSecond the pace ({@link Pacer}); 0 does not pace
     * @throws UncheckedIOException when a socket cannot be opened
     */
    public IpfixExporter(final List<Collector> collectors, final long recordsPerSecond)
    {
        this.collectors = List.copyOf(collectors);
        this.pacer = new Pacer(recordsPerSecond);
        channels = new DatagramChannel[this.collectors.size()];
        try
        {
            for (int i = 0; i < channels.length; i++)
            {
                final boolean v6 = this.collectors.get(i).address().getAddress() instanceof java.net.Inet6Address;
                channels[i] = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            }
        }
        catch (final IOException ex)
        {
            CloseHelper.quietCloseAll(channels);
            throw new UncheckedIOException("open a UDP socket for IPFIX: " + ex.getMessage(), ex);
        }
    }

    /** Starts the messages of an observation domain (a host); the message in progress, if any, must have been sent. */
    public void domain(final int id)
    {
        if (!data.isEmpty())
        {
            throw new IllegalStateException("a message of domain " + Integer.toUnsignedString(domain.id) + " is not sent");
        }
        domain = domains.computeIfAbsent(id, Domain::new);
    }

    /** @return false when the record does not fit the message in progress: {@link #send} it first. */
    public boolean add(final FlowDeltaDecoder delta, final String iface, final String container, final int pid,
        final String comm, final long nowNs)
    {
        if (domain == null)
        {
            domain(0); // a record before any host was named
        }
        return data.add(delta, iface, container, pid, comm, nowNs);
    }

    /** The message in progress: its records, and when the first was added. */
    public MessageEncoder pending()
    {
        return data;
    }

    /** @return nanoseconds before the message in progress may go (the pace); 0: now */
    public long delayNs(final long nowNs)
    {
        return pacer.delayNs(data.records(), nowNs);
    }

    /** Sends the message in progress (and, first, the domain's templates when due), whatever the pace. */
    public void send(final long nowNs)
    {
        sendTemplatesIfDue(nowNs);
        if (data.isEmpty())
        {
            return;
        }
        final int records = data.records();
        data.finish(exportTimeS(), domain.sequence, domain.id);
        transmit(data);
        domain.sequence += records;
        recordsSent.setRelease(recordsSent.getPlain() + records);
        pacer.take(records, nowNs);
        data.reset();
    }

    /** Sends the domain's templates if they were never sent or not for {@link #TEMPLATE_PERIOD_NS}. */
    public void sendTemplatesIfDue(final long nowNs)
    {
        if (domain == null || domain.templatesSent && nowNs - domain.templatesSentNs < TEMPLATE_PERIOD_NS)
        {
            return;
        }
        templates.templates();
        templates.finish(exportTimeS(), domain.sequence, domain.id);
        transmit(templates);
        domain.templatesSent = true;
        domain.templatesSentNs = nowNs;
    }

    private void transmit(final MessageEncoder message)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(message.buffer().byteArray(), 0, message.length());
        for (int i = 0; i < channels.length; i++)
        {
            try
            {
                bytes.rewind();
                if (channels[i].send(bytes, collectors.get(i).address()) == 0)
                {
                    sendErrors.setRelease(sendErrors.getPlain() + 1);
                    lastError = collectors.get(i).text() + ": socket buffer full";
                }
            }
            catch (final IOException ex)
            {
                sendErrors.setRelease(sendErrors.getPlain() + 1);
                lastError = collectors.get(i).text() + ": " + ex.getMessage();
            }
        }
        messagesSent.setRelease(messagesSent.getPlain() + 1);
    }

    private static long exportTimeS()
    {
        return System.currentTimeMillis() / 1000;
    }

    /** Data records sent (to every collector). */
    public long recordsSent()
    {
        return recordsSent.getAcquire();
    }

    /** Messages sent (to every collector), templates included. */
    public long messagesSent()
    {
        return messagesSent.getAcquire();
    }

    /** Datagrams the kernel refused to take (counted per collector). */
    public long sendErrors()
    {
        return sendErrors.getAcquire();
    }

    /** The last send error, "" when none. */
    public String lastError()
    {
        return lastError;
    }

    public List<Collector> collectors()
    {
        return collectors;
    }

    /** The observation domain of a host: the CRC32 of its name, so that live and catch-up exports of a host agree. */
    public static int domainOf(final String host)
    {
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(host.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int)crc.getValue();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(channels);
    }
}
