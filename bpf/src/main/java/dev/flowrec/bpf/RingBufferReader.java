package dev.flowrec.bpf;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import dev.flowrec.syscall.Libc;
import dev.flowrec.syscall.SyscallException;

/**
 * Reads a BPF ring buffer map straight from its mmap'd pages: no upcall, no syscall, no allocation per record.
 * Single-threaded: one thread reads; {@link FlowProgram#close()} unmaps, so stop reading before closing
 * (read and close exclude each other, so a late read fails instead of touching unmapped memory).
 *
 * <pre>
 *  mmap #1, read-write, offset 0:         mmap #2, read-only, offset page:
 *  +---------------+                      +---------------+-------------------+-------------------+
 *  | consumer_pos  | (one page)           | producer_pos  | data (size)       | data again (size) |
 *  +---------------+                      +---------------+-------------------+-------------------+
 *                                           one page        the kernel maps the data pages twice, so a
 *                                                           record that wraps is contiguous in memory
 *  record: +-----------------------------------+--------------------+---------------+
 *          | u32 len (| BUSY 1<<31, DISCARD 1<<30) | u32 pg_off     | sample (len)  | padded to 8
 *          +-----------------------------------+--------------------+---------------+
 * </pre>
 *
 * Memory ordering follows kernel/bpf/ringbuf.c: the producer writes a record header with BUSY set, then
 * publishes producer_pos with smp_store_release; on submit it clears BUSY with xchg. So the consumer reads
 * producer_pos with acquire, then each header with acquire (a set BUSY bit means "not committed yet, stop
 * here", records commit out of order only behind it), and hands space back by storing consumer_pos with
 * release once it is done reading the records (the kernel reads consumer_pos with smp_load_acquire).
 * <p>
 * Reading and handing space back are apart: {@link #read} moves a cursor of its own ({@link #position()}), and
 * {@link #release} stores consumer_pos, which the caller does only once what it read is safe (the recorder: once
 * the journal batch holding those deltas is committed). consumer_pos lives in the kernel, in a ring that a
 * restarted recorder adopts (pinned): after a kill -9 the records from consumer_pos on are still there to be
 * read again, and {@link #skipTo} steps over those the journal turns out to hold already.
 */
public final class RingBufferReader
{
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;
    static final int HEADER_LENGTH = 8;

    private final String name;
    private final long pageSize;
    private final int size;
    private final long mask;
    private final long consumerAddress;
    private final long producerAddress;
    private final UnsafeBuffer consumerPage;
    private final UnsafeBuffer producerPage;
    private final UnsafeBuffer data;
    private final FlowEventDecoder decoder = new FlowEventDecoder();
    private final OwnerEventDecoder owner = new OwnerEventDecoder();
    private final DnsEventDecoder dns = new DnsEventDecoder();
    private long consumerPos;
    private long readPos;
    private long unexpectedRecords;
    private boolean closed;

    /** Maps the ring buffer behind mapFd (size = its max_entries, a power of 2 multiple of the page). */
    RingBufferReader(final String name, final int mapFd, final int size, final long pageSize)
    {
        this.name = name;
        this.pageSize = pageSize;
        this.size = size;
        this.mask = size - 1;
        consumerAddress = Libc.mmap(pageSize, Libc.PROT_READ | Libc.PROT_WRITE, mapFd, 0,
            "consumer page of ring buffer " + name);
        try
        {
            // The kernel refuses a writable mapping of the producer page and data.
            producerAddress = Libc.mmap(pageSize + 2L * size, Libc.PROT_READ, mapFd, pageSize,
                "producer page and data of ring buffer " + name);
        }
        catch (final SyscallException e)
        {
            Libc.munmap(consumerAddress, pageSize, "consumer page of ring buffer " + name);
            throw e;
        }
        consumerPage = new UnsafeBuffer(consumerAddress, (int)pageSize);
        producerPage = new UnsafeBuffer(producerAddress, (int)pageSize);
        data = new UnsafeBuffer(producerAddress + pageSize, 2 * size);
        consumerPos = consumerPage.getLongAcquire(0);
        readPos = consumerPos;
    }

