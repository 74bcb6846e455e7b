package dev.flowrec.journal;

import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.DirectBuffer;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The CRC32C trailer of a journal document: 4 bytes, little-endian, of the document's bytes before it (the event;
 * in the catalog, its journal index too), present in every document whose event is of schema version
 * {@link #SINCE_VERSION} or later. CRC32C because the JDK computes it with the CPU's crc32 instruction.
 * <p>
 * The JDK's intrinsic reads a direct {@link ByteBuffer}, while documents lie in Chronicle's mapped chunks, which
 * have none: a view of the whole chunk is made when a document lies in a chunk not seen before (once per 16 MiB
 * chunk, as Chronicle maps it) and positioned per document, so nothing is allocated per document. Scratch copies
 * are {@link org.agrona.ExpandableDirectByteBuffer}s, which have a buffer of their own. Single-threaded.
 */
final class DocumentChecksum
{
    /** The first schema version whose events are followed by a trailer. */
    static final int SINCE_VERSION = 4;
    static final int LENGTH = Integer.BYTES;
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final CRC32C crc = new CRC32C();
    private BytesStore<?, ?> chunk;
    private long chunkAddress;
    private ByteBuffer chunkView;

    /** @return the CRC32C of {@code length} bytes at {@code address}, which lies inside Chronicle's {@code store}. */
    int ofMapped(final BytesStore<?, ?> store, final long address, final int length)
    {
        if (store != chunk)
        {
            final long start = store.start();
            chunkAddress = store.addressForRead(start);
            chunkView = MemorySegment.ofAddress(chunkAddress).reinterpret(store.capacity() - start).asByteBuffer();
            chunk = store;
        }
        final int from = (int)(address - chunkAddress);
        chunkView.limit(from + length).position(from);
        crc.reset();
        crc.update(chunkView);
        return (int)crc.getValue();
    }

    /** @return the CRC32C of {@code [offset, offset + length)} of a buffer over a direct {@link ByteBuffer}. */
    int ofBuffer(final DirectBuffer buffer, final int offset, final int length)
    {
        final ByteBuffer view = buffer.byteBuffer();
        final int from = buffer.wrapAdjustment() + offset;
        view.limit(from + length).position(from);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
    }
}
