package dev.flowrec.journal;

import net.openhft.chronicle.bytes.Bytes;
import dev.flowrec.syscall.Libc;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.CloseHelper;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One Chronicle document at a time: claimed, then committed (at most at its claimed length) or aborted.
 * Zero-copy: the claimed buffer points into the memory-mapped cycle file, inside the open document (Chronicle
 * maps each chunk with an overlap, so an event crossing a chunk boundary is still contiguous); should a claim
 * ever not lie in the mapped window, it is built in a reusable scratch buffer and copied on commit.
 * <p>
 * Apart from {@link JournalWriter}, which decides what goes into a document, because this is where Chronicle
 * fails on a full disk: every failure here suspends writing ({@link FreeSpace}), and a claim that cannot be
 * written is handed out as lost (a scratch buffer the caller fills and that is dropped and counted), so that
 * the caller's own work, the live view, goes on. Catalogued events are staged and copied to the catalog once
 * the journal has given them an index.
 * <p>
 * Every document ends with a {@link DocumentChecksum} trailer, outside the event: a claim of N bytes is a document
 * of N + 4, and the commit computes the CRC32C of the event's committed bytes where they lie (the mapped file, or
 * the scratch buffer) and writes it after them.
 */
final class DocumentAppender implements AutoCloseable
{
    /** Benchmarks only (ChecksumBench): false writes a zero trailer without computing it, to measure what it costs. */
    static boolean computeChecksums = true;

    /**
     * How far ahead of a zero-copy claim the mapped chunk's pages are faulted in, in one madvise(MADV_POPULATE_WRITE)
     * per half of it. A page of a cycle file is new page cache when first written: one page fault per page or two,
     * ~5-9 µs each on the VMs measured (~55 ns per delta at 36 bytes, a fifth of the drain's cost, JFR and
     * /proc/thread-self/stat); populated in bulk, the same pages cost a third to a half less, and no fault lands in
     * the middle of a batch.
     */
    static final long POPULATE_AHEAD_BYTES = 1 << 20;
    private static final long PAGE_MASK = ~((long)Libc.pageSize() - 1);

    private final Path dir;
    private final ExcerptAppender appender;
    private final Catalog.Writer catalog;
    private final FreeSpace freeSpace;
    private final UnsafeBuffer claimBuffer = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private final DocumentChecksum checksum = new DocumentChecksum();

    private DocumentContext document;
    private Bytes<?> documentBytes;
    private long documentStart;
    private long claimAddress;
    /** The mapped chunk holding the claim: the document's bytes may move on to the next chunk once skipped. */
    private BytesStore<?, ?> claimStore;
    private int claimedLength;
    private boolean claimedScratch;
    private boolean claimedLost;
    private long scratchClaims;
    private boolean zeroCopy = true;
    private boolean closed;
    /** The mapped chunk last populated ahead, and the file position up to which it is; off once the advice fails. */
    private MappedBytesStore populatedStore;
    private long populatedTo;
    private boolean populate = true;

    DocumentAppender(final Path dir, final SingleChronicleQueue queue, final Catalog.Writer catalog, final FreeSpace freeSpace)
    {
        this.dir = dir;
        this.catalog = catalog;
        this.freeSpace = freeSpace;
        this.appender = queue.createAppender();
        appender.singleThreadedCheckDisabled(true);
    }

    /** Claims an event of {@code length} bytes, lost at once while writing is suspended. */
    MutableDirectBuffer claim(final int length)
    {
        if (claimedLost)
        {
            throw new IllegalStateException("claim without commit of the previous event: " + dir);
        }
        return freeSpace.suspended() ? claimLost(length) : open(length);
    }

    /**
     * While the disk is short of space the event is not written: the caller still gets a buffer (so that what
     * it taps, the live view, goes on), and the event is counted lost on commit.
     */
    private MutableDirectBuffer claimLost(final int length)
    {
        claimedLost = true;
        claimedLength = length;
        scratch.checkLimit(length);
        claimBuffer.wrap(scratch, 0, length);
        return claimBuffer;
    }

    /** @return whether the open claim was handed out as lost: nothing of it will be written. */
    boolean claimedLost()
    {
        return claimedLost;
    }

    /** Drops the lost claim and counts it lost. */
    void dropLost()
    {
        claimedLost = false;
        claimBuffer.wrap(0, 0);
        freeSpace.lost(1);
    }

    /** @return whether a document is open (a claim or a batch), awaiting commit or abort. */
    boolean isOpen()
    {
        return document != null;
    }