    /**
     * Delivers up to limit committed records to handler, moving the read cursor past them; their space goes back to
     * the kernel on {@link #release}. The owner records among them come first, in order, then the flow events, in
     * order (and the DNS responses among them, {@link FlowEventHandler#onDnsEvent}, with the owners): a journal writer
     * then journals a pass's owners ahead of one batch of its deltas instead of cutting the
     * batch at each owner, and each owner still comes before its flow's first delta (the kernel wrote it earlier).
     * During the call for a flow event {@link #position()} is the position just after its record. Returns the records
     * consumed; discarded records (and any not shaped as a flow event or an owner record, told apart by their length)
     * are consumed but not delivered. If handler throws on a flow event, the record it was given counts as consumed;
     * on an owner, nothing does.
     */
    public synchronized int readHeld(final FlowEventHandler handler, final int limit)
    {
        if (closed)
        {
            throw new IllegalStateException("ring buffer " + name + " is closed");
        }
        final long producerPos = producerPage.getLongAcquire(0);
        long end = readPos;
        int committed = 0;
        while (committed < limit && end < producerPos)
        {
            final int offset = (int)(end & mask);
            final int header = data.getIntAcquire(offset);
            if ((header & BUSY_BIT) != 0)
            {
                break;
            }
            final int length = header & ~(BUSY_BIT | DISCARD_BIT);
            end += (length + HEADER_LENGTH + 7) & ~7L;
            committed++;
            if ((header & DISCARD_BIT) == 0 && length == OwnerEventDecoder.LENGTH)
            {
                handler.onOwnerEvent(owner.wrap(data, offset + HEADER_LENGTH));
            }
            else if ((header & DISCARD_BIT) == 0 && length == DnsEventDecoder.LENGTH)
            {
                handler.onDnsEvent(dns.wrap(data, offset + HEADER_LENGTH));
            }
        }
        while (readPos < end)
        {
            final int offset = (int)(readPos & mask);
            final int header = data.getInt(offset); // read with acquire above
            final int length = header & ~(BUSY_BIT | DISCARD_BIT);
            readPos += (length + HEADER_LENGTH + 7) & ~7L;
            if ((header & DISCARD_BIT) != 0 || length == OwnerEventDecoder.LENGTH || length == DnsEventDecoder.LENGTH)
            {
                continue;
            }
            if (length == FlowEventDecoder.LENGTH)
            {
                handler.onFlowEvent(decoder.wrap(data, offset + HEADER_LENGTH));
            }
            else
            {
                unexpectedRecords++;
            }
        }
        return committed;
    }

    /**
     * Delivers up to limit committed records to handler, in order, and hands their space back to the kernel at
     * once: {@link #readHeld} then {@link #release} of what it read (for readers that keep nothing to commit).
     */
    public synchronized int read(final FlowEventHandler handler, final int limit)
    {
        try
        {
            return readHeld(handler, limit);
        }
        finally
        {
            release(readPos);
        }
    }

    /** The read cursor: the ring position just after the last record read. */
    public synchronized long position()
    {
        return readPos;
    }

    /** The kernel's consumer position: the space before it is the producer's again. */
    public synchronized long consumerPosition()
    {
        return consumerPos;
    }

    /** The kernel's producer position: records (committed or not yet) end here. */
    public synchronized long producerPosition()
    {
        return closed ? consumerPos : producerPage.getLongAcquire(0);
    }

    /**
     * Hands the space before position (at most the read cursor) back to the kernel: consumer_pos, stored with
     * release. A position at or before the consumer position changes nothing.
     */
    public synchronized void release(final long position)
    {
        final long to = Math.min(position, readPos);
        if (to > consumerPos && !closed)
        {
            consumerPos = to;
            consumerPage.putLongRelease(0, to);
        }
    }

    /**
     * Moves the read cursor and the consumer position to position, a record boundary that the journal already
     * holds everything before, when it lies between the consumer and the producer positions.
     *
     * @return the bytes skipped, or -1 (nothing moved) when position lies outside them.
     */
    public synchronized long skipTo(final long position)
    {
        final long producerPos = producerPage.getLongAcquire(0);
        if (position < consumerPos || position > producerPos)
        {
            return -1;
        }
        final long skipped = position - consumerPos;
        readPos = position;
        release(position);
        return skipped;
    }

    /** Bytes committed or reserved by the kernel and not yet consumed. */
    public synchronized long pendingBytes()
    {
        if (closed)
        {
            return 0;
        }
        return producerPage.getLongAcquire(0) - readPos;
    }

    /** The data area's size, the map's max_entries. */
    public int capacity()
    {
        return size;
    }

    /** Records consumed that were neither flow events nor owner records (another length). */
    public long unexpectedRecords()
    {
        return unexpectedRecords;
    }

    synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(
            () -> Libc.munmap(producerAddress, pageSize + 2L * size, "producer page and data of ring buffer " + name),
            () -> Libc.munmap(consumerAddress, pageSize, "consumer page of ring buffer " + name));
    }
}
