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
    private long consumerPos;
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
    }

    /**
     * Delivers up to limit committed records to handler, in order, and hands their space back to the kernel.
     * Returns the records consumed; discarded records (and any not shaped as a flow event) are consumed but
     * not delivered. If handler throws, the record it was given counts as consumed.
     */
    public synchronized int read(final FlowEventHandler handler, final int limit)
    {
        if (closed)
        {
            throw new IllegalStateException("ring buffer " + name + " is closed");
        }
        final long producerPos = producerPage.getLongAcquire(0);
        long position = consumerPos;
        int consumed = 0;
        try
        {
            while (consumed < limit && position < producerPos)
            {
                final int offset = (int)(position & mask);
                final int header = data.getIntAcquire(offset);
                if ((header & BUSY_BIT) != 0)
                {
                    break;
                }
                final int length = header & ~(BUSY_BIT | DISCARD_BIT);
                position += (length + HEADER_LENGTH + 7) & ~7L;
                consumed++;
                if ((header & DISCARD_BIT) != 0)
                {
                    continue;
                }
                if (length != FlowEventDecoder.LENGTH)
                {
                    unexpectedRecords++;
                    continue;
                }
                handler.onFlowEvent(decoder.wrap(data, offset + HEADER_LENGTH));
            }
        }
        finally
        {
            if (position != consumerPos)
            {
                consumerPos = position;
                consumerPage.putLongRelease(0, position);
            }
        }
        return consumed;
    }

    /** Bytes committed or reserved by the kernel and not yet consumed. */
    public synchronized long pendingBytes()
    {
        if (closed)
        {
            return 0;
        }
        return producerPage.getLongAcquire(0) - consumerPos;
    }

    /** The data area's size, the map's max_entries. */
    public int capacity()
    {
        return size;
    }

    /** Records consumed that were not flow events (a length other than {@link FlowEventDecoder#LENGTH}). */
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