    /** Begins a document of up to {@code length} bytes; lost (see {@link #claimedLost()}) when Chronicle fails. */
    MutableDirectBuffer open(final int length)
    {
        if (document != null)
        {
            throw new IllegalStateException("claim without commit of the previous event: " + dir);
        }
        if (closed)
        {
            throw new IllegalStateException("journal writer is closed: " + dir);
        }

        final DocumentContext dc;
        try
        {
            dc = appender.writingDocument();
        }
        catch (final RuntimeException | InternalError ex)
        {
            freeSpace.failed(ex); // e.g. a new cycle file that the full disk cannot hold
            return claimLost(length);
        }
        final Bytes<?> bytes = dc.wire().bytes();
        final long position = bytes.writePosition();
        document = dc;
        documentBytes = bytes;
        documentStart = position;
        claimedLength = length;
        final int documentLength = length + DocumentChecksum.LENGTH;
        try
        {
            // Zero-copy when the document fits the mapped chunk holding its start (the usual case).
            if (zeroCopy && bytes.isDirectMemory())
            {
                final long address = bytes.addressForWrite(position);
                final BytesStore<?, ?> store = bytes.bytesStore();
                if (store.inside(position, documentLength))
                {
                    populateAhead(store, position + documentLength);
                    claimStore = store;
                    bytes.writeSkip(documentLength);
                    claimedScratch = false;
                    claimAddress = address;
                    claimBuffer.wrap(address, length);
                    return claimBuffer;
                }
            }
            claimedScratch = true;
            scratchClaims++;
            scratch.checkLimit(documentLength);
            claimBuffer.wrap(scratch, 0, length);
            return claimBuffer;
        }
        catch (final RuntimeException | InternalError ex)
        {
            abort();
            freeSpace.failed(ex);
            return claimLost(length);
        }
    }

    /**
     * Faults in the mapped chunk's pages up to {@link #POPULATE_AHEAD_BYTES} past {@code end} (a file position), once
     * fewer than half of them are left, within the chunk. Advice only: a failure (an old kernel, a file system without
     * it) turns it off, and the pages fault in as they are written.
     */
    private void populateAhead(final BytesStore<?, ?> store, final long end)
    {
        if (!populate || !(store instanceof MappedBytesStore mapped))
        {
            return;
        }
        if (mapped != populatedStore)
        {
            populatedStore = mapped;
            populatedTo = end;
        }
        if (end + POPULATE_AHEAD_BYTES / 2 <= populatedTo)
        {
            return;
        }
        final long from = Math.max(populatedTo, end);
        final long to = Math.min(end + POPULATE_AHEAD_BYTES, mapped.safeLimit());
        if (to <= from)
        {
            return;
        }
        final long address = mapped.addressForWrite(from) & PAGE_MASK;
        if (Libc.madvise(address, mapped.addressForWrite(to - 1) + 1 - address, Libc.MADV_POPULATE_WRITE) != 0)
        {
            populate = false;
        }
        populatedTo = to;
    }

    /** Commits the claimed event at its claimed length, copied to the catalog when it belongs there. */
    boolean commitEvent()
    {
        return commit(claimedLength, Catalog.holds(claimBuffer, claimedLength));
    }

    /**
     * Commits the open document at {@code length} bytes, at most what was claimed, and its checksum after them:
     * Chronicle writes its length now.
     *
     * @return false when the write failed (a full disk): the document was dropped and writing suspended.
     */
    boolean commit(final int length, final boolean catalogued)
    {
        final DocumentContext dc = document;
        try
        {
            if (catalogued)
            {
                catalog.stage(claimBuffer, length);
            }
            if (claimedScratch)
            {
                scratch.putInt(length, computeChecksums ? checksum.ofBuffer(scratch, 0, length) : 0,
                    DocumentChecksum.BYTE_ORDER);
                copyScratch(documentBytes, length + DocumentChecksum.LENGTH);
            }
            else
            {
                final int crc = computeChecksums ? checksum.ofMapped(claimStore, claimAddress, length) : 0;
                claimBuffer.wrap(claimAddress, length + DocumentChecksum.LENGTH);
                claimBuffer.putInt(length, crc, DocumentChecksum.BYTE_ORDER);
                documentBytes.writePosition(documentStart + length + DocumentChecksum.LENGTH);
            }
        }
        catch (final RuntimeException | InternalError ex)
        {
            abort();
            freeSpace.failed(ex);
            return false;
        }
        finally
        {
            claimBuffer.wrap(0, 0);
        }
        document = null;
        documentBytes = null;
        try
        {
            dc.close();
        }
        catch (final RuntimeException | InternalError ex)
        {
            freeSpace.failed(ex);
            return false;
        }
        if (catalogued)
        {
            catalog.append(appender.lastIndexAppended());
        }
        return true;
    }

    /** Drops the open document or lost claim: nothing of it reaches the journal. No-op without one. */
    void abort()
    {
        claimedLost = false;
        final DocumentContext dc = document;
        if (dc != null)
        {
            document = null;
            documentBytes = null;
            claimBuffer.wrap(0, 0);
            try
            {
                dc.rollbackOnClose();
                dc.close();
            }
            catch (final RuntimeException | InternalError ex)
            {
                freeSpace.failed(ex);
            }
        }
    }

    private void copyScratch(final Bytes<?> bytes, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            bytes.writeLong(scratch.getLong(i, ByteOrder.nativeOrder()));
        }
        for (; i < length; i++)
        {
            bytes.writeByte(scratch.getByte(i));
        }
    }

    /** @return the Chronicle index of the last document committed. */
    long lastIndex()
    {
        return appender.lastIndexAppended();
    }

    boolean lastClaimWasZeroCopy()
    {
        return !claimedScratch;
    }

    void zeroCopy(final boolean zeroCopy)
    {
        this.zeroCopy = zeroCopy;
    }

    long scratchClaims()
    {
        return scratchClaims;
    }

    boolean isClosed()
    {
        return closed;
    }

    /** Aborts an open document, then closes the appender; claims fail from now on. */
    @Override
    public void close()
    {
        closed = true;
        CloseHelper.closeAll(this::abort, appender);
    }
}
